"""Benchmark: the catalogue's reports (`core.report_catalog.run_report`) against hand-written SQL
of the same rows.

    .venv/bin/python benchmarks/reports.py [--skus 1000 --customers 5000 --history-lines 100000]
        [--seed 1] [--runs 20] [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--keep]
    .venv/bin/python benchmarks/reports.py --url postgresql://postgres@127.0.0.1:5432/dms_bench_x

It generates a world (`evals.worldgen`, as `dms world generate`), imports it into a fresh
PostgreSQL database of its own (dropped at the end unless --keep; --url reuses a database
already imported), runs VACUUM ANALYZE (what autovacuum does to a live database: statistics,
and the visibility map that index-only scans need), then times each case of CASES as the
catalogue computes it, as the admin and as the first manager (each call in its own session,
the actor loaded inside the timing), and its hand-written SQL, alternately, --runs times
after one warm-up. It prints p50 and p95 in milliseconds, the ratio of the p95s, and `same`
when both give the same rows (every column, money to the paisa).

A new report is timed by adding a Case: the catalogue's name and query, and SQL giving the
report's rows (its columns in order) and totals (a row keyed NULL), with SCOPE(column) wherever
the manager's scope narrows a column of customer codes (TRUE for the admin).
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
import sqlalchemy as sa
from sqlmodel import Session

from core.access import load_actor
from core.clock import Clock
from core.db import make_engine
from core.report_catalog import REPORTS, ReportQuery, run_report
from core.types import money
from core.world import import_world
from evals.worldgen import generate_world
from migrations import upgrade

TZ = ZoneInfo("Asia/Kolkata")
TODAY = date(2026, 11, 20)
CLOCK = Clock(TZ, datetime(2026, 11, 20, 10, 30, tzinfo=TZ))
MONTH = (date(2026, 10, 1), date(2026, 10, 31))  # the last whole month of the generated history
SOLD = "o.status IN ('confirmed', 'dispatched', 'delivered')"
IN_MONTH = "o.created_at >= :a AND o.created_at < :b"
LOCAL = "((o.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata')"
LINES = "orders o JOIN order_line l ON l.order_no = o.order_no"
SOLD_IN_MONTH = f"{SOLD} AND {IN_MONTH} AND SCOPE(o.customer)"


@dataclass(frozen=True)
class Case:
    label: str
    report: str  # its name in core.report_catalog.REPORTS
    query: ReportQuery
    sql: str  # the report's rows and totals (a row keyed NULL), hand-written; SCOPE(column) as below


def _sales(by: str | None, sql: str, month: bool = True) -> Case:
    span = dict(start=MONTH[0], end=MONTH[1]) if month else {}
    label = ("month" if month else "year") + (f" by {by}" if by else "")
    return Case(label, "sales", ReportQuery(by=by, **span), sql)


def _sums(key: str | None, lines: bool = False) -> str:
    """A sales row's figures: orders, net, tax, total, and the net's share of all the groups' net
    (the totals row's of its own) when grouped by `key`."""
    orders, amount, tax = (
        ("count(DISTINCT o.order_no)", "l.line_total", "l.tax") if lines else ("count(*)", "o.total", "o.tax")
    )
    net = f"sum({amount}) - sum({tax})"
    whole = f"sum({net}) OVER (PARTITION BY GROUPING({key}))" if key else net
    return f"{orders}, {net}, sum({tax}), sum({amount}), round(100 * ({net}) / NULLIF({whole}, 0), 2)"


def _by(keys: str, order: str = "6 DESC, 1") -> str:
    """The groups and the totals row (its key NULL), as the report shows both, in its order (sales:
    the largest total first)."""
    return f"GROUP BY GROUPING SETS (({keys}), ()) ORDER BY {order}"


# grouped by the local day or month, formatted as the report keys and names them
DAY, MONTH_START = f"CAST({LOCAL} AS date)", f"date_trunc('month', {LOCAL})"
DAY_KEY, MONTH_KEY, MONTH_NAME = (
    f"to_char({DAY}, 'YYYY-MM-DD')",
    f"to_char({MONTH_START}, 'YYYY-MM')",
    f"to_char({MONTH_START}, 'FMMonth YYYY')",
)
CASES = [
    _sales(None, f"SELECT 'all', 'All sales', {_sums(None)} FROM orders o WHERE {SOLD_IN_MONTH}"),
    _sales(
        "customer",
        f"SELECT o.customer, c.name, {_sums('o.customer')} FROM orders o LEFT JOIN customer c ON c.code = o.customer "
        f"WHERE {SOLD_IN_MONTH} {_by('o.customer, c.name')}",
    ),
    _sales(
        "region",
        f"SELECT c.region, r.name, {_sums('c.region')} FROM orders o JOIN customer c ON c.code = o.customer "
        f"JOIN region r ON r.code = c.region WHERE {SOLD_IN_MONTH} {_by('c.region, r.name')}",
    ),
    _sales(
        "sku",
        f"SELECT l.sku, s.name, {_sums('l.sku', lines=True)} FROM {LINES} LEFT JOIN sku s ON s.code = l.sku "
        f"WHERE {SOLD_IN_MONTH} {_by('l.sku, s.name')}",
    ),
    _sales(
        "brand",
        f"SELECT p.brand, b.name, {_sums('p.brand', lines=True)} FROM {LINES} JOIN sku s ON s.code = l.sku "
        f"JOIN product p ON p.code = s.product JOIN brand b ON b.code = p.brand "
        f"WHERE {SOLD_IN_MONTH} {_by('p.brand, b.name')}",
    ),
    _sales("day", f"SELECT {DAY_KEY}, {DAY_KEY}, {_sums(DAY)} FROM orders o WHERE {SOLD_IN_MONTH} {_by(DAY)}"),
    _sales(
        "month",
        f"SELECT {MONTH_KEY}, {MONTH_NAME}, {_sums(MONTH_START)} FROM orders o WHERE {SOLD} AND SCOPE(o.customer) {_by(MONTH_START)}",
        month=False,
    ),
    Case(
        "orders by status",
        "orders",
        ReportQuery(),
        # a handful of groups: their totals added up after, not by GROUPING SETS over every order
        "WITH g AS (SELECT o.status, count(*) AS n, sum(o.total) AS t FROM orders o WHERE SCOPE(o.customer) "
        "GROUP BY o.status) SELECT * FROM g UNION ALL SELECT NULL, sum(n), sum(t) FROM g ORDER BY 1",
    ),
]


def _aged(day: str) -> list[str]:
    """The ageing buckets (core.payments.ageing_bucket) as conditions on a due date."""
    return [
        f"{day} >= :t0",
        *(f"{day} < :t{a} AND {day} >= :t{b}" for a, b in ((0, 30), (30, 60), (60, 90))),
        f"{day} < :t90",
    ]


B = range(5)
OUTSTANDING = f"""
WITH opened AS (
  SELECT coalesce(CAST((max(at) AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata' AS date), :t0) AS day
  FROM audit_entry WHERE action = 'world.import'),
live AS (SELECT customer, sum(total) AS t FROM orders
  WHERE status IN ('pending_approval', 'confirmed', 'dispatched', 'delivered') AND SCOPE(customer) GROUP BY customer),
paid AS (SELECT customer, sum(amount) AS p FROM payment WHERE SCOPE(customer) GROUP BY customer),
aged AS (SELECT customer, {", ".join(f"sum(owed) FILTER (WHERE {c}) AS a{i}" for i, c in enumerate(_aged("due_date")))}
  FROM (SELECT customer, due_date, round(amount - paid, 2) AS owed FROM invoice WHERE SCOPE(customer)) i
  WHERE owed > 0 GROUP BY customer),
base AS (
  SELECT c.code, c.name, c.credit_limit, round(c.opening_balance + coalesce(l.t, 0) - coalesce(p.p, 0), 2) AS owed,
    round(c.opening_balance - c.opening_paid, 2) AS opening, {", ".join(f"coalesce(a.a{i}, 0) AS a{i}" for i in B)},
    {", ".join(f"({c}) AS o{i}" for i, c in enumerate(_aged("o.day")))}
  FROM customer c CROSS JOIN opened o LEFT JOIN live l ON l.customer = c.code LEFT JOIN paid p ON p.customer = c.code
  LEFT JOIN aged a ON a.customer = c.code WHERE SCOPE(c.code)),
report AS (
  SELECT code, name, credit_limit, owed, opening + {" + ".join(f"a{i}" for i in B)} AS unpaid,
    {", ".join(f"a{i} + CASE WHEN opening > 0 AND o{i} THEN opening ELSE 0 END AS b{i}" for i in B)}
  FROM base),
shown AS (SELECT *, b1 + b2 + b3 + b4 AS overdue FROM report WHERE owed <> 0 OR unpaid <> 0)
SELECT code, name, credit_limit, owed, unpaid, {", ".join(f"b{i}" for i in B)}, overdue FROM shown
UNION ALL
SELECT NULL, NULL, NULL, sum(owed), sum(unpaid), {", ".join(f"sum(b{i})" for i in B)}, sum(overdue) FROM shown
ORDER BY 1
"""
CASES += [
    Case("outstanding", "outstanding", ReportQuery(), OUTSTANDING),
    Case(
        "collections by customer",
        "collections",
        ReportQuery(by="customer", start=MONTH[0], end=MONTH[1]),
        "SELECT p.customer, coalesce(c.name, p.customer), count(*), sum(p.amount) FROM payment p "
        "LEFT JOIN customer c ON c.code = p.customer WHERE p.paid_on >= :d0 AND p.paid_on <= :d1 "
        "AND SCOPE(p.customer) GROUP BY GROUPING SETS ((p.customer, c.name), ()) ORDER BY 1",
    ),
]
TOTALS = "(totals)"  # the key the totals row is compared under
# SCOPE(column) in a case's SQL: the manager's customers (those of their regions), nothing for the admin
MANAGER = r"\1 IN (SELECT code FROM customer WHERE region = ANY(:regions))"


def _row(cells: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(money(c) if isinstance(c, Decimal) else c for c in cells)


def _numbers(cells: Sequence[Any]) -> tuple[Any, ...]:
    """A totals row's figures (its label apart)."""
    return _row([c for c in cells if isinstance(c, int | Decimal)])


def core_rows(session: Session, user: str, case: Case) -> dict[Any, tuple[Any, ...]]:
    actor = load_actor(session, user)
    table = run_report(session, actor, CLOCK, case.report, case.query)
    out = {r[0]: _row(r[1:]) for r in table.rows}
    out[TOTALS] = _numbers(table.totals or ())
    return out


def hand_rows(session: Session, sql: str, params: dict[str, Any]) -> dict[Any, tuple[Any, ...]]:
    rows = session.execute(sa.text(sql), params).all()
    out = {r[0]: _row(r[1:]) for r in rows if r[0] is not None}
    totals = [r for r in rows if r[0] is None] or rows  # a report of one row is its own total
    out[TOTALS] = _numbers(totals[0]) if totals else ()
    return out


def timed(engine: sa.Engine, fn: Callable[[Session], dict[Any, Any]]) -> tuple[float, dict[Any, Any]]:
    with Session(engine) as session:
        t0 = time.perf_counter()
        out = fn(session)
        ms = (time.perf_counter() - t0) * 1000
        session.rollback()
    return ms, out


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def compare(
    engine: sa.Engine, runs: int, core: Callable[[Session], dict[Any, Any]], hand: Callable[[Session], dict[Any, Any]]
) -> str:
    """Both, alternately, `runs` times after a warm-up: the timings and whether the rows agree."""
    core_ms: list[float] = []
    hand_ms: list[float] = []
    timed(engine, core), timed(engine, hand)  # warm caches and plans
    for _ in range(runs):
        ms, mine = timed(engine, core)
        core_ms.append(ms)
        ms, theirs = timed(engine, hand)
        hand_ms.append(ms)
    rows = len(mine) - 1
    same = f"same ({rows})" if mine == theirs else f"DIFFER ({rows} vs {len(theirs) - 1} rows)"
    return (
        f"{statistics.median(core_ms):>10.1f}{p95(core_ms):>9.1f}"
        f"{statistics.median(hand_ms):>10.1f}{p95(hand_ms):>9.1f}{p95(core_ms) / p95(hand_ms):>10.2f}x  {same}"
    )


def _load() -> None:
    """The machine's load: other work on it slows both sides of every case."""
    print("load average (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def run(engine: sa.Engine, runs: int, only: str | None = None) -> None:
    with Session(engine) as session:
        manager = session.execute(sa.text("SELECT id FROM \"user\" WHERE role = 'manager' ORDER BY id LIMIT 1")).one()
        counts = session.execute(
            sa.text("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_line)")
        ).one()
        regions = sorted(load_actor(session, manager.id).regions)
    print(f"\ndatabase: {counts[0]} orders, {counts[1]} order lines; month {MONTH[0]}..{MONTH[1]}; {runs} runs each")
    _load()
    params = {
        "a": datetime.combine(MONTH[0], datetime.min.time(), TZ),
        "b": datetime.combine(MONTH[1] + timedelta(days=1), datetime.min.time(), TZ),
        **{f"t{d}": TODAY - timedelta(days=d) for d in (0, 30, 60, 90)},
        "regions": regions,
        "d0": MONTH[0],
        "d1": MONTH[1],
    }
    print(f"{'report':<36}{'core p50':>10}{'p95':>9}{'SQL p50':>10}{'p95':>9}{'ratio p95':>11}  rows")
    for who, user in (("admin", "U-ADM-1"), ("manager", manager.id)):
        for case in CASES:
            label = f"{who}: {case.label}"
            if only and only not in label or case.report not in REPORTS:
                continue  # not asked for, or not in this version's catalogue
            sql = re.sub(r"SCOPE\(([\w.]+)\)", "TRUE" if who == "admin" else MANAGER, case.sql)
            line = compare(
                engine,
                runs,
                lambda s, u=user, c=case: core_rows(s, u, c),
                lambda s, q=sql: hand_rows(s, q, params),
            )
            print(f"{label:<36}{line}", flush=True)
    _load()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skus", type=int, default=1000)
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--history-lines", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="an admin connection")
    ap.add_argument("--url", help="a database already holding a generated world (nothing generated or dropped)")
    ap.add_argument("--keep", action="store_true", help="keep the database (its URL is printed) for --url")
    ap.add_argument("--only", help="only the cases whose 'role: report' contains this")
    args = ap.parse_args()
    if args.url:
        upgrade(args.url)
        engine = make_engine(args.url)
        _vacuum(engine)
        run(engine, args.runs, args.only)
        return
    name = f"dms_bench_{uuid.uuid4().hex[:8]}"
    url = args.pg.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        made = fill_world(url, args)
        print(
            f"world: {args.skus} SKUs, {args.customers} customers, {args.history_lines} history lines, "
            f"seed {args.seed}: generated in {made['generated']:.1f} s, imported in {made['imported']:.1f} s"
        )
        engine = make_engine(url)
        run(engine, args.runs, args.only)
        engine.dispose()
    finally:
        if args.keep:
            print(f"kept: --url {url}")
        else:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill_world(url: str, args: argparse.Namespace) -> dict[str, float]:
    """The empty database at `url` migrated and holding a world generated as `args` say (the
    benchmarks' one world: --skus, --customers, --history-lines, --seed), vacuumed and analysed;
    the seconds it took to generate and to import."""
    with tempfile.TemporaryDirectory(prefix="dms-bench-") as tmp:
        t0 = time.perf_counter()
        generate_world(
            Path(tmp),
            skus=args.skus,
            customers=args.customers,
            history_lines=args.history_lines,
            seed=args.seed,
            today=TODAY,
        )
        t1 = time.perf_counter()
        upgrade(url)
        engine = make_engine(url)
        import_world(engine, Path(tmp), clock=CLOCK)
        t2 = time.perf_counter()
    _vacuum(engine)
    engine.dispose()
    return {"generated": t1 - t0, "imported": t2 - t1}


def _vacuum(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
