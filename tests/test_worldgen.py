"""The world generator: deterministic, and what it writes imports cleanly and covers the format."""

import csv
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path

import pytest
import sqlmodel
from sqlalchemy import select
from sqlmodel import Session, col

from core.access import load_actor, visible_customer_codes
from core.approvals import RULE_KINDS
from core.field_reports import visit_compliance
from core.parties import ROLES
from core.pricing import price_context, prices_for
from core.tables.approvals import ApprovalRule
from core.tables.catalogue import Sku
from core.tables.field import Attendance, Beat, Target, Visit
from core.tables.inventory import OrderAllocation, StockBalance
from core.tables.orders import Order, OrderLine
from core.tables.parties import Customer, User
from core.tables.pricing import Price
from core.tables.schemes import Scheme
from core.targets import SALES_STATUSES, month_bounds
from core.types import money
from core.world import import_world
from evals.worldgen import HEADERS, generate_world

SMALL = dict(skus=60, customers=200, history_lines=300)


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.fixture(scope="module")
def small_world(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    directory = tmp_path_factory.mktemp("world")
    return directory, generate_world(directory, seed=11, **SMALL)


# The generator's targets are checked against sales summed the plain way, a query per target
# (core.targets sums them grouped, for speed): an independent reading of rules.md.
def net_sales(session: Session, customers: set[str] | None, start: date, end: date, tz: tzinfo) -> Decimal:
    """Σ (gross − discount) of the sales orders of `customers` (None = all) with order dates in [start, end)."""
    from_, to = datetime.combine(start, time.min, tz), datetime.combine(end, time.min, tz)
    q = sqlmodel.select(col(Order.gross), col(Order.discount)).where(
        col(Order.status).in_(SALES_STATUSES), col(Order.created_at) >= from_, col(Order.created_at) < to
    )
    if customers is not None:
        if not customers:
            return Decimal("0.00")
        q = q.where(col(Order.customer).in_(sorted(customers)))
    return money(sum((g - d for g, d in session.exec(q).all()), Decimal("0")))


def rep_customers(session: Session, rep_id: str) -> set[str]:
    codes = visible_customer_codes(session, load_actor(session, rep_id))
    return set() if codes is None else codes


def distributor_customers(session: Session, code: str) -> set[str]:
    return {code} | set(session.exec(sqlmodel.select(Customer.code).where(Customer.distributor == code)).all())


def test_same_seed_same_bytes_other_seed_other_world(tmp_path, small_world):
    directory, counts = small_world
    generate_world(tmp_path / "again", seed=11, **SMALL)
    generate_world(tmp_path / "other", seed=12, **SMALL)
    assert files_of(tmp_path / "again") == files_of(directory)
    other = files_of(tmp_path / "other")
    assert other.keys() == files_of(directory).keys()
    assert other["customers.csv"] != files_of(directory)["customers.csv"]
    assert other["stock.csv"] != files_of(directory)["stock.csv"]


def test_files_have_the_exact_columns_and_the_asked_sizes(small_world):
    directory, counts = small_world
    assert set(counts) == set(HEADERS)
    for name, header in HEADERS.items():
        with (directory / f"{name}.csv").open(newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == header, name
        assert len(rows) - 1 == counts[name], name
    assert counts["skus"] == SMALL["skus"]
    assert counts["customers"] == SMALL["customers"]
    assert counts["order_lines"] == SMALL["history_lines"]


def test_too_small_a_world_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 10 SKUs"):
        generate_world(tmp_path, skus=5, customers=100, history_lines=0, seed=1)


def test_world_without_history_imports(engine, clock, tmp_path):
    counts = generate_world(tmp_path, skus=12, customers=20, history_lines=0, seed=3)
    assert counts["orders"] == counts["order_lines"] == counts["payments"] == 0
    report = import_world(engine, tmp_path, clock=clock)
    assert report.counts["customers"] == 20


def test_small_world_imports_and_covers_the_format(engine, clock, small_world):
    directory, counts = small_world
    report = import_world(engine, directory, clock=clock)
    assert {k: v for k, v in report.counts.items() if v} == {k: v for k, v in counts.items() if v}
    today = clock.today()
    with Session(engine) as s:
        assert {u.role for u in s.scalars(select(User))} == set(ROLES)
        customers = list(s.scalars(select(Customer)))
        assert {c.type for c in customers} == {"distributor", "wholesaler", "retailer", "modern_trade"}
        assert {c.status for c in customers} == {"active", "pending", "blocked"}
        assert all(c.distributor for c in customers if c.type == "retailer")
        assert {r.when for r in s.scalars(select(ApprovalRule))} == set(RULE_KINDS)

        schemes = list(s.scalars(select(Scheme)))
        assert {x.kind for x in schemes} == {"volume", "value", "free_goods"}
        assert any(x.discount_pct for x in schemes if x.kind == "volume")
        assert any(x.discount_flat for x in schemes if x.kind == "volume")
        assert any(x.discount_flat for x in schemes if x.kind == "value")
        free = [x for x in schemes if x.kind == "free_goods"]
        assert {x.recursive for x in free} == {True, False}
        assert any(x.free_sku and x.free_sku != x.sku for x in free)
        for qualifier in ("sku", "product", "brand", "category", "customer_type", "region"):
            assert any(getattr(x, qualifier) for x in schemes), qualifier
        assert any(x.stackable for x in schemes) and len({x.priority for x in schemes}) > 1

        prices = list(s.scalars(select(Price)))
        assert {p.sku for p in prices if not (p.customer_type or p.region or p.customer)} == set(
            s.scalars(select(Sku.code))
        )
        for scope in ("customer_type", "region", "customer"):
            assert any(getattr(p, scope) for p in prices), scope
        assert any(p.valid_to for p in prices)

        batches = list(s.scalars(select(StockBalance)))
        assert any(b.expiry_date and b.expiry_date < today and b.available > 0 for b in batches)
        assert any(b.damaged > 0 for b in batches)
        assert {sku.allocation for sku in s.scalars(select(Sku))} == {"FEFO", "FIFO"}

        orders = list(s.scalars(select(Order)))
        assert {o.status for o in orders} == {"confirmed", "dispatched", "delivered", "cancelled"}
        confirmed = {o.order_no for o in orders if o.status == "confirmed"}
        reserved = {a.order_no for a in s.scalars(select(OrderAllocation))}
        assert reserved == confirmed


def test_history_prices_are_the_price_lists(engine, clock, small_world):
    directory, _ = small_world
    import_world(engine, directory, clock=clock)
    with Session(engine) as s:
        orders = {o.order_no: o for o in s.scalars(select(Order))}
        customers = {c.code: c for c in s.scalars(select(Customer))}
        contexts = {}
        checked = 0
        for line in s.scalars(select(OrderLine).order_by(OrderLine.id)):
            order = orders[line.order_no]
            ctx = contexts.get(order.customer) or contexts.setdefault(
                order.customer, price_context(s, customers[order.customer])
            )
            on = order.created_at.astimezone(clock.tz).date()
            assert prices_for(s, [line.sku], ctx, on)[line.sku].price == line.unit_price, line.order_no
            assert line.gross > line.discount >= 0
            checked += 1
        assert checked == SMALL["history_lines"]
        assert min(o.created_at.astimezone(clock.tz).date() for o in orders.values()) >= date(2026, 1, 1)


def test_field_history_imports_and_holds_together(engine, clock, small_world):
    """Visits in the rep's scope and inside their working day; linked orders of that outlet, taken
    during the visit; at most one open day per rep (today's); a few off-site starts; targets of
    every rep and distributor for every month, near what the core counts as their sales."""
    directory, counts = small_world
    report = import_world(engine, directory, clock=clock)
    assert all(report.counts[f] == counts[f] > 0 for f in ("attendance", "visits", "targets"))
    today = clock.today()
    with Session(engine) as s:
        reps = list(s.scalars(select(User.id).where(User.role == "sales_rep")))
        scope = {r: visible_customer_codes(s, load_actor(s, r)) for r in reps}
        days = {}
        for a in s.scalars(select(Attendance)):
            assert a.check_out is not None or a.day == today, a
            assert (a.user_id, a.day) not in days and a.in_latitude is not None
            days[(a.user_id, a.day)] = a
        assert {r for r, d in days if d == today} and all(days[(r, d)].check_out for r, d in days if d < today)
        visits = list(s.scalars(select(Visit)))
        orders = {o.order_no: o for o in s.scalars(select(Order))}
        for v in visits:
            assert v.customer in scope[v.user_id], v.id
            day = days[(v.user_id, v.day)]
            assert day.check_in <= v.started_at and (day.check_out is None or v.ended_at <= day.check_out), v.id
            assert v.day.weekday() < 6 and (v.ended_at is not None or v.day == today)
            if v.order_no:
                o = orders[v.order_no]
                assert (o.customer, o.created_by) == (v.customer, v.user_id), v.id
                assert v.started_at <= o.created_at <= v.ended_at, v.id
            assert v.distance_m is None or v.distance_m <= 51 or 290 <= v.distance_m <= 2010, (v.id, v.distance_m)
        assert len({v.id for v in visits}) == len(visits) and all(v.id.startswith("V-") for v in visits)
        assert sum(v.outcome == "order" for v in visits) >= 5
        assert len({v.reason for v in visits if v.outcome == "no_order"}) == 7
        assert 0.01 <= sum(v.off_site for v in visits) / len(visits) <= 0.08
        assert 0 < sum(not v.planned for v in visits) / len(visits) <= 0.1
        rows = visit_compliance(
            s, load_actor(s, "U-ADM-1"), clock, min(v.day for v in visits), today - timedelta(days=1), by="week"
        )
        planned, covered = sum(r.planned for r in rows), sum(r.covered for r in rows)
        assert 0.75 <= covered / planned <= 0.97, (covered, planned)

        beats = list(s.scalars(select(Beat)))
        assert {b.weekday for b in beats} == {"mon", "tue", "wed", "thu", "fri", "sat"}
        on_beats = [c for b in beats for c in b.customers.split("|")]
        assert len(on_beats) == len(set(on_beats))  # each outlet on one beat
        customers = list(s.scalars(select(Customer)))
        assert all(c.latitude is not None and c.outlet_class for c in customers)
        assert {c.outlet_class for c in customers} == {"A", "B", "C"}

        targets = list(s.scalars(select(Target)))
        months = sorted({t.month for t in targets})
        assert months[-1] == today.strftime("%Y-%m") and months[0] == "2026-01"
        distributors = {c.code for c in customers if c.type == "distributor"}
        for m in months:
            assert {t.user_id for t in targets if t.month == m} - {None} == set(reps)
            assert {t.customer for t in targets if t.month == m} - {None} == distributors
        near = 0
        for t in targets:
            if t.month == months[-1]:
                continue
            codes = rep_customers(s, t.user_id) if t.user_id else distributor_customers(s, t.customer)
            sold = net_sales(s, codes, *month_bounds(t.month), clock.tz)
            if sold >= 20000:
                assert Decimal("0.77") <= t.target / sold <= Decimal("1.23"), (t.month, t.user_id, t.customer)
                near += 1
        assert near >= 10


# --- dms world generate: a world that imports on the clock it is imported with -------------


def _generate_then_import(engine, tmp_path, monkeypatch, *generate_args):
    from typer.testing import CliRunner

    from channels.cli import app
    from core.settings import get_settings

    monkeypatch.setenv("DMS_DATABASE_URL", engine.url_string)
    monkeypatch.setenv("DMS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        world = tmp_path / "generated"
        made = CliRunner().invoke(
            app,
            [
                "world",
                "generate",
                str(world),
                "--skus",
                "30",
                "--customers",
                "40",
                "--history-lines",
                "120",
                *generate_args,
            ],
        )
        assert made.exit_code == 0, made.output
        imported = CliRunner().invoke(app, ["import", str(world)])
    finally:
        get_settings.cache_clear()
    return made, imported


def test_a_generated_world_imports_on_the_real_clock(engine, tmp_path, monkeypatch):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    monkeypatch.delenv("DMS_NOW", raising=False)
    monkeypatch.delenv("DMS_TIMEZONE", raising=False)
    made, imported = _generate_then_import(engine, tmp_path, monkeypatch)
    today = datetime.now(ZoneInfo("Asia/Kolkata")).date()
    assert f"(as of {today})" in " ".join(made.output.split())
    assert imported.exit_code == 0, imported.output
    with Session(engine) as s:
        last = max(o.created_at for o in s.exec(select(Order)).scalars())
    assert last.date() <= today


def test_generate_today_dates_the_history_and_the_stock(engine, tmp_path, monkeypatch):
    """Six months after the generator's old fixed date its world no longer imported (open orders
    could not reserve expired batches); dated to that day with --today, it does."""
    monkeypatch.setenv("DMS_NOW", "2027-06-01T10:00:00+05:30")
    made, imported = _generate_then_import(engine, tmp_path, monkeypatch, "--today", "2027-06-01")
    assert imported.exit_code == 0, imported.output
    with Session(engine) as s:
        dates = {o.created_at.date() for o in s.exec(select(Order)).scalars()}
    assert min(dates) >= date(2026, 7, 13) and max(dates) <= date(2027, 6, 1)


def test_generate_refuses_a_day_that_is_not_a_date(tmp_path):
    from typer.testing import CliRunner

    from channels.cli import app

    result = CliRunner().invoke(app, ["world", "generate", str(tmp_path / "w"), "--today", "2027-13-01"])
    assert result.exit_code == 2 and "'2027-13-01' is not a date (YYYY-MM-DD)" in result.output
    assert not (tmp_path / "w").exists()
