"""Benchmark: order placement through the core vs a hand-written SQL transaction.

    .venv/bin/python benchmarks/orders.py [--skus 10000 --customers 2000 --orders 400]
        [--pg postgresql://postgres@127.0.0.1:5432/postgres]

Each order is a preview (read-only) and a create in one transaction: pricing, schemes,
FEFO/FIFO reservation, credit and approval rules, audit. The baseline does the same with
hand-written SQL: the preview's reads in a read-only transaction, then in one transaction the
same reads (stock rows locked) and the writes (conditional stock updates, counter, order,
lines, ledger, allocations, audit). Also measured: the first measurements' baseline, the
create transaction's writes alone without the preview ("create only"). All run in the same
process against the same database, with 1 and 8 concurrent clients; figures: orders/s,
p50/p95 latency, and the ratio baseline/core.
"""
import argparse
import random
import statistics
import sys
import tempfile
import threading
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

from core.access import load_actor  # noqa: E402
from core.clock import Clock  # noqa: E402
from core.db import make_engine, transaction, upgrade  # noqa: E402
from core.errors import DomainError  # noqa: E402
from core.inventory import StockBalance  # noqa: E402
from core.orders import _PATHS, Item, create_order, preview_order  # noqa: E402
from core.parties import Customer, User  # noqa: E402
from core.world import import_world  # noqa: E402
from core.worldgen import generate_world  # noqa: E402

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
        cust = conn.execute(text("SELECT code, warehouse, region, type FROM customer WHERE code=:c"),
                            {"c": customer}).one()
        conn.execute(text(USER_SQL[engine.dialect.name == "sqlite"]), {"u": admin}).one()
        conn.execute(text("SELECT * FROM price WHERE sku IN :s").bindparams(bindparam("s", expanding=True)),
                     {"s": [sku for sku, _ in lines]}).all()
        conn.execute(text("SELECT * FROM scheme")).all()
        conn.execute(text("SELECT * FROM approval_rule")).all()
        conn.execute(text("SELECT total FROM orders WHERE customer=:c"), {"c": customer}).all()
        no = conn.execute(text("UPDATE counter SET value=value+1 WHERE name='order' RETURNING value")).scalar()
        order_no = f"SB-{no:06d}-{uuid.uuid4().hex[:4]}"
        conn.execute(text("INSERT INTO orders (order_no, customer, warehouse, status, created_at, created_by, channel, "
                          "gross, discount, tax, total) VALUES (:o,:c,:w,'confirmed',:t,:u,'bench','0','0','0','0')"),
                     {"o": order_no, "c": customer, "w": cust.warehouse, "t": now, "u": admin})
        for n, (sku, qty) in enumerate(sorted(lines), 1):
            rows = conn.execute(text("SELECT batch, available FROM stock_balance WHERE warehouse=:w AND sku=:s "
                                     "AND available>0 ORDER BY expiry_date, received_on, batch"),
                                {"w": cust.warehouse, "s": sku}).all()
            left = qty
            for batch, avail in rows:
                take = min(left, avail)
                r = conn.execute(text("UPDATE stock_balance SET available=available-:n, reserved=reserved+:n "
                                      "WHERE warehouse=:w AND sku=:s AND batch=:b AND available>=:n"),
                                 {"n": take, "w": cust.warehouse, "s": sku, "b": batch})
                if r.rowcount != 1:
                    raise RuntimeError("stock moved")
                conn.execute(text(MOVEMENT_SQL), {"t": now, "w": cust.warehouse, "s": sku, "b": batch, "na": -take,
                                                  "n": take, "o": order_no, "u": admin})
                conn.execute(text("INSERT INTO order_allocation (order_no, sku, batch, qty) VALUES (:o,:s,:b,:n)"),
                             {"o": order_no, "s": sku, "b": batch, "n": take})
                left -= take
                if left == 0:
                    break
            conn.execute(text(LINE_SQL), {"o": order_no, "l": n, "s": sku, "q": qty})
        conn.execute(text(AUDIT_SQL), {"t": now, "u": admin, "o": order_no})


USER_SQL = {True: "SELECT id, role, regions FROM user WHERE id=:u", False: 'SELECT id, role, regions FROM "user" WHERE id=:u'}
MOVEMENT_SQL = ("INSERT INTO stock_movement (at, warehouse, sku, batch, kind, d_available, d_reserved, d_damaged, "
                "order_no, user_id, channel) VALUES (:t,:w,:s,:b,'reservation',:na,:n,0,:o,:u,'bench')")
LINE_SQL = ("INSERT INTO order_line (order_no, line_no, sku, qty, free_qty, unit_price, gross, discount, tax, "
            "line_total) VALUES (:o,:l,:s,:q,0,'1','1','0','0','1')")
AUDIT_SQL = ("INSERT INTO audit_entry (at, user_id, channel, action, entity, entity_id, detail) "
             "VALUES (:t,:u,'bench','order.create','order',:o,'{}')")
SKUS_SQL = text("SELECT s.code, s.name, s.tax_rate, s.allocation, p.brand, p.category, u.unit, u.factor FROM sku s "
                "LEFT JOIN product p ON p.code = s.product LEFT JOIN skuunit u ON u.sku = s.code "
                "WHERE s.code IN :s ORDER BY s.code, u.position").bindparams(bindparam("s", expanding=True))
PRICES_SQL = text("SELECT sku, price, customer_type, region, customer, valid_from, valid_to FROM price "
                  "WHERE sku IN :s").bindparams(bindparam("s", expanding=True))
STOCK_SQL = ("SELECT sku, batch, available, expiry_date, received_on FROM stock_balance WHERE warehouse = :w "
             "AND sku IN :s ORDER BY sku, batch")
OWED_SQL = text("SELECT 1, total FROM orders WHERE customer = :c AND status IN ('pending_approval', 'confirmed', "
                "'dispatched', 'delivered') UNION ALL SELECT -1, amount FROM payment WHERE customer = :c")


def _reads(conn, admin: str, customer: str, skus: list[str], lock: bool):
    """The preview's reads by hand: user, customer, warehouse, regions, SKUs with product and
    units, brand and category paths, prices, stock (locked when creating), schemes, approval
    rules, outstanding."""
    conn.execute(text(USER_SQL[conn.dialect.name == "sqlite"]), {"u": admin}).one()
    cust = conn.execute(text("SELECT * FROM customer WHERE code = :c"), {"c": customer}).one()
    conn.execute(text("SELECT 'r', code, parent, name FROM region UNION ALL SELECT 'w', code, NULL, NULL FROM "
                      "warehouse UNION ALL SELECT 'a', code, \"when\", threshold FROM approval_rule")).all()
    meta = conn.execute(SKUS_SQL, {"s": skus}).all()
    conn.execute(_PATHS, {"brands": sorted({m.brand for m in meta}), "categories": sorted({m.category for m in meta})}).all()
    conn.execute(PRICES_SQL, {"s": skus}).all()
    conn.execute(text("SELECT * FROM scheme ORDER BY code")).all()
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
        r = conn.execute(text("UPDATE stock_balance SET available=available-:n, reserved=reserved+:n "
                              "WHERE warehouse=:w AND sku=:s AND batch=:b AND available>=:n"), takes)
        if r.rowcount != len(takes) or any(want.values()):
            raise RuntimeError("stock moved")
        no = conn.execute(text("UPDATE counter SET value=value+1 WHERE name='order' RETURNING value")).scalar()
        order_no = f"SB-{no:06d}-{uuid.uuid4().hex[:4]}"
        conn.execute(text("INSERT INTO orders (order_no, customer, warehouse, status, created_at, created_by, channel, "
                          "gross, discount, tax, total, updated_at) VALUES (:o,:c,:w,'confirmed',:t,:u,'bench','0','0',"
                          "'0','0',:t)"), {"o": order_no, "c": customer, "w": cust.warehouse, "t": now, "u": admin})
        conn.execute(text(LINE_SQL), [{"o": order_no, "l": n, "s": sku, "q": qty}
                                      for n, (sku, qty) in enumerate(sorted(lines), 1)])
        conn.execute(text(MOVEMENT_SQL), [{"t": now, "w": t["w"], "s": t["s"], "b": t["b"], "na": -t["n"], "n": t["n"],
                                           "o": order_no, "u": admin} for t in takes])
        conn.execute(text("INSERT INTO order_allocation (order_no, sku, batch, qty) VALUES (:o,:s,:b,:n)"),
                     [{"o": order_no, "s": t["s"], "b": t["b"], "n": t["n"]} for t in takes])
        conn.execute(text(AUDIT_SQL), {"t": now, "u": admin, "o": order_no})


def measure(fn, engine, admin, jobs, clients: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def one(job):
        nonlocal errors
        t0 = time.perf_counter()
        try:
            fn(engine, admin, job)
        except (DomainError, RuntimeError):
            with lock:
                errors += 1
            return
        with lock:
            latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, jobs))
    wall = time.perf_counter() - start
    lat = sorted(latencies)
    return {"orders_s": len(lat) / wall, "p50_ms": statistics.median(lat) * 1000 if lat else 0,
            "p95_ms": lat[int(len(lat) * 0.95) - 1] * 1000 if lat else 0, "ok": len(lat), "errors": errors}


def run(label: str, url: str, world: Path, n: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    import_world(engine, world, clock=CLOCK)
    print(f"[{label}] world imported in {time.perf_counter() - t0:.1f}s")
    admin, jobs = workload(engine, n * 6, seed=7)
    for clients in (1, 8):
        part = jobs[:n] if clients == 1 else jobs[n:3 * n]
        rest = jobs[3 * n:] + jobs[:n]
        core = measure(core_order, engine, admin, part, clients)
        full = measure(baseline_full, engine, admin, rest[:len(part)], clients)
        base = measure(baseline_order, engine, admin, rest[len(part):2 * len(part)] or rest[:len(part)], clients)
        ratio = full["orders_s"] / core["orders_s"] if core["orders_s"] else float("inf")
        print(f"[{label}] {clients} client(s): core {core['orders_s']:.0f} orders/s (p50 {core['p50_ms']:.1f} ms, "
              f"p95 {core['p95_ms']:.1f} ms, {core['ok']} ok, {core['errors']} refused) | hand-written SQL "
              f"{full['orders_s']:.0f} orders/s (p50 {full['p50_ms']:.1f} ms, p95 {full['p95_ms']:.1f} ms) | "
              f"baseline/core = {ratio:.2f}x | hand-written create only {base['orders_s']:.0f} orders/s "
              f"(p50 {base['p50_ms']:.1f} ms, p95 {base['p95_ms']:.1f} ms)")
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skus", type=int, default=10000)
    ap.add_argument("--customers", type=int, default=2000)
    ap.add_argument("--orders", type=int, default=300, help="orders per measured run")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp) / "world"
        generate_world(world, skus=args.skus, customers=args.customers, history_lines=2000, seed=1)
        run("sqlite", f"sqlite:///{tmp}/bench.db", world, args.orders)
        name = f"dms_bench_{uuid.uuid4().hex[:8]}"
        try:
            with psycopg.connect(args.pg, autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as e:
            print(f"[postgres] skipped: {e}")
            return
        try:
            run("postgres", args.pg.rsplit("/", 1)[0] + "/" + name, world, args.orders)
        finally:
            with psycopg.connect(args.pg, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
