"""Running catalogue reports as a user of the sample world, and what the tests compare them with:
rows read with plain queries, figures computed here in Python, independently of the core."""

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import Session

from core.access import load_actor
from core.clock import Clock
from core.errors import DomainError
from core.report_catalog import ReportQuery, run_report

TZ = ZoneInfo("Asia/Kolkata")
CENT = Decimal("0.01")
# The sample world's scopes, read off its CSV files by hand (users.csv, customers.csv, beats.csv).
REP_1_CUSTOMERS = {"R-101", "R-103", "R-106"}  # BLR-N and MYS, beats BLRN-MON and MYS-THU
REP_2_CUSTOMERS = {"R-102", "R-104", "R-107"}  # BLR-S, beat BLRS-TUE
D_BLR_CUSTOMERS = {"D-BLR", "R-101", "R-102", "R-103", "R-104", "R-106", "R-107"}
KA_CUSTOMERS = D_BLR_CUSTOMERS
TN_CUSTOMERS = {"D-CHN", "R-105"}


def clock_at(day: date, hour: int = 10, minute: int = 30) -> Clock:
    return Clock(TZ, datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ))


def report(engine, user: str, clock: Clock, name: str, **q):
    """The report as a dict: columns (keys), rows (tuples), totals, title."""
    with Session(engine) as s:
        t = run_report(s, load_actor(s, user, "test"), clock, name, ReportQuery(**q))
        return {
            "columns": [c.key for c in t.columns],
            "kinds": [c.kind for c in t.columns],
            "rows": [tuple(r) for r in t.rows],
            "totals": None if t.totals is None else tuple(t.totals),
            "title": t.title,
        }


def keyed(result: dict, key: str, value: str) -> dict:
    """{row[key]: row[value]} of a report result."""
    i, j = result["columns"].index(key), result["columns"].index(value)
    return {r[i]: r[j] for r in result["rows"]}


def column(result: dict, key: str) -> list:
    i = result["columns"].index(key)
    return [r[i] for r in result["rows"]]


def refusal(engine, user: str, clock: Clock, name: str, given: str, **q) -> tuple[str, str]:
    """What a caller sees of the error a report raises (its code, which the API maps to a status,
    and its words), with the text the caller gave replaced: what a refusal of a thing out of scope
    and of one that does not exist must share (`OutOfScope` is a `NotFound` with its code)."""
    with pytest.raises(DomainError) as e:
        report(engine, user, clock, name, **q)
    return e.value.code, str(e.value).replace(given, "<given>")


def same_refusal(engine, user: str, clock: Clock, name: str, field: str, out_of_scope: str, unknown: str) -> None:
    a = refusal(engine, user, clock, name, out_of_scope, **{field: out_of_scope})
    b = refusal(engine, user, clock, name, unknown, **{field: unknown})
    assert a == b, f"{name}: {field}={out_of_scope!r} (out of scope) and {unknown!r} (unknown) differ: {a} / {b}"


def rows_of(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def dec(value) -> Decimal:
    return Decimal(str(value))


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def local_day(at: datetime | str) -> date:
    """A stored UTC timestamp's day in the business's time zone."""
    if isinstance(at, str):  # SQLite hands back the text
        at = datetime.fromisoformat(at)
    return at.replace(tzinfo=ZoneInfo("UTC")).astimezone(TZ).date()


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]
