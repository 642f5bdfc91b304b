"""SQL pieces the catalogue's reports share: a set of codes as an inline IN list, a timestamp's
day in the business's time zone, a date's week or month, sorting pushed into the database, and a
period (and the one before it) in words."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session

from .settings import business_tz

GRAINS = ("day", "week", "month")


def among(column: Any, values: Iterable[str], name: str) -> sa.ColumnElement[bool]:
    """`column IN (values)` with the values inlined as literals, so a scope of tens of thousands
    of customers meets no bound-parameter limit."""
    return cast(
        sa.ColumnElement[bool], column.in_(sa.bindparam(name, sorted(values), expanding=True, literal_execute=True))
    )


def day_start(d: date) -> datetime:
    """The first moment of a day in the business's time zone (compared with UTC columns)."""
    return datetime.combine(d, time.min, business_tz())


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percentage, 2 places half-up; None when the whole is zero."""
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- a timestamp's local day ------------------------------------------------------------------


def local_day(session: Session, column: Any) -> sa.ColumnElement[Any]:
    """The grouping key for a UTC timestamp's day in the business's time zone. PostgreSQL converts
    the column itself (the key is the date); SQLite knows no time zones, so the key is the UTC
    quarter hour (every zone's offset and change falls on one) and `local_date` reads the day."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.timezone(str(business_tz()), sa.func.timezone("UTC", column)), sa.Date)
    minute = sa.cast(sa.func.strftime("%M", column), sa.Integer)
    return sa.func.strftime("%Y-%m-%d %H:", column) + sa.cast(minute - minute % 15, sa.String)


def local_date(key: Any) -> date:
    """The local day of a `local_day` key."""
    if isinstance(key, datetime):
        return key.date()
    if isinstance(key, date):
        return key
    return datetime.strptime(cast(str, key), "%Y-%m-%d %H:%M").replace(tzinfo=UTC).astimezone(business_tz()).date()


# --- a date's period -------------------------------------------------------------------------


def date_period(session: Session, column: Any, grain: str) -> sa.ColumnElement[date]:
    """The first day of a date column's day, week (Monday) or month, computed by the database."""
    if grain not in GRAINS:
        raise ValueError(f"no period {grain!r}")
    if grain == "day":
        return cast(sa.ColumnElement[date], column)
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc(grain, column), sa.Date)  # PostgreSQL's weeks start on Monday
    if grain == "week":  # the Sunday on or after the day, less six days
        return sa.type_coerce(sa.func.date(column, "weekday 0", "-6 days"), sa.Date)
    return sa.type_coerce(sa.func.strftime("%Y-%m-01", column), sa.Date)


def period_label(first: date, grain: str) -> tuple[str, str]:
    """(key, label) of the period starting on `first`: a day, a week of Monday `first`, a month."""
    if grain == "day":
        return first.isoformat(), first.isoformat()
    if grain == "week":
        return first.isoformat(), f"week of {first.isoformat()}"
    return first.strftime("%Y-%m"), first.strftime("%B %Y")


# --- periods in words ------------------------------------------------------------------------


def month_to_date(today: date, start: date | None, end: date | None) -> tuple[date, date]:
    """A period that must have both ends: as given, else from the 1st of the end's month to the end
    (the end defaulting to today)."""
    end = end or today
    start = start or end.replace(day=1)
    return start, end


def period_words(start: date | None, end: date | None) -> str:
    """'2026-11-01 to 2026-11-20', 'on 2026-11-20', 'since …', 'up to …'; '' for all time."""
    if start and end:
        return f"on {start}" if start == end else f"{start} to {end}"
    if start:
        return f"since {start}"
    if end:
        return f"up to {end}"
    return ""


def title(what: str, start: date | None, end: date | None, words: Sequence[str] = ()) -> str:
    """A report's title: what it is, its period and its filters ('Orders by day, 2026-11-01 to
    2026-11-20, for customers of X, status confirmed')."""
    parts = [what]
    period = period_words(start, end)
    if period:
        parts.append(period)
    if words:
        parts.append("for " + ", ".join(words))
    return ", ".join(parts)


# --- sorting in the database -----------------------------------------------------------------


def sql_order(
    sort: str | None, sortable: Mapping[str, Any], natural: Sequence[Any]
) -> tuple[list[sa.ColumnElement[Any]], bool]:
    """ORDER BY clauses for `sort` ("key" or "-key") and whether a limit may be taken in SQL too:
    only when the sort is by a column the database orders as the catalogue does (text, whole
    numbers, dates; never money, which SQLite holds as text). Nulls go last either way, then the
    report's natural order breaks ties. Otherwise the natural order, and the catalogue sorts."""
    if not sort:
        return [*natural], True
    key = sort.lstrip("-")
    column = sortable.get(key)
    if column is None:
        return [*natural], False
    first = column.desc() if sort.startswith("-") else column.asc()
    return [first.nulls_last(), *natural], True


def sorted_rows(
    session: Session,
    stmt: sa.Select[*tuple[Any, ...]],
    sort: str | None,
    limit: int | None,
    sortable: dict[str, Any],
    natural: list[Any],
) -> list[Any]:
    """The statement's rows in the asked order, limited in the database where it can order them
    (`core.report_sql.sql_order`); else in the natural order, all of them, for the catalogue to sort."""
    order, pushed = sql_order(sort, sortable, natural)
    stmt = stmt.order_by(*order)
    if pushed and limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).all())
