"""Benchmark: order placement through the core vs a hand-written SQL transaction.

    .venv/bin/python benchmarks/orders.py [--skus 10000 --customers 2000 --orders 400]
        [--pg postgresql://postgres@127.0.0.1:5432/postgres]

Each order is a preview (read-only) and a create in one transaction: pricing, schemes,
FEFO/FIFO reservation, credit and approval rules, audit. The baseline does the same with
hand-written SQL: the preview's reads in a read-only transaction, then in one transaction the
same reads (stock rows locked) and the writes (conditional stock updates, counter, order,
lines, ledger, allocations, audit), once through SQLAlchemy and once through the DB-API driver
alone. Also measured: the first measurements' baseline, the create transaction's writes alone
without the preview ("create only"). Each runs against the same database with 1 and 8
concurrent clients, as processes (`--threads`: threads of one process); figures: orders/s,
p50/p95 latency, and the ratio baseline/core.
"""

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import bindparam, text
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.access import load_actor
from core.clock import Clock
from core.db import make_engine, transaction
from core.errors import DomainError
from core.orders import Item, create_order, preview_order
from core.tables.inventory import StockBalance
from core.tables.parties import Customer, User
from core.world import import_world
from evals.worldgen import generate_world
from migrations import upgrade

TZ = ZoneInfo("Asia/Kolkata")
CLOCK = Clock(TZ, datetime(2026, 11, 20, 10, 30, tzinfo=TZ))


def workload(engine, n: int, seed: int) -> tuple[str, list[tuple[str, list[tuple[str, int]]]]]:
    """`n` orders by an admin for active customers: 3 SKUs each that their warehouse stocks."""
    rng = random.Random(seed)
    with Session(engine) as s:
        admin = s.exec(select(User.id).where(User.role == "admin")).first()
        customers = s.exec(select(Customer).where(Customer.status == "active")).all()
        stocked: dict[str, list[str]] = {}
        for b in s.exec(select(StockBalance).where(StockBalance.available > 500)):
            stocked.setdefault(b.warehouse, []).append(b.sku)
    customers = [c for c in customers if len(stocked.get(c.warehouse, [])) >= 3]
    jobs = []
    for _ in range(n):
        c = rng.choice(customers)
        skus = rng.sample(sorted(set(stocked[c.warehouse])), 3)
        jobs.append((c.code, [(sku, rng.randint(1, 5)) for sku in skus]))
    return admin, jobs


def core_order(engine, admin: str, job) -> None:
    customer, lines = job
    items = [Item(sku, qty) for sku, qty in lines]
    with Session(engine) as s:
        preview = preview_order(s, load_actor(s, admin), CLOCK, items, customer)
        s.rollback()
    with transaction(engine) as s:
        create_order(s, load_actor(s, admin), CLOCK, items, customer, expected=preview.fingerprint())


def baseline_order(engine, admin: str, job) -> None:
    """The create transaction's writes by hand, without the preview's reads (the baseline of
    the first measurements, kept for comparison: it does less than the core)."""
    customer, lines = job
    now = CLOCK.now().astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    with engine.begin() as conn:
        cust = conn.execute(
            text("SELECT code, warehouse, region, type FROM customer WHERE code=:c"), {"c": customer}
        ).one()
        conn.execute(text(USER_SQL[engine.dialect.name == "sqlite"]), {"u": admin}).one()
        conn.execute(
            text("SELECT * FROM price WHERE sku IN :s").bindparams(bindparam("s", expanding=True)),
            {"s": [sku for sku, _ in lines]},
        ).all()
        conn.execute(text("SELECT * FROM scheme")).all()
        conn.execute(text("SELECT * FROM approval_rule")).all()
        conn.execute(text("SELECT total FROM orders WHERE customer=:c"), {"c": customer}).all()
        no = conn.execute(text("UPDATE counter SET value=value+1 WHERE name='order' RETURNING value")).scalar()
        order_no = f"SB-{no:06d}-{uuid.uuid4().hex[:4]}"
        conn.execute(
            text(
                "INSERT INTO orders (order_no, customer, warehouse, status, created_at, created_by, channel, "
                "gross, discount, tax, total) VALUES (:o,:c,:w,'confirmed',:t,:u,'bench','0','0','0','0')"
            ),
            {"o": order_no, "c": customer, "w": cust.warehouse, "t": now, "u": admin},
        )
        for n, (sku, qty) in enumerate(sorted(lines), 1):
            rows = conn.execute(
                text(
                    "SELECT batch, available FROM stock_balance WHERE warehouse=:w AND sku=:s "
                    "AND available>0 ORDER BY expiry_date, received_on, batch"
                ),
                {"w": cust.warehouse, "s": sku},
            ).all()
            left = qty
            for batch, avail in rows:
                take = min(left, avail)
                r = conn.execute(
                    text(
                        "UPDATE stock_balance SET available=available-:n, reserved=reserved+:n "
                        "WHERE warehouse=:w AND sku=:s AND batch=:b AND available>=:n"
                    ),
                    {"n": take, "w": cust.warehouse, "s": sku, "b": batch},
                )
                if r.rowcount != 1:
                    raise RuntimeError("stock moved")
                conn.execute(
                    text(MOVEMENT_SQL),
                    {
                        "t": now,
                        "w": cust.warehouse,
                        "s": sku,
                        "b": batch,
                        "na": -take,
                        "n": take,
                        "o": order_no,
                        "u": admin,
                    },
                )
                conn.execute(
                    text("INSERT INTO order_allocation (order_no, sku, batch, qty) VALUES (:o,:s,:b,:n)"),
                    {"o": order_no, "s": sku, "b": batch, "n": take},
                )
                left -= take
                if left == 0:
                    break
            conn.execute(text(LINE_SQL), {"o": order_no, "l": n, "s": sku, "q": qty})
        conn.execute(text(AUDIT_SQL), {"t": now, "u": admin, "o": order_no})


USER_SQL = {
    True: "SELECT id, role, regions FROM user WHERE id=:u",
    False: 'SELECT id, role, regions FROM "user" WHERE id=:u',
}
MOVEMENT_SQL = (
    "INSERT INTO stock_movement (at, warehouse, sku, batch, kind, d_available, d_reserved, d_damaged, "
    "order_no, user_id, channel) VALUES (:t,:w,:s,:b,'reservation',:na,:n,0,:o,:u,'bench')"
)
LINE_SQL = (
    "INSERT INTO order_line (order_no, line_no, sku, qty, free_qty, unit_price, gross, discount, tax, "
    "line_total) VALUES (:o,:l,:s,:q,0,'1','1','0','0','1')"
)
AUDIT_SQL = (
    "INSERT INTO audit_entry (at, user_id, channel, action, entity, entity_id, detail) "
    "VALUES (:t,:u,'bench','order.create','order',:o,'{}')"
)
PRICES_SQL = text(
    "SELECT sku, price, customer_type, region, customer, valid_from, valid_to FROM price WHERE sku IN :s"
).bindparams(bindparam("s", expanding=True))
STOCK_SQL = (
    "SELECT sku, batch, available, expiry_date, received_on FROM stock_balance WHERE warehouse = :w "
    "AND sku IN :s ORDER BY sku, batch"
)
OWED_SQL = text(
    "SELECT 1, total FROM orders WHERE customer = :c AND status IN ('pending_approval', 'confirmed', "
    "'dispatched', 'delivered') UNION ALL SELECT -1, amount FROM payment WHERE customer = :c"
)


def _reads(conn, admin: str, customer: str, skus: list[str], lock: bool):
    """The preview's reads by hand, as the core does them once its caches are warm: user,
    customer, the reference token (regions, warehouses, approval rules, schemes and the
    catalogue are reused while it is unchanged, core/cache.py), prices, stock and the customer
    (both locked when creating), outstanding."""
    conn.execute(text(USER_SQL[conn.dialect.name == "sqlite"]), {"u": admin}).one()
    conn.execute(text("SELECT token FROM ref_version WHERE name = 'reference'")).one()
    locked = " FOR UPDATE" if lock and conn.dialect.name == "postgresql" else ""  # core/locks.py: customer first
    cust = conn.execute(text("SELECT * FROM customer WHERE code = :c" + locked), {"c": customer}).one()
    conn.execute(PRICES_SQL, {"s": skus}).all()
    stock = text(STOCK_SQL + (" FOR UPDATE" if lock and conn.dialect.name == "postgresql" else ""))
    rows = conn.execute(stock.bindparams(bindparam("s", expanding=True)), {"w": cust.warehouse, "s": skus}).all()
    conn.execute(OWED_SQL, {"c": customer}).all()
    return cust, rows


def baseline_full(engine, admin: str, job) -> None:
    """What the core does, by hand: the preview's reads in a read-only transaction, then the same
    reads (stock locked) and the writes in one transaction: conditional stock updates, counter,
    order, lines, ledger, allocations, audit."""
    customer, lines = job
    skus = sorted(sku for sku, _ in lines)
    now = CLOCK.now().astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    with engine.connect() as conn:
        _reads(conn, admin, customer, skus, lock=False)
        conn.rollback()
    with engine.begin() as conn:
        cust, rows = _reads(conn, admin, customer, skus, lock=True)
        want = dict(lines)
        takes = []
        today = CLOCK.today().isoformat()  # dates are text on SQLite: compare ISO strings
        fefo = sorted(rows, key=lambda r: (r.sku, str(r.expiry_date or "9999"), str(r.received_on or "9999"), r.batch))
        for sku, batch, avail, expiry, _ in fefo:
            left = want.get(sku, 0)
            if avail > 0 and left and (expiry is None or str(expiry) >= today):
                take = min(left, avail)
                takes.append({"n": take, "w": cust.warehouse, "s": sku, "b": batch})
                want[sku] = left - take
        r = conn.execute(
            text(
                "UPDATE stock_balance SET available=available-:n, reserved=reserved+:n "
                "WHERE warehouse=:w AND sku=:s AND batch=:b AND available>=:n"
            ),
            takes,
        )
        if r.rowcount != len(takes) or any(want.values()):
            raise RuntimeError("stock moved")
        no = conn.execute(text("UPDATE counter SET value=value+1 WHERE name='order' RETURNING value")).scalar()
        order_no = f"SB-{no:06d}-{uuid.uuid4().hex[:4]}"
        conn.execute(
            text(
                "INSERT INTO orders (order_no, customer, warehouse, status, created_at, created_by, channel, "
                "gross, discount, tax, total, updated_at) VALUES (:o,:c,:w,'confirmed',:t,:u,'bench','0','0',"
                "'0','0',:t)"
            ),
            {"o": order_no, "c": customer, "w": cust.warehouse, "t": now, "u": admin},
        )
        conn.execute(
            text(LINE_SQL),
            [{"o": order_no, "l": n, "s": sku, "q": qty} for n, (sku, qty) in enumerate(sorted(lines), 1)],
        )
        conn.execute(
            text(MOVEMENT_SQL),
            [
                {"t": now, "w": t["w"], "s": t["s"], "b": t["b"], "na": -t["n"], "n": t["n"], "o": order_no, "u": admin}
                for t in takes
            ],
        )
        conn.execute(
            text("INSERT INTO order_allocation (order_no, sku, batch, qty) VALUES (:o,:s,:b,:n)"),
            [{"o": order_no, "s": t["s"], "b": t["b"], "n": t["n"]} for t in takes],
        )
        conn.execute(text(AUDIT_SQL), {"t": now, "u": admin, "o": order_no})


def baseline_driver(engine, admin: str, job) -> None:
    """`baseline_full`'s statements through the DB-API driver itself (psycopg or sqlite3), with
    no SQLAlchemy between: what the same reads and writes cost at the bottom."""
    customer, lines = job
    skus = sorted(sku for sku, _ in lines)
    sqlite = engine.dialect.name == "sqlite"
    p = "?" if sqlite else "%s"
    within = "(" + ", ".join([p] * len(skus)) + ")"
    now = CLOCK.now().astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    now = now.isoformat(" ") if sqlite else now
    user = 'SELECT id, role, regions FROM "user" WHERE id = ' + p
    stock = (
        "SELECT sku, batch, available, expiry_date, received_on FROM stock_balance WHERE warehouse = "
        + p
        + " AND sku IN "
        + within
        + " ORDER BY sku, batch"
    )
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()

        def reads(lock: bool):
            cur.execute(user, (admin,))
            cur.fetchall()
            cur.execute("SELECT token FROM ref_version WHERE name = 'reference'")
            cur.fetchall()
            cur.execute(
                "SELECT warehouse FROM customer WHERE code = " + p + (" FOR UPDATE" if lock and not sqlite else ""),
                (customer,),
            )
            warehouse = cur.fetchone()[0]
            cur.execute(
                "SELECT sku, price, customer_type, region, customer, valid_from, valid_to FROM price "
                "WHERE sku IN " + within,
                skus,
            )
            cur.fetchall()
            cur.execute(stock + (" FOR UPDATE" if lock and not sqlite else ""), (warehouse, *skus))
            rows = cur.fetchall()
            cur.execute(
                f"SELECT 1, total FROM orders WHERE customer = {p} AND status IN ('pending_approval', "
                f"'confirmed', 'dispatched', 'delivered') UNION ALL SELECT -1, amount FROM payment "
                f"WHERE customer = {p}",
                (customer, customer),
            )
            cur.fetchall()
            return warehouse, rows

        if sqlite:
            cur.execute("BEGIN")
        reads(False)
        conn.rollback() if not sqlite else cur.execute("ROLLBACK")
        if sqlite:
            cur.execute("BEGIN IMMEDIATE")
        warehouse, rows = reads(True)
        want, takes = dict(lines), []
        today = CLOCK.today().isoformat()
        for sku, batch, avail, expiry, _received in sorted(
            rows, key=lambda r: (r[0], str(r[3] or "9999"), str(r[4] or "9999"), r[1])
        ):
            left = want.get(sku, 0)
            if avail > 0 and left and (expiry is None or str(expiry) >= today):
                take = min(left, avail)
                takes.append((take, take, warehouse, sku, batch, take))
                want[sku] = left - take
        cur.executemany(
            f"UPDATE stock_balance SET available = available - {p}, reserved = reserved + {p} "
            f"WHERE warehouse = {p} AND sku = {p} AND batch = {p} AND available >= {p}",
            takes,
        )
        if cur.rowcount != len(takes) or any(want.values()):
            raise RuntimeError("stock moved")
        cur.execute("UPDATE counter SET value = value + 1 WHERE name = 'order' RETURNING value")
        order_no = f"SB-{cur.fetchone()[0]:06d}-{uuid.uuid4().hex[:4]}"
        cur.execute(
            f"INSERT INTO orders (order_no, customer, warehouse, status, created_at, created_by, channel, "
            f"gross, discount, tax, total, updated_at) VALUES ({p}, {p}, {p}, 'confirmed', {p}, {p}, "
            f"'bench', '0', '0', '0', '0', {p})",
            (order_no, customer, warehouse, now, admin, now),
        )
        cur.executemany(
            f"INSERT INTO order_line (order_no, line_no, sku, qty, free_qty, unit_price, gross, "
            f"discount, tax, line_total) VALUES ({p}, {p}, {p}, {p}, 0, '1', '1', '0', '0', '1')",
            [(order_no, n, sku, qty) for n, (sku, qty) in enumerate(sorted(lines), 1)],
        )
        cur.executemany(
            f"INSERT INTO stock_movement (at, warehouse, sku, batch, kind, d_available, d_reserved, "
            f"d_damaged, order_no, user_id, channel) VALUES ({p}, {p}, {p}, {p}, 'reservation', {p}, "
            f"{p}, 0, {p}, {p}, 'bench')",
            [(now, warehouse, t[3], t[4], -t[0], t[0], order_no, admin) for t in takes],
        )
        cur.executemany(
            f"INSERT INTO order_allocation (order_no, sku, batch, qty) VALUES ({p}, {p}, {p}, {p})",
            [(order_no, t[3], t[4], t[0]) for t in takes],
        )
        cur.execute(
            f"INSERT INTO audit_entry (at, user_id, channel, action, entity, entity_id, detail) "
            f"VALUES ({p}, {p}, 'bench', 'order.create', 'order', {p}, '{{}}')",
            (now, admin, order_no),
        )
        conn.commit() if not sqlite else cur.execute("COMMIT")
    except BaseException:
        conn.rollback() if not sqlite else cur.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def warm(engine, jobs) -> None:
    """What a long-running server has after its first minutes: a pooled connection and the
    catalogue derivations of the SKUs ordered (core/cache.py keeps them per reference token)."""
    from core.catalogue import sku_meta

    with Session(engine) as s:
        sku_meta(s, sorted({sku for _, lines in jobs for sku, _ in lines}))


def _summary(latencies: list[float], errors: int, wall: float) -> dict:
    lat = sorted(latencies)
    return {
        "orders_s": len(lat) / wall,
        "p50_ms": statistics.median(lat) * 1000 if lat else 0,
        "p95_ms": lat[int(len(lat) * 0.95) - 1] * 1000 if lat else 0,
        "ok": len(lat),
        "errors": errors,
    }


def _run_jobs(fn, engine, admin, jobs) -> tuple[list[float], int]:
    latencies, errors = [], 0
    for job in jobs:
        t0 = time.perf_counter()
        try:
            fn(engine, admin, job)
        except (DomainError, RuntimeError):
            errors += 1
            continue
        latencies.append(time.perf_counter() - t0)
    return latencies, errors


def measure_threads(fn, engine, admin, jobs, clients: int) -> dict:
    """`clients` threads of one process sharing one engine (one GIL)."""
    warm(engine, jobs)
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        parts = list(pool.map(lambda i: _run_jobs(fn, engine, admin, jobs[i::clients]), range(clients)))
    wall = time.perf_counter() - start
    return _summary([x for lat, _ in parts for x in lat], sum(e for _, e in parts), wall)


def _client_process(fn, url, admin, jobs, barrier, results) -> None:
    engine = make_engine(url)
    warm(engine, jobs)
    barrier.wait()
    start = time.monotonic()
    latencies, errors = _run_jobs(fn, engine, admin, jobs)
    results.put((start, time.monotonic(), latencies, errors))
    engine.dispose()


def measure_processes(fn, url, admin, jobs, clients: int) -> dict:
    """`clients` processes, each with its own engine, as a server's worker processes are;
    they start together once each has warmed up. Wall time: first start to last finish."""
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(clients), ctx.Queue()
    procs = [
        ctx.Process(target=_client_process, args=(fn, url, admin, jobs[i::clients], barrier, results))
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    parts = [results.get() for _ in procs]
    for p in procs:
        p.join()
    wall = max(end for _, end, _, _ in parts) - min(start for start, _, _, _ in parts)
    return _summary([x for _, _, lat, _ in parts for x in lat], sum(e for *_, e in parts), wall)


def run(label: str, url: str, world: Path, n: int, threads: bool) -> None:
    upgrade(url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    import_world(engine, world, clock=CLOCK)
    print(f"[{label}] world imported in {time.perf_counter() - t0:.1f}s")
    admin, jobs = workload(engine, n * 9, seed=7)
    engine.dispose()  # forked clients must not share its connections

    def measure(fn, part, clients):
        if threads:
            return measure_threads(fn, engine, admin, part, clients)
        return measure_processes(fn, url, admin, part, clients)

    how = "threads" if threads else "processes"
    variants = [
        ("core (preview + create)", core_order),
        ("hand-written SQL, SQLAlchemy", baseline_full),
        ("hand-written SQL, driver only", baseline_driver),
        ("hand-written create only", baseline_order),
    ]
    print(f"[{label}] orders/s (p50 / p95 ms), clients as {how}")
    for clients in (1, 8):
        part = jobs[:n] if clients == 1 else jobs[n : 3 * n]
        pool = jobs[3 * n :] + jobs[: 3 * n]  # each variant orders other lines than the core
        results = {}
        for k, (name, fn) in enumerate(variants):
            results[name] = r = measure(fn, part if k == 0 else pool[(k - 1) * len(part) : k * len(part)], clients)
            print(
                f"[{label}] {clients} client(s) {name:31} {r['orders_s']:6.0f} orders/s "
                f"(p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms; {r['ok']} ok, {r['errors']} refused)"
            )
        core = results[variants[0][0]]["orders_s"]
        for name in ("hand-written SQL, SQLAlchemy", "hand-written SQL, driver only"):
            print(f"[{label}] {clients} client(s) {name} / core = {results[name]['orders_s'] / core:.2f}x")
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skus", type=int, default=10000)
    ap.add_argument("--customers", type=int, default=2000)
    ap.add_argument("--orders", type=int, default=300, help="orders per measured run")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument(
        "--threads", action="store_true", help="clients as threads of this process (one GIL) instead of processes"
    )
    ap.add_argument("--only", choices=["sqlite", "postgres"], help="measure one database only")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp) / "world"
        generate_world(world, skus=args.skus, customers=args.customers, history_lines=2000, seed=1)
        if args.only != "postgres":
            run("sqlite", f"sqlite:///{tmp}/bench.db", world, args.orders, args.threads)
        if args.only == "sqlite":
            return
        name = f"dms_bench_{uuid.uuid4().hex[:8]}"
        try:
            with psycopg.connect(args.pg, autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as e:
            print(f"[postgres] skipped: {e}")
            return
        try:
            run("postgres", args.pg.rsplit("/", 1)[0] + "/" + name, world, args.orders, args.threads)
        finally:
            with psycopg.connect(args.pg, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
