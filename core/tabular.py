"""A report as a table: typed columns and rows. One shape for every reader of a report: the
REST API (JSON, CSV, XLSX), files sent from chat, and the dashboard."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

# What a column holds, so each format can type its cells: text (str), int, money (Decimal,
# 2 places), quantity (int, base units), date, percent (Decimal, e.g. 12.5 for 12.5%).
Kind = Literal["text", "int", "money", "quantity", "date", "percent"]


@dataclass(frozen=True)
class Column:
    key: str  # machine name: JSON key and CSV header
    title: str  # the header a person reads (XLSX, chat)
    kind: Kind = "text"


@dataclass
class Table:
    """A report's result. `rows` hold plain values in the columns' order (str, int, Decimal,
    date, or None); they may be a generator streaming from an open session, so iterate once."""

    name: str  # the report's name in the catalogue ("sales")
    title: str  # what it is, with its period and filters in words
    columns: tuple[Column, ...]
    rows: Iterable[Sequence[Any]]
    totals: Sequence[Any] | None = None  # a totals row in the columns' order (None where not summed)
    start: date | None = None
    end: date | None = None
