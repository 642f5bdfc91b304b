"""A reply read where it lands: the rules the channels share for a reply's table.

A reply is text (shown as written, on every channel) and optionally a table. Only the table's
presentation differs:

* Telegram (a phone): the rows the text does not already tell, as a <pre> table when it fits
  `PRE_WIDTH` monospace columns, else as short records (`records`): the first cell bold, the
  second beside it when it is not a number, the others as `label: value`, packed into lines of at
  most `RECORD_WIDTH` characters.
* Slack (desktop and phone apps): the same rows, as a code block when narrow, one section with
  fields per row for a few rows, else records in sections; within Block Kit's limits.
* Web: the whole table as an HTML table that scrolls sideways inside its own box.
* Terminal: the whole table as a Rich table.

When is a row already told by the text? The tools' texts often list the rows themselves
("- Fresh Mart (R-102): ₹4,005.76, overdue ₹4,005.76"); a phone should not show them twice.
A row is *told* when one line of the text holds at least two of the row's distinctive cells and at
least half of them. A distinctive cell has three or more characters and is not blank, "-" or zero;
cells are found as whole words, numbers without thousands separators ("9576.00" is found in
"₹9,576.00"), letters without case. A row with fewer than two distinctive cells is told when
one line holds all its non-blank, non-zero cells; a row of a two-column table (a label or a code
and its value) is told when a line holds its value, if that is distinctive. The chat apps show
only the rows that are not told; the web and the terminal, which have the room, show the whole
table.
"""

import re
import textwrap
import unicodedata

from agent.reply import Reply, Table

RECORD_WIDTH = 56  # characters of one record line on a phone (a long single value wraps at this too)
_NUMBER = re.compile(r"^[-+]?(?:rs\.?\s*|₹\s*)?[\d,]*\d(?:\.\d+)?\s*%?$", re.I)
_ZERO = re.compile(r"^[-+]?(?:rs\.?\s*|₹\s*)?0+(?:\.0+)?\s*%?$", re.I)
_BLANK = ("", "-", "—", "–", "n/a")


def is_blank(cell: str) -> bool:
    return str(cell).strip().lower() in _BLANK


def is_number(cell: str) -> bool:
    return bool(_NUMBER.match(str(cell).strip()))


def numeric_columns(table: Table) -> list[bool]:
    """Columns whose every non-blank cell is a number (right-aligned where columns line up)."""
    out = []
    for i in range(len(table.columns)):
        cells = [str(r[i]) for r in table.rows if i < len(r) and not is_blank(r[i])]
        out.append(bool(cells) and all(is_number(c) for c in cells))
    return out


# --- is a row already told by the text? -------------------------------------------------------
def _norm(text: str) -> str:
    text = re.sub(r"(?<=\d),(?=\d)", "", str(text))  # 1,00,000 and 9,576.00 as the table writes them
    return " ".join(text.casefold().split())


def _found(cell: str, line: str) -> bool:
    return re.search(r"(?<!\w)(?<!\d\.)" + re.escape(cell) + r"(?!\w)(?!\.\d)", line) is not None


def told_rows(text: str, table: Table) -> list[bool]:
    """For each row of `table`: is it already told by one line of `text`? (See the module's rule.)"""
    lines = [_norm(ln) for ln in (text or "").splitlines() if ln.strip()]
    out = []
    for row in table.rows:
        cells = list(dict.fromkeys(_norm(c) for c in row if not is_blank(c) and not _ZERO.match(str(c).strip())))
        distinctive = [c for c in cells if len(c) >= 3]
        value = _norm(row[1]) if len(row) == 2 and len(table.columns) == 2 else ""
        told = False
        for line in lines:
            if value in distinctive:  # a label or code and its value: the value is what is told
                told = _found(value, line)
            elif len(distinctive) >= 2:
                found = sum(_found(c, line) for c in distinctive)
                told = found >= 2 and 2 * found >= len(distinctive)
            else:
                told = bool(cells) and all(_found(c, line) for c in cells)
            if told:
                break
        out.append(told)
    return out


def untold_table(reply: Reply) -> Table | None:
    """The part of the reply's table a chat app shows: the rows its text does not tell, or None.

    When some rows were told, the title says how many follow ("Outstanding (10 more)")."""
    table = reply.table
    if table is None or not table.rows:
        return None
    told = told_rows(reply.text, table)
    rows = [list(map(str, r)) for r, t in zip(table.rows, told) if not t]
    if not rows:
        return None
    title = table.title or ""
    if any(told):
        title = f"{title} ({len(rows)} more)" if title else f"{len(rows)} more"
    return Table([str(c) for c in table.columns], rows, title or None)


# --- narrow tables: aligned monospace lines -------------------------------------------------------
def display_width(text: str) -> int:
    """Columns a string takes in a monospace font (wide East Asian characters and emoji take two)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch in "\u200d\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def aligned_lines(table: Table) -> list[str]:
    """Header, a rule and the rows in aligned columns (numbers right-aligned); no title."""
    cols = [str(c) for c in table.columns]
    rows = [[str(r[i]) if i < len(r) else "" for i in range(len(cols))] for r in table.rows]
    numeric = numeric_columns(table)
    widths = [max(display_width(x) for x in [cols[i]] + [r[i] for r in rows]) for i in range(len(cols))]

    def line(cells: list[str]) -> str:
        out = []
        for c, w, num in zip(cells, widths, numeric):
            pad = " " * (w - display_width(c))
            out.append(pad + c if num else c + pad)
        return "  ".join(out).rstrip()

    return [line(cols), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def aligned_width(table: Table) -> int:
    return max(display_width(ln) for ln in aligned_lines(table))


# --- wide tables: one short record per row ----------------------------------------------------------
Segment = tuple[str, bool]  # (text, strong)
Line = list[Segment]


def records(table: Table, width: int = RECORD_WIDTH) -> list[list[Line]]:
    """Each row as lines of at most `width` characters: the first cell strong, the second beside it
    when it is not a number, every other non-blank cell as `column: value`, joined by " · "."""
    cols = [str(c) for c in table.columns]
    out = []
    for row in table.rows:
        cells = [str(c) for c in row] + [""] * (len(cols) - len(row))
        key = cells[0] if cells else ""
        lines: list[Line] = [[(piece, True)] for piece in wrap(key, width)] or [[]]
        rest = list(zip(cols[1:], cells[1:]))
        if rest and not is_blank(rest[0][1]) and not is_number(rest[0][1]):
            _add(lines, rest[0][1], width, sep=" ")
            rest = rest[1:]
        for label, value in rest:
            if not is_blank(value):
                _add(lines, f"{label}: {value}" if label else value, width, sep=" · ")
        out.append([ln for ln in lines if ln])
    return out


def wrap(text: str, width: int) -> list[str]:
    text = " ".join(str(text).split())
    return textwrap.wrap(text, width, break_on_hyphens=False) if text else []


def _len(line: Line) -> int:
    return sum(len(t) for t, _ in line)


def _add(lines: list[Line], item: str, width: int, sep: str) -> None:
    """Put `item` after `sep` on the last line when it fits, else on new lines (wrapped)."""
    last = lines[-1]
    if last and _len(last) + len(sep) + len(item) <= width:
        last.append((sep + item, False))
        return
    for piece in wrap(item, width):
        if lines[-1]:
            lines.append([])
        lines[-1].append((piece, False))


def plain(line: Line) -> str:
    return "".join(t for t, _ in line)
