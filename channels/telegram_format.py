"""Telegram rendering of an assistant reply, for a phone: escaped HTML, buttons, 4096-unit pieces.

The reply's text is sent as written (escaped). Its table is shown as the rows the text does not
already tell (channels/render.py has the rule): as a <pre> table when the rows fit `PRE_WIDTH`
monospace columns, else as one short record per row (the first cell bold, then `label: value`,
lines of at most `render.RECORD_WIDTH` characters); at most `MAX_ROWS` rows, then how many more.
Messages are cut between lines (a longer line at a space where it can), each within Telegram's
limit counted in UTF-16 units as Telegram counts, every tag opened and closed in the same message.
"""

import html
import unicodedata
from dataclasses import dataclass

from agent.reply import Action, Reply, Table

from . import render as shared

LIMIT = 4096  # Telegram's maximum message length (UTF-16 code units)
CALLBACK_LIMIT = 64  # bytes of callback data Telegram accepts
PRE_WIDTH = 40  # monospace columns that fit a phone screen without scrolling
MAX_ROWS = 50  # records sent to a phone for one reply; the rest are counted


@dataclass
class Block:
    text: str  # raw text, escaped when packed; with html=True, lines of finished HTML
    pre: bool = False
    html: bool = False  # every line is whole HTML (its tags closed on the line)
    tight: bool = False  # joined to the block before by one newline, not a blank line
    head: str = ""  # an HTML line (a table's title) kept in one message with the block's first lines


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def _record_html(line: shared.Line) -> str:
    return "".join(f"<b>{esc(t)}</b>" if strong else esc(t) for t, strong in line)


def table_blocks(reply: Reply) -> list[Block]:
    """The reply's table for a phone: the rows the text does not tell, narrow <pre> or records."""
    table = shared.untold_table(reply)
    if table is None:
        return []
    more = len(table.rows) - MAX_ROWS
    table = Table(table.columns, table.rows[:MAX_ROWS], table.title)
    head = "\n".join(f"<b>{esc(t)}</b>" for t in shared.wrap(table.title or "", shared.RECORD_WIDTH))
    if shared.aligned_width(table) <= PRE_WIDTH:
        blocks = [Block("\n".join(shared.aligned_lines(table)), pre=True, head=head)]
    else:
        recs = shared.records(table)
        gap = [""] if any(len(r) > 1 for r in recs) else []  # a blank line between records of several lines
        lines: list[str] = []
        for rec in recs:
            lines += (gap if lines else []) + [_record_html(ln) for ln in rec]
        blocks = [Block("\n".join(lines), html=True, head=head)]
    if more > 0:
        blocks.append(Block(f"… and {more} more rows.", tight=True))
    return blocks


def blocks_of(reply: Reply) -> list[Block]:
    blocks = [Block(reply.text)] if reply.text else []
    return blocks + table_blocks(reply)


def _wrap(block: Block, body: str) -> str:
    return f"<pre>{body}</pre>" if block.pre else body


def _cut(line: str, room: int) -> int:
    """Where to cut a raw line so that its escaped head fits `room`: at a space if one is near,
    never inside an entity (the line is raw) nor before a joiner or combining mark."""
    size, end = 0, len(line)
    for i, ch in enumerate(line):
        size += units(esc(ch))
        if size > room:
            end = i
            break
    while 0 < end < len(line) and (
        line[end] in "\u200d\ufe0f" or unicodedata.combining(line[end]) or line[end - 1] == "\u200d"
    ):
        end -= 1
    space = line.rfind(" ", 0, end + 1)
    if end < len(line) and space > end // 2:
        return space
    return max(end, 1)


def _pieces(block: Block, limit: int) -> list[str]:
    """One block as HTML pieces each within the limit: split between lines, a long line where it fits."""
    room = limit - (11 if block.pre else 0)  # len("<pre></pre>")
    first = room - (units(block.head) + 1 if block.head else 0)  # the first piece carries the head
    pieces: list[str] = []
    current: list[str] = []
    size = 0

    def flush():
        nonlocal current, size
        while current and not current[-1].strip():
            current.pop()
        if current:
            pieces.append("\n".join(current))
        current, size = [], 0

    for raw in block.text.split("\n"):
        if not block.html and units(esc(raw)) > room:  # a line longer than a message: whole pieces of it
            flush()
            while units(esc(raw)) > room:
                cut = _cut(raw, room)
                pieces.append(esc(raw[:cut]))
                raw = raw[cut + 1 :] if raw[cut : cut + 1] == " " else raw[cut:]
        line = raw if block.html else esc(raw)  # html: short lines of finished HTML (records)
        extra = units(line) + (1 if current else 0)
        if current and size + extra > (room if pieces else first):
            flush()
            extra = units(line)
        if not current and not line.strip():
            continue  # no piece starts with a blank line
        current.append(line)
        size += extra
    flush()
    out = [_wrap(block, p) for p in pieces if p.strip()]
    if block.head and out:
        out[0] = block.head + "\n" + out[0]
    return out


def to_html(blocks: list[Block], limit: int = LIMIT) -> list[str]:
    """Pack blocks into as few messages as fit; a tag is never cut in two."""
    messages: list[str] = []
    for block in blocks:
        sep = "\n" if block.tight else "\n\n"
        for n, piece in enumerate(_pieces(block, limit)):
            # a block's later pieces start messages: they follow a piece that filled one
            if n == 0 and messages and units(messages[-1]) + units(sep) + units(piece) <= limit:
                messages[-1] += sep + piece
            else:
                messages.append(piece)
    return messages or ["(no answer)"]


def callback_data(action: Action) -> str | None:
    data = f"{action.id}:{action.value}"
    return data if len(data.encode()) <= CALLBACK_LIMIT else None


def parse_callback(data: str | None) -> tuple[str, str] | None:
    """('confirm'|'cancel', pending action id) or None for anything else."""
    kind, _, value = (data or "").partition(":")
    return (kind, value) if kind in ("confirm", "cancel") and value else None


def buttons(reply: Reply) -> list[tuple[str, str]]:
    """(label, callback data) of the reply's actions that fit in Telegram's callback data."""
    out = []
    for a in reply.actions:
        data = callback_data(a)
        if data and a.id in ("confirm", "cancel"):
            out.append((a.label, data))
    return out


def render(reply: Reply, limit: int = LIMIT) -> tuple[list[str], list[tuple[str, str]]]:
    """HTML messages to send (in order) and the buttons for the last one."""
    return to_html(blocks_of(reply), limit), buttons(reply)
