"""Benchmark: the dashboard (`GET /api/v1/dashboard` and the `/dashboard` page) against a
hand-written baseline of its main figures, in the same run.

    .venv/bin/python benchmarks/dashboard.py [--skus 200 --customers 1000 --history-lines 20000]
        [--seed 1] [--runs 20] [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--keep]
    .venv/bin/python benchmarks/dashboard.py --url postgresql://postgres@127.0.0.1:5432/dms_bench_x

It generates a world and imports it into a fresh PostgreSQL database of its own with the
helpers of `benchmarks/reports.py` (dropped at the end unless --keep; --url reuses one already
imported), then, as an admin and as a manager, times the dashboard's JSON and its server-rendered
page through the real app (in process, `TestClient`: routing, sign-in, core, template; no
network), and the hand-written SQL of the same headline figures (orders by status in the period,
month-to-date net sales, net sales per day over 30 days, low stock). It prints p50 and p95 in
milliseconds and whether the headline figures agree. Target: p95 ≤ 500 ms.
"""

import argparse
import re
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
import sqlalchemy as sa
from fastapi.testclient import TestClient
from reports import CLOCK, TODAY, TZ, fill_world, p95  # the reports benchmark's world, clock and percentile

from agent.runtime import Assistant
from channels.web.app import create_app
from core.db import make_engine, transaction
from core.identities import issue_token
from core.settings import ServerSettings
from migrations import upgrade

PERIOD = "mtd"
SOLD = "o.status IN ('confirmed', 'dispatched', 'delivered')"
LOCAL = "(o.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata'"
SCOPE = "o.customer IN (SELECT code FROM customer WHERE region = ANY(:regions))"


def hand(conn: sa.Connection, regions: list[str] | None) -> dict[str, Decimal | int]:
    """The headline figures in hand-written SQL (a manager: customers of their regions)."""
    first = TODAY.replace(day=1)
    a = datetime.combine(first, datetime.min.time(), TZ)
    b = datetime.combine(TODAY + timedelta(days=1), datetime.min.time(), TZ)
    d30 = datetime.combine(TODAY - timedelta(days=29), datetime.min.time(), TZ)
    scope = f" AND {SCOPE}" if regions is not None else ""
    p = {"a": a, "b": b, "d30": d30, "regions": regions or []}
    statuses = conn.execute(
        sa.text(
            f"SELECT status, count(*), sum(total) FROM orders o WHERE created_at >= :a AND created_at < :b{scope} GROUP BY status"
        ),
        p,
    ).all()
    mtd = conn.execute(
        sa.text(
            f"SELECT coalesce(sum(gross - discount), 0) FROM orders o WHERE {SOLD} AND created_at >= :a AND created_at < :b{scope}"
        ),
        p,
    ).scalar_one()
    conn.execute(
        sa.text(
            f"SELECT CAST({LOCAL} AS date), sum(gross - discount) FROM orders o "
            f"WHERE {SOLD} AND created_at >= :d30 AND created_at < :b{scope} GROUP BY 1"
        ),
        p,
    ).all()
    low = conn.execute(
        sa.text(
            "SELECT count(*) FROM (SELECT b.warehouse, b.sku, sum(CASE WHEN b.expiry_date IS NULL OR b.expiry_date >= :t "
            "THEN b.available ELSE 0 END) AS q, max(s.reorder_level) AS lvl FROM stock_balance b JOIN sku s ON s.code = b.sku "
            + (
                "JOIN warehouse w ON w.code = b.warehouse WHERE w.region = ANY(:regions) "
                if regions is not None
                else ""
            )
            + "GROUP BY b.warehouse, b.sku) x WHERE q <= lvl"
        ),
        {"t": TODAY, "regions": regions or []},
    ).scalar_one()
    return {
        "orders": sum(int(n) for _, n, _ in statuses),
        "mtd_net": Decimal(mtd).quantize(Decimal("0.01")),
        "low": int(low),
    }


def run(url: str, runs: int) -> None:
    engine = make_engine(url)
    app = create_app(engine, CLOCK, Assistant(engine, CLOCK), server=ServerSettings(signin_failures_per_minute=10_000))
    client = TestClient(app)
    with engine.connect() as conn:
        manager = conn.execute(
            sa.text("SELECT id FROM \"user\" WHERE role = 'manager' ORDER BY id LIMIT 1")
        ).scalar_one()
        admin = conn.execute(sa.text("SELECT id FROM \"user\" WHERE role = 'admin' ORDER BY id LIMIT 1")).scalar_one()
        counts = conn.execute(sa.text("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_line)")).one()
    print(f"\ndatabase: {counts[0]} orders, {counts[1]} order lines; today {TODAY}; period {PERIOD}; {runs} runs each")
    print(f"{'what':<28}{'p50 ms':>9}{'p95 ms':>9}  figures")
    from sqlmodel import Session

    from core.access import load_actor

    for user in (admin, manager):
        with transaction(engine) as s:
            token = issue_token(s, user)
        with Session(engine) as s:
            actor = load_actor(s, user)
            regions = None if actor.is_admin else sorted(actor.regions)
        bearer = {"Authorization": f"Bearer {token}"}
        client.cookies.clear()
        page = client.get("/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        client.post("/signin", data={"token": token, "csrf": csrf}, follow_redirects=False)
        timings: dict[str, list[float]] = {"json": [], "page": [], "hand SQL": []}
        body, mine = {}, {}
        for i in range(runs + 1):  # the first of each is a warm-up, not counted
            t0 = time.perf_counter()
            r = client.get("/api/v1/dashboard", params={"period": PERIOD}, headers=bearer)
            t1 = time.perf_counter()
            html = client.get("/dashboard", params={"period": PERIOD})
            t2 = time.perf_counter()
            with engine.connect() as conn:
                mine = hand(conn, regions)
            t3 = time.perf_counter()
            assert r.status_code == 200 and html.status_code == 200, (r.text[:300], html.status_code)
            body = r.json()
            if i:
                timings["json"].append((t1 - t0) * 1000)
                timings["page"].append((t2 - t1) * 1000)
                timings["hand SQL"].append((t3 - t2) * 1000)
        theirs = {
            "orders": body["orders"]["count"],
            "mtd_net": Decimal(body["revenue"]["mtd_net"]),
            "low": body["stock"]["low_count"],
        }
        same = "same" if theirs == mine else f"DIFFER {theirs} vs {mine}"
        role = "admin" if regions is None else "manager"
        for what, xs in timings.items():
            print(
                f"{role + ': ' + what:<28}{statistics.median(xs):>9.1f}{p95(xs):>9.1f}  {same if what == 'json' else ''}"
            )
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skus", type=int, default=200)
    ap.add_argument("--customers", type=int, default=1000)
    ap.add_argument("--history-lines", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="an admin connection")
    ap.add_argument("--url", help="a database already holding a generated world (nothing generated or dropped)")
    ap.add_argument("--keep", action="store_true", help="keep the database (its URL is printed) for --url")
    args = ap.parse_args()
    if args.url:
        upgrade(args.url)
        run(args.url, args.runs)
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
        run(url, args.runs)
    finally:
        if args.keep:
            print(f"kept: --url {url}")
        else:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
