"""A report's table as a file: CSV and JSON for machines, XLSX for people. Each is an iterator of
byte chunks that reads the table's rows once, as they come, so a table streaming a million rows
from an open session is written with flat memory (XLSX through a temporary file, deleted after).

CSV: a header of column keys, then plain machine values (decimals as `1234.50`, ISO dates, no
currency symbols, no grouping). JSON: `{name, title, start, end, columns, rows, totals}` with
money and percentages as decimal strings. XLSX (XlsxWriter, `constant_memory`): the title, a bold
header of column titles, typed cells (numbers as numbers, dates as dates), money in rupees with
Indian digit grouping (an Excel number format, so the cell stays a number), the header frozen, an
autofilter over the columns, column widths from the first rows, and a bold totals row."""

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Any, Literal

import xlsxwriter

from .tabular import Kind, Table

Format = Literal["csv", "xlsx", "json"]
FILE_FORMATS: tuple[Format, ...] = ("csv", "xlsx")
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
CHUNK = 64 * 1024  # bytes per chunk handed to the caller

# Excel's own limits: rows per sheet; a sheet name's length and the characters it may not hold.
EXCEL_ROWS = 1_048_576
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
WIDTH_SAMPLE = 200  # rows read ahead to size the columns (constant_memory writes each row once)
MAX_WIDTH = 60
ZIP64_CELLS = 5_000_000  # past this many cells a sheet's XML may pass 4 GB: the ZIP64 format

# Money in rupees with Indian grouping (₹1,23,456.50; ₹1,23,45,678.00): Excel allows two conditions
# per format, so crores and lakhs take a section each and the rest the usual thousands. Negative
# amounts get the mirror format (a condition's section shows the amount without its sign).
MONEY_FORMAT = r'[>=10000000]"₹"##\,##\,##\,##0.00;[>=100000]"₹"##\,##\,##0.00;"₹"#,##0.00'
MONEY_NEGATIVE = r'[<=-10000000]-"₹"##\,##\,##\,##0.00;[<=-100000]-"₹"##\,##\,##0.00;"₹"#,##0.00'
COUNT_FORMAT = r"[>=10000000]##\,##\,##\,##0;[>=100000]##\,##\,##0;#,##0"
COUNT_NEGATIVE = r"[<=-10000000]-##\,##\,##\,##0;[<=-100000]-##\,##\,##0;#,##0"
DATE_FORMAT = "dd-mmm-yyyy"  # 05-Oct-2026: no day/month order to guess
PERCENT_FORMAT = "0.0#%"  # a percent column holds 12.5 for 12.5%; the cell holds 0.125


def filename(table: Table, fmt: str) -> str:
    """`sales-2026-10-01-2026-10-31.xlsx`: the report's name and its period, where it has one."""
    parts = [re.sub(r"[^A-Za-z0-9_-]+", "-", table.name).strip("-") or "report"]
    if table.start is not None:
        parts.append(table.start.isoformat())
    if table.end is not None:
        parts.append(("to-" if table.start is None else "") + table.end.isoformat())
    return "-".join(parts) + "." + fmt


def chunks(table: Table, fmt: str) -> Iterator[bytes]:
    """The table as a file of the format (csv, xlsx or json), in byte chunks."""
    if fmt == "csv":
        return csv_chunks(table)
    if fmt == "xlsx":
        return xlsx_chunks(table)
    if fmt == "json":
        return json_chunks(table)
    raise ValueError(f"no export format {fmt!r}")


# --- machine values (CSV, JSON) ---------------------------------------------------------------


def plain_decimal(value: Decimal) -> str:
    """`1234.50`: fixed notation, at least two places (money), every stored place kept."""
    text = format(value if type(value) is Decimal else Decimal(str(value)), "f")
    dot = text.find(".")
    if dot < 0:  # 1234, 1E+3
        return text + ".00"
    return text + "0" if len(text) - dot == 2 else text  # 1234.5


def _percent(value: Any) -> str:
    return format(value if isinstance(value, Decimal) else Decimal(str(value)), "f")


def _day(value: Any) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()


# The kinds whose cells are written otherwise than `str(value)` (text, ints: as they are).
CSV_VALUE: dict[str, Callable[[Any], str]] = {"money": plain_decimal, "percent": _percent, "date": _day}


def csv_chunks(table: Table, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """RFC 4180 CSV in UTF-8: a header of column keys, then the rows; empty for None."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow([c.key for c in table.columns])
    convert = [(i, f) for i, c in enumerate(table.columns) if (f := CSV_VALUE.get(c.kind)) is not None]
    for row in table.rows:
        if convert:
            row = list(row)
            for i, f in convert:
                if row[i] is not None:
                    row[i] = f(row[i])
        out.writerow(row)  # None is written empty
        if buf.tell() >= chunk_size:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode()


def json_value(kind: Kind, value: Any) -> Any:
    """A cell as JSON: numbers for counts and quantities, decimal strings for money and
    percentages, ISO dates, text, null."""
    if value is None:
        return None
    if kind in ("int", "quantity"):
        return int(value)
    if kind in ("money", "percent"):
        return CSV_VALUE[kind](value)
    if kind == "date":
        return _day(value)
    return str(value)


def json_chunks(table: Table, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """`{name, title, start, end, columns, rows, totals}`, the rows as objects keyed by column
    key; written row by row, the totals after the rows."""
    head = {
        "name": table.name,
        "title": table.title,
        "start": table.start.isoformat() if table.start else None,
        "end": table.end.isoformat() if table.end else None,
        "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in table.columns],
    }
    cols = [(i, c.key, c.kind) for i, c in enumerate(table.columns)]
    parts: list[str] = [json.dumps(head, ensure_ascii=False)[:-1], ', "rows": [']
    size, first = 0, True
    for row in table.rows:
        item = json.dumps({k: json_value(kind, row[i]) for i, k, kind in cols}, ensure_ascii=False)
        parts.append(item if first else "," + item)
        first = False
        size += len(item)
        if size >= chunk_size:
            yield "".join(parts).encode()
            parts, size = [], 0
    totals = None
    if table.totals is not None:
        totals = {k: json_value(kind, table.totals[i]) for i, k, kind in cols if i < len(table.totals)}
    parts.append('], "totals": ' + json.dumps(totals, ensure_ascii=False) + "}")
    yield "".join(parts).encode()


class _TooMany(Exception):
    pass


def _counted(rows: Iterable[Sequence[Any]], counter: list[int], most: int) -> Iterator[Sequence[Any]]:
    """The rows as they pass, counted into `counter[0]`; more than `most` stops the file."""
    for row in rows:
        counter[0] += 1
        if counter[0] > most:
            raise _TooMany()
        yield row


# --- XLSX ---------------------------------------------------------------------------------------


def xlsx_chunks(
    table: Table, chunk_size: int = CHUNK, sheet_rows: int = EXCEL_ROWS, tmpdir: str | None = None
) -> Iterator[bytes]:
    """The workbook, written whole to a temporary file (XlsxWriter's constant_memory mode keeps one
    row in memory, the rest in its own temporary files), then read back in chunks. Everything is
    written in a private temporary folder, removed when the iteration ends, fails or is
    abandoned. Rows past a sheet's capacity (`sheet_rows`, Excel's 1,048,576) continue on another
    sheet with the same title and header."""
    work = tempfile.mkdtemp(prefix="dms-export-", dir=tmpdir)
    try:
        path = os.path.join(work, "report.xlsx")
        write_xlsx(table, path, sheet_rows=sheet_rows, tmpdir=work)
        with open(path, "rb") as f:
            while chunk := f.read(chunk_size):
                yield chunk
    finally:
        shutil.rmtree(work, ignore_errors=True)


def sheet_name(name: str, n: int = 1) -> str:
    base = SHEET_NAME.sub("-", name).strip("'") or "Report"
    suffix = f" ({n})" if n > 1 else ""
    return base[: 31 - len(suffix)] + suffix


def _shown_width(kind: Kind, value: Any) -> int:
    """About how many characters a cell shows in its number format."""
    if value is None:
        return 0
    if kind == "date":
        return 11
    if kind in ("money", "int", "quantity"):
        digits = len(str(abs(int(value))))
        commas = (digits - 2) // 2 if digits > 3 else 0  # Indian grouping: 1,23,45,678
        return digits + commas + (4 if kind == "money" else 0) + (1 if value < 0 else 0)
    if kind == "percent":
        return len(format(value, "f")) + 2
    return len(str(value))


class _Writer:
    """One workbook being written: its formats, the current sheet and the next row."""

    def __init__(self, table: Table, path: str, sheet_rows: int, tmpdir: str | None):
        self.table, self.sheet_rows = table, sheet_rows
        self.book = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "tmpdir": tmpdir,
                "strings_to_numbers": False,
                "strings_to_formulas": False,  # a name starting with "=" stays text
                "strings_to_urls": False,
            },
        )
        b = self.book
        self.title_format = b.add_format({"bold": True, "font_size": 13})
        self.header_format = b.add_format({"bold": True, "bottom": 1, "bg_color": "#DDE6F0"})
        self.formats: dict[tuple[str, bool, bool], Any] = {}
        for bold in (False, True):
            for negative in (False, True):
                extra = {"bold": True, "top": 1} if bold else {}
                self.formats["money", bold, negative] = b.add_format(
                    {"num_format": MONEY_NEGATIVE if negative else MONEY_FORMAT, **extra}
                )
                self.formats["count", bold, negative] = b.add_format(
                    {"num_format": COUNT_NEGATIVE if negative else COUNT_FORMAT, **extra}
                )
            self.formats["date", bold, False] = b.add_format({"num_format": DATE_FORMAT, **extra})
            self.formats["percent", bold, False] = b.add_format({"num_format": PERCENT_FORMAT, **extra})
            self.formats["text", bold, False] = b.add_format(extra) if bold else None
        self.kinds = [c.kind for c in table.columns]
        self.sheets = 0
        self.sheet: Any = None
        self.row = 0
        self.widths: list[float] = []
        self.cells = 0

    def _format(self, kind: Kind, value: Any, bold: bool) -> Any:
        if kind in ("money", "int", "quantity"):
            return self.formats["money" if kind == "money" else "count", bold, value < 0]
        return self.formats[kind if kind in ("date", "percent") else "text", bold, False]

    def new_sheet(self) -> None:
        self.sheets += 1
        t = self.table
        ws = self.book.add_worksheet(sheet_name(t.name, self.sheets))
        for i, width in enumerate(self.widths):  # constant_memory: columns before any cell
            ws.set_column(i, i, width)
        title = t.title
        if t.start or t.end:
            title += f" ({t.start.isoformat() if t.start else '…'} to {t.end.isoformat() if t.end else '…'})"
        ws.write_string(0, 0, title, self.title_format)
        for i, c in enumerate(t.columns):
            ws.write_string(1, i, c.title, self.header_format)
        ws.freeze_panes(2, 0)
        self.sheet, self.row = ws, 2

    def cell(self, col: int, value: Any, bold: bool = False) -> None:
        if value is None:
            return
        kind = self.kinds[col]
        ws, r = self.sheet, self.row
        if kind in ("money", "int", "quantity"):
            ws.write_number(r, col, float(value), self._format(kind, value, bold))
        elif kind == "percent":
            ws.write_number(r, col, float(Decimal(str(value)) / 100), self._format(kind, value, bold))
        elif kind == "date":
            day = value.date() if isinstance(value, datetime) else value
            ws.write_datetime(r, col, datetime(day.year, day.month, day.day), self._format(kind, value, bold))
        else:
            fmt = self._format(kind, value, bold)
            if fmt is None:
                ws.write_string(r, col, str(value))
            else:
                ws.write_string(r, col, str(value), fmt)

    def data_row(self, row: Sequence[Any]) -> None:
        # one row is kept for the totals; a full sheet continues on the next
        if self.row >= self.sheet_rows - 1:
            self.close_sheet()
            self.new_sheet()
        for i in range(len(self.kinds)):
            self.cell(i, row[i] if i < len(row) else None)
        self.row += 1
        self.cells += len(self.kinds)

    def close_sheet(self) -> None:
        last_col = len(self.kinds) - 1
        if last_col >= 0:
            self.sheet.autofilter(1, 0, max(1, self.row - 1), last_col)

    def totals(self, totals: Sequence[Any]) -> None:
        label_at = next((i for i, v in enumerate(totals) if v is None and self.kinds[i] == "text"), None)
        for i in range(len(self.kinds)):
            value = totals[i] if i < len(totals) else None
            if value is None and i == label_at and "Total" not in [str(v) for v in totals]:
                self.sheet.write_string(self.row, i, "Total", self.formats["text", True, False])
            else:
                self.cell(i, value, bold=True)
        self.row += 1


def _sized(table: Table, sample: list[Sequence[Any]]) -> list[float]:
    widths = []
    for i, c in enumerate(table.columns):
        shown = max([_shown_width(c.kind, r[i]) for r in sample if i < len(r)] or [0])
        if table.totals is not None and i < len(table.totals):
            shown = max(shown, _shown_width(c.kind, table.totals[i]))
        widths.append(float(min(MAX_WIDTH, max(shown, len(c.title), 6) + 2)))
    return widths


def write_xlsx(table: Table, path: str, sheet_rows: int = EXCEL_ROWS, tmpdir: str | None = None) -> int:
    """Write the workbook to `path`; returns the number of data rows written."""
    w = _Writer(table, path, max(sheet_rows, 4), tmpdir)
    rows = iter(table.rows)
    sample = list(islice(rows, WIDTH_SAMPLE))
    w.widths = _sized(table, sample)
    w.new_sheet()
    n = 0
    for row in sample:
        w.data_row(row)
        n += 1
    del sample
    for row in rows:
        w.data_row(row)
        n += 1
        if w.cells > ZIP64_CELLS and not w.book.allow_zip64:
            w.book.use_zip64()
    w.close_sheet()
    if table.totals is not None:
        w.totals(table.totals)
    w.book.close()
    return n


def export_bytes(table: Table, fmt: str, max_bytes: int, max_rows: int) -> tuple[bytes, int] | None:
    """The whole file (a chat attachment) and its number of rows; None when it would have more
    than `max_rows` rows or `max_bytes` bytes (nothing is kept then)."""
    counted = [0]
    rows = _counted(table.rows, counted, max_rows)
    shown = Table(table.name, table.title, table.columns, rows, table.totals, table.start, table.end)
    out = io.BytesIO()
    try:
        for chunk in chunks(shown, fmt):
            out.write(chunk)
            if out.tell() > max_bytes:
                return None
    except _TooMany:
        return None
    return out.getvalue(), counted[0]
