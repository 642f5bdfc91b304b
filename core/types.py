"""Column types: money as exact decimals on every database, summable in SQL; typed access to a
model's table."""

import sqlite3
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, DateTime, Dialect, Numeric, Result, String, Table, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.type_api import _ResultProcessorType
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Column, Field, SQLModel

CENT = Decimal("0.01")
T = TypeVar("T")


def money(value: Decimal | int | float | str) -> Decimal:
    """Round half-up to 2 places (rules.md: at each line)."""
    return (value if type(value) is Decimal else Decimal(value)).quantize(CENT, ROUND_HALF_UP)


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


class Money(TypeDecorator[Decimal]):
    """Money, exact on every database and summable in SQL (`money_sum`).

    PostgreSQL: NUMERIC without a fixed scale, so every stored amount (imports allow 4 places,
    amounts up to 10^15, line totals beyond) keeps its digits and SUM is exact. SQLite has no
    exact decimal (its NUMERIC is a binary float), so there it stays canonical decimal text and
    `money_sum` is an exact aggregate registered on every SQLite connection. Python sees Decimal.
    """

    impl = String(40)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(String(40))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Decimal | str | None:
        if value is None:
            return None
        return Decimal(value) if dialect.name == "postgresql" else str(Decimal(value))

    def process_result_value(self, value: object, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(cast(str | Decimal, value))

    def result_processor(self, dialect: Dialect, coltype: object) -> _ResultProcessorType[Decimal] | None:
        if dialect.name == "postgresql":
            return None  # its driver hands NUMERIC over as Decimal: no call per value (reports read many)
        return super().result_processor(dialect, coltype)


class money_sum(FunctionElement[Decimal]):  # noqa: N801  (an SQL function, named as SQL names them)
    """SUM of a Money column, exact on every database; NULL over no rows."""

    type = Money()
    name = "money_sum"
    inherit_cache = True


@compiles(money_sum)
def _sum_sql(element: money_sum, compiler: SQLCompiler, **kw: Any) -> str:
    return f"sum({compiler.process(element.clauses, **kw)})"


@compiles(money_sum, "sqlite")
def _sum_sqlite(element: money_sum, compiler: SQLCompiler, **kw: Any) -> str:
    return f"dms_money_sum({compiler.process(element.clauses, **kw)})"


class money_owed(FunctionElement[Decimal]):  # noqa: N801  (an SQL function, named as SQL names them)
    """What is left of `amount` after `paid`, rounded as `money` rounds; NULL unless positive (so
    `money_sum` over it adds up what is still owed). Exact on every database."""

    type = Money()
    name = "money_owed"
    inherit_cache = True


@compiles(money_owed)
def _owed_sql(element: money_owed, compiler: SQLCompiler, **kw: Any) -> str:
    amount, paid = (compiler.process(c, **kw) for c in element.clauses)
    left = f"round({amount} - {paid}, 2)"  # PostgreSQL rounds NUMERIC ties away from zero, as ROUND_HALF_UP
    return f"CASE WHEN {left} > 0 THEN {left} END"


@compiles(money_owed, "sqlite")
def _owed_sqlite(element: money_owed, compiler: SQLCompiler, **kw: Any) -> str:
    return f"dms_money_owed({compiler.process(element.clauses, **kw)})"


def _owed(amount: str | None, paid: str | None) -> str | None:
    """SQLite's money_owed: on the decimal texts, in Decimal."""
    if amount is None or paid is None:
        return None
    left = money(Decimal(amount) - Decimal(paid))
    return str(left) if left > 0 else None


class _ExactSum:
    """SQLite aggregate: the Decimal sum of decimal texts, as text (what Python summed before)."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: str | None) -> None:
        if value is not None:
            self.total = (self.total or Decimal(0)) + Decimal(value)

    def finalize(self) -> str | None:
        return None if self.total is None else str(self.total)


@event.listens_for(Engine, "connect")
def _register_money_functions(dbapi_conn: object, _: object) -> None:
    # every engine, whoever builds it (the CLI, tests, Alembic), so money_sum works everywhere
    if isinstance(dbapi_conn, sqlite3.Connection):
        dbapi_conn.create_aggregate("dms_money_sum", 1, cast(Any, _ExactSum))
        dbapi_conn.create_function("dms_money_owed", 2, _owed, deterministic=True)


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
