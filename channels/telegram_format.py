"""Telegram rendering of an assistant reply: escaped HTML, tables as <pre>, buttons, 4096-char pieces."""
import html
from dataclasses import dataclass

from agent.reply import Action, Reply, Table

LIMIT = 4096  # Telegram's maximum message length
CALLBACK_LIMIT = 64  # bytes of callback data Telegram accepts


@dataclass
class Block:
    text: str  # raw text, escaped when packed
    pre: bool = False


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def table_lines(table: Table) -> list[str]:
    """A table as aligned monospace lines (title first)."""
    rows = [list(table.columns)] + [list(r) for r in table.rows]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(table.columns))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    lines = [fmt(rows[0]), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows[1:]]
    return ([table.title] if table.title else []) + lines


def blocks_of(reply: Reply) -> list[Block]:
    blocks = [Block(reply.text)] if reply.text else []
    if reply.table and reply.table.rows:
        blocks.append(Block("\n".join(table_lines(reply.table)), pre=True))
    return blocks


def _wrap(block: Block, raw: str) -> str:
    return f"<pre>{esc(raw)}</pre>" if block.pre else esc(raw)


def _pieces(block: Block, limit: int) -> list[str]:
    """One block as HTML pieces each within the limit: split by lines, then by characters."""
    room = limit - (11 if block.pre else 0)  # len("<pre></pre>")
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in block.text.split("\n"):
        while len(esc(line)) > room:  # a line longer than a message: cut it where it fits
            cut = room
            while len(esc(line[:cut])) > room:
                cut -= max(1, (len(esc(line[:cut])) - room) // 5)  # an entity is at most 5 chars
            if current:
                pieces.append("\n".join(current))
                current, size = [], 0
            pieces.append(line[:cut])
            line = line[cut:]
        extra = len(esc(line)) + (1 if current else 0)
        if current and size + extra > room:
            pieces.append("\n".join(current))
            current, size, extra = [], 0, len(esc(line))
        current.append(line)
        size += extra
    if current:
        pieces.append("\n".join(current))
    return [_wrap(block, p) for p in pieces if p.strip()]


def to_html(blocks: list[Block], limit: int = LIMIT) -> list[str]:
    """Pack blocks into as few messages as fit; a tag is never cut in two."""
    messages: list[str] = []
    for block in blocks:
        for piece in _pieces(block, limit):
            if messages and len(messages[-1]) + 2 + len(piece) <= limit:
                messages[-1] += "\n\n" + piece
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
