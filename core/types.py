"""Column types: money as exact decimals on every database; typed access to a model's table."""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, DateTime, Dialect, Result, String, Table, inspect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Column, Field, SQLModel

CENT = Decimal("0.01")
T = TypeVar("T")


def money(value: Decimal | int | float | str) -> Decimal:
    """Round half-up to 2 places (rules.md: at each line)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal stored as canonical text, so SQLite never turns it into a float.

    Sums are done in Python over Decimals, never in SQL.
    """

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(Decimal(value))

    def process_result_value(self, value: object, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(cast(str, value))


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as naive UTC on every database, returned aware (UTC).

    Naive values are refused: every moment in the product comes from the clock, with a zone.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: object, dialect: Dialect) -> datetime | None:
        return None if value is None else cast(datetime, value).replace(tzinfo=UTC)


def timestamp(nullable: bool = False, index: bool = False, default: datetime | None = None) -> Any:
    """A Field for an aware timestamp column (`Any`, like sqlmodel's `Field`, so it types as the attribute)."""
    return Field(default=default, sa_column=Column(UtcDateTime, nullable=nullable, index=index))


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Table: SQLModel sets `__table__` on `table=True` classes but does not declare it."""
    return cast(Table, inspect(model).local_table)


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE matched: `Session.execute` is typed as returning a `Result`,
    which has no `rowcount`; for those statements it is a `CursorResult`, which has."""
    return cast(CursorResult[*tuple[Any, ...]], result).rowcount


def must_exist(row: T | None, what: str) -> T:
    """A row the data guarantees (an order's customer, a row just read or locked). Missing, the
    data is broken: a plain error, never a DomainError (that would tell the user it was their
    mistake), as the attribute access on None was before the code was typed."""
    if row is None:
        raise LookupError(f"{what} is missing")
    return row
