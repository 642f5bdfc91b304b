"""Benchmark: the sales and order-summary reports against hand-written SQL of the same figures.

    .venv/bin/python benchmarks/reports.py [--skus 1000 --customers 5000 --history-lines 100000]
        [--seed 1] [--runs 20] [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--keep]
    .venv/bin/python benchmarks/reports.py --url postgresql://postgres@127.0.0.1:5432/dms_bench_x

It generates a world (`evals.worldgen`, as `dms world generate`), imports it into a fresh
PostgreSQL database of its own (dropped at the end unless --keep; --url reuses a database
already imported), then times each report as the core computes it (`core.reports`, as an admin
and as a manager, in a read-only transaction) and a hand-written SQL query of the same figures,
in the same run, alternating. It prints p50 and p95 in milliseconds, their ratio, and whether
the figures agree to the paisa. `python (old)` is the way the reports worked before: every
order loaded, summed in Python.
"""

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
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
from core.orders import SALES_STATUSES, list_orders
from core.reports import order_summary, sales
from core.types import money
from core.world import import_world
from evals.worldgen import generate_world
from migrations import upgrade

TZ = ZoneInfo("Asia/Kolkata")
TODAY = date(2026, 11, 20)
CLOCK = Clock(TZ, datetime(2026, 11, 20, 10, 30, tzinfo=TZ))
MONTH = (date(2026, 10, 1), date(2026, 10, 31))  # the last whole month of the generated history
SOLD = "status IN ('confirmed', 'dispatched', 'delivered')"
IN_MONTH = "o.created_at >= :a AND o.created_at < :b"
LOCAL = "(o.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata'"

# name -> (core report call, hand-written SQL, how to read the hand-written rows as (key, total))
HAND = {
    "month": f"SELECT 'all', count(*), sum(total), sum(total) - sum(tax) FROM orders o WHERE {SOLD} AND {IN_MONTH}",
    "month by customer": f"SELECT customer, count(*), sum(total), sum(total) - sum(tax) FROM orders o "
    f"WHERE {SOLD} AND {IN_MONTH} GROUP BY customer",
    "month by region": f"SELECT c.region, count(*), sum(o.total), sum(o.total) - sum(o.tax) FROM orders o "
    f"JOIN customer c ON c.code = o.customer WHERE o.{SOLD} AND {IN_MONTH} GROUP BY c.region",
    "month by sku": f"SELECT l.sku, count(DISTINCT o.order_no), sum(l.line_total), sum(l.line_total) - sum(l.tax) "
    f"FROM orders o JOIN order_line l ON l.order_no = o.order_no WHERE o.{SOLD} AND {IN_MONTH} GROUP BY l.sku",
    "month by brand": f"SELECT p.brand, count(DISTINCT o.order_no), sum(l.line_total), sum(l.line_total) - sum(l.tax) "
    f"FROM orders o JOIN order_line l ON l.order_no = o.order_no JOIN sku s ON s.code = l.sku "
    f"JOIN product p ON p.code = s.product WHERE o.{SOLD} AND {IN_MONTH} GROUP BY p.brand",
    "month by day": f"SELECT CAST({LOCAL} AS date), count(*), sum(total), sum(total) - sum(tax) FROM orders o "
    f"WHERE {SOLD} AND {IN_MONTH} GROUP BY 1",
    "year by month": f"SELECT CAST(date_trunc('month', {LOCAL}) AS date), count(*), sum(total), "
    f"sum(total) - sum(tax) FROM orders o WHERE {SOLD} GROUP BY 1",
    "order summary": "SELECT status, count(*), sum(total), 0 FROM orders o GROUP BY status",
}
# the manager's scope: the customers of the manager's regions (what visible_customer_codes gives)
MANAGER_HAND = (
    f"SELECT 'all', count(*), sum(o.total), sum(o.total) - sum(o.tax) FROM orders o "
    f"JOIN customer c ON c.code = o.customer WHERE c.region = ANY(:regions) AND o.{SOLD} AND {IN_MONTH}"
)


def _bounds() -> dict[str, datetime]:
    return {
        "a": datetime.combine(MONTH[0], datetime.min.time(), TZ),
        "b": datetime.combine(MONTH[1] + timedelta(days=1), datetime.min.time(), TZ),
    }


def core_figures(session: Session, user: str, name: str) -> dict[str, Decimal]:
    actor = load_actor(session, user)
    if name == "order summary":
        s = order_summary(session, actor)
        return {"all": s.total, "count": Decimal(s.count)}
    if name == "year by month":
        r = sales(session, actor, None, None, by="month")
    else:
        by = name.removeprefix("month").removeprefix(" by ").strip() or None
        r = sales(session, actor, *MONTH, by=by)
    if by_rows := r.rows:
        return {str(row.key): row.total for row in by_rows}
    return {"all": r.total, "count": Decimal(r.orders)}


def old_figures(session: Session, user: str) -> dict[str, Decimal]:
    """The month's sales as the reports computed them before: every order loaded into Python."""
    actor = load_actor(session, user)
    orders = list_orders(session, actor, statuses=list(SALES_STATUSES), start=MONTH[0], end=MONTH[1], limit=10**9)
    return {"all": money(sum((o.total for o in orders), Decimal(0))), "count": Decimal(len(orders))}


def hand_figures(session: Session, sql: str, params: dict[str, Any]) -> dict[str, Decimal]:
    rows = session.execute(sa.text(sql), params).all()
    if len(rows) == 1 and rows[0][0] == "all":
        return {"all": money(rows[0][2] or 0), "count": Decimal(rows[0][1])}
    if sql.startswith("SELECT status"):
        return {"all": money(sum((r[2] for r in rows), Decimal(0))), "count": Decimal(sum(r[1] for r in rows))}
    monthly = "date_trunc('month'" in sql  # the core keys months as YYYY-MM
    return {(r[0].strftime("%Y-%m") if monthly else str(r[0] if r[0] is not None else "-")): money(r[2]) for r in rows}


def timed(engine: sa.Engine, fn: Callable[[Session], dict[str, Decimal]]) -> tuple[float, dict[str, Decimal]]:
    with Session(engine) as session:
        t0 = time.perf_counter()
        out = fn(session)
        ms = (time.perf_counter() - t0) * 1000
        session.rollback()
    return ms, out


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def run(engine: sa.Engine, runs: int) -> None:
    with Session(engine) as session:
        manager = session.execute(sa.text("SELECT id, regions FROM \"user\" WHERE role = 'manager' LIMIT 1")).one()
        counts = session.execute(
            sa.text("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_line)")
        ).one()
        mgr_actor = load_actor(session, manager.id)
    print(f"\ndatabase: {counts[0]} orders, {counts[1]} order lines; month {MONTH[0]}..{MONTH[1]}; {runs} runs each")
    cases: list[tuple[str, Callable[[Session], dict[str, Decimal]], Callable[[Session], dict[str, Decimal]]]] = []
    for name, sql in HAND.items():
        params = _bounds() if ":a" in sql else {}
        cases.append(
            (
                f"admin: {name}",
                lambda s, n=name: core_figures(s, "U-ADM-1", n),
                lambda s, q=sql, p=params: hand_figures(s, q, p),
            )
        )
    mparams = {**_bounds(), "regions": sorted(mgr_actor.regions)}
    cases.append(
        (
            "manager: month",
            lambda s: core_figures(s, manager.id, "month"),
            lambda s: hand_figures(s, MANAGER_HAND, mparams),
        )
    )
    cases.append(("python (old): month", lambda s: old_figures(s, "U-ADM-1"), cases[0][2]))
    print(f"{'report':<30}{'core p50':>10}{'p95':>9}{'SQL p50':>10}{'p95':>9}{'ratio p95':>11}  figures")
    for label, core_fn, hand_fn in cases:
        core_ms: list[float] = []
        hand_ms: list[float] = []
        timed(engine, core_fn), timed(engine, hand_fn)  # warm caches and plans
        for _ in range(runs):
            ms, mine = timed(engine, core_fn)
            core_ms.append(ms)
            ms, theirs = timed(engine, hand_fn)
            hand_ms.append(ms)
        same = "same" if mine == theirs else f"DIFFER ({len(mine)} vs {len(theirs)} rows)"
        print(
            f"{label:<30}{statistics.median(core_ms):>10.1f}{p95(core_ms):>9.1f}"
            f"{statistics.median(hand_ms):>10.1f}{p95(hand_ms):>9.1f}{p95(core_ms) / p95(hand_ms):>10.2f}x  {same}"
        )


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
    args = ap.parse_args()
    if args.url:
        upgrade(args.url)
        run(make_engine(args.url), args.runs)
        return
    name = f"dms_bench_{uuid.uuid4().hex[:8]}"
    url = args.pg.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
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
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        print(
            f"world: {args.skus} SKUs, {args.customers} customers, {args.history_lines} history lines, "
            f"seed {args.seed}: generated in {t1 - t0:.1f} s, imported in {t2 - t1:.1f} s"
        )
        run(engine, args.runs)
        engine.dispose()
    finally:
        if args.keep:
            print(f"kept: --url {url}")
        else:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
