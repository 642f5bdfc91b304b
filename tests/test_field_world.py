"""The field files of a world (world.md): every bad row reported as file:line: column, nothing
written on error; import(export(world)) round-trips; the migration adds field work losslessly;
and exactly one of N simultaneous check-ins wins (processes released together)."""

import shutil
import uuid

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session, func, select

from core.db import make_engine
from core.state import snapshot
from core.tables.field import Attendance, Target, Visit
from core.tables.parties import Customer
from core.world import WorldErrors, export_world, import_world
from migrations import alembic_config
from tests import racing
from tests.conftest import BACKEND, NOW, RUN_ID, SAMPLE_WORLD, pg_admin, pg_url
from tests.racing import race

FIELD = {
    "targets.csv": "month,user,customer,target\n2026-11,U-REP-1,,250000.00\n2026-11,,D-BLR,900000\n",
    "attendance.csv": (
        "user,check_in,check_out,latitude,longitude\n"
        "U-REP-1,2026-11-16T09:05:00+05:30,2026-11-16T18:30:00+05:30,12.9716,77.5946\n"
        "U-REP-1,2026-11-20T09:10:00+05:30,,,\n"
        "U-REP-2,2026-11-17T09:00:00,2026-11-17T17:00:00,,\n"
    ),
    "visits.csv": (
        "id,user,customer,started_at,ended_at,outcome,reason,order_no,latitude,longitude,notes\n"
        "V-0001,U-REP-1,R-101,2026-11-16T10:00:00+05:30,2026-11-16T10:20:00+05:30,no_order,"
        "owner_absent,,12.9716,77.5946,came back later\n"
        "V-0002,U-REP-1,R-101,2026-11-10T09:00:00+05:30,2026-11-10T09:30:00+05:30,order,,SO-0905,,,\n"
        "V-0003,U-REP-1,R-106,2026-11-16T11:00:00+05:30,2026-11-16T11:10:00+05:30,no_order,"
        "shop_closed,,12.9900,77.5946,\n"
        "V-0004,U-REP-1,R-103,2026-11-20T10:00:00+05:30,,,,,,,\n"
    ),
}


def world_with(tmp_path, files: dict[str, str], customers_edit=None):
    path = tmp_path / uuid.uuid4().hex[:8]
    shutil.copytree(SAMPLE_WORLD, path)
    for name, body in files.items():
        (path / name).write_text(body, encoding="utf-8")
    if customers_edit is not None:
        f = path / "customers.csv"
        f.write_text(customers_edit(f.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def add_coordinates(text_: str) -> str:
    lines = text_.strip().split("\n")
    lines[0] += ",contact_person,latitude,longitude,class"
    for i, line in enumerate(lines[1:], 1):
        code = line.split(",")[0]
        extra = {"R-101": ",Anand,12.9716,77.5946,A", "R-106": ",,12.9716,77.5946,C"}.get(code, ",,,,")
        lines[i] = line + extra
    return "\n".join(lines) + "\n"


def test_field_files_import_and_round_trip(engine, databases, empty_template, tmp_path, clock):
    src = world_with(tmp_path, FIELD, add_coordinates)
    report = import_world(engine, src, clock=clock)
    assert (report.counts["visits"], report.counts["attendance"], report.counts["targets"]) == (4, 3, 2)
    with Session(engine) as s:
        v = {x.id: x for x in s.exec(select(Visit))}
        assert v["V-0001"].planned and not v["V-0001"].off_site and v["V-0001"].distance_m == 0
        assert v["V-0003"].off_site and v["V-0003"].planned  # 0.0184 degrees north: ~2 km
        assert v["V-0002"].order_no == "SO-0905" and not v["V-0002"].planned  # a Tuesday
        assert v["V-0004"].ended_at is None
        assert s.get(Customer, "R-101").outlet_class == "A"
        rep2 = s.exec(select(Attendance).where(Attendance.user_id == "U-REP-2")).one()
        assert rep2.check_in.astimezone(clock.tz).hour == 9  # a naive time is business time
        assert len(s.exec(select(Target)).all()) == 2
    snap = snapshot(engine)
    assert [a["open"] for a in snap["attendance"]] == [False, True, False]
    assert next(c for c in snap["customers"] if c["code"] == "R-101")["latitude"] == "12.9716"
    out = tmp_path / "exported"
    export_world(engine, out, clock=clock)
    again = databases.clone(empty_template)
    try:
        import_world(again, out, clock=clock)
        assert snapshot(again) == snap
        out2 = tmp_path / "exported2"
        export_world(again, out2, clock=clock)
        for name in ("visits.csv", "attendance.csv", "targets.csv", "customers.csv"):
            assert (out2 / name).read_text() == (out / name).read_text()
    finally:
        databases.release(again)


BAD = {
    "targets.csv": (
        "month,user,customer,target\n"
        "2026-13,U-REP-1,,100\n"  # 2: month
        "2026-11,U-REP-1,D-BLR,100\n"  # 3: both
        "2026-11,U-MGR-KA,,100\n"  # 4: not a rep
        "2026-11,,R-101,100\n"  # 5: not a distributor
        "2026-11,,D-BLR,0\n"
    ),  # 6: zero
    "attendance.csv": (
        "user,check_in,check_out,latitude,longitude\n"
        "U-NOBODY,2026-11-16T09:00:00+05:30,,,\n"  # 2: unknown user
        "U-REP-1,2026-11-16T09:00:00+05:30,2026-11-16T08:00:00+05:30,,\n"  # 3: before
        "U-REP-1,yesterday,,,\n"  # 4: not a timestamp
        "U-REP-2,2026-11-16T09:00:00+05:30,,95,77\n"  # 5: latitude out of range
        "U-REP-2,2026-11-17T09:00:00+05:30,,,\n"
    ),  # 6: second open day
    "visits.csv": (
        "id,user,customer,started_at,ended_at,outcome,reason,order_no,latitude,longitude,notes\n"
        "V-1,U-REP-1,R-999,2026-11-16T10:00:00+05:30,,,,,,,\n"  # 2: unknown customer
        "V-2,U-REP-1,R-101,2026-11-16T10:00:00+05:30,2026-11-16T10:10:00+05:30,no_order,,,,,\n"  # 3
        "V-3,U-REP-1,R-101,2026-11-16T10:00:00+05:30,2026-11-16T10:10:00+05:30,order,,SO-0904,,,\n"  # 4
        "V-4,U-REP-1,R-101,2026-11-16T10:00:00+05:30,2026-11-16T10:10:00+05:30,maybe,,,,,\n"  # 5
        "V-5,U-REP-1,R-101,2026-11-16T10:00:00+05:30,2026-11-16T10:10:00+05:30,no_order,sunny,,,,\n"
        "V-5,U-REP-2,R-102,2026-11-16T10:00:00+05:30,,,,,12.9,\n"
    ),  # 7: duplicate, half a location
}


def test_every_bad_field_row_is_reported_and_nothing_written(engine, tmp_path, clock):
    def bad_class(text_: str) -> str:
        lines = text_.strip().split("\n")
        lines[0] += ",class,latitude,longitude"
        lines = [lines[0]] + [
            ln + (",D,," if ln.startswith("R-101,") else ",,12.5," if ln.startswith("R-102,") else ",,,")
            for ln in lines[1:]
        ]
        return "\n".join(lines) + "\n"

    src = world_with(tmp_path, BAD, bad_class)
    with pytest.raises(WorldErrors) as e:
        import_world(engine, src, clock=clock)
    errors = e.value.errors
    expected = [
        "customers.csv:4: class:",
        "customers.csv:5: longitude:",
        "targets.csv:2: month:",
        "targets.csv:3: customer: give exactly one",
        "targets.csv:4: user:",
        "targets.csv:5: customer:",
        "targets.csv:6: target:",
        "attendance.csv:2: user: unknown user",
        "attendance.csv:3: check_out: is before",
        "attendance.csv:4: check_in:",
        "attendance.csv:5: latitude:",
        "attendance.csv:6: check_out: a rep has one open",
        "visits.csv:2: customer: unknown customer",
        "visits.csv:3: reason: a visit with outcome no_order",
        "visits.csv:4: order_no: order SO-0904 is for R-103",
        "visits.csv:5: outcome:",
        "visits.csv:6: reason:",
        "visits.csv:7: id: duplicate",
        "visits.csv:7: longitude: give both",
    ]
    for prefix in expected:
        assert any(err.startswith(prefix) for err in errors), (prefix, errors)
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Customer)).one() == 0


# --- the migration -------------------------------------------------------------------------


def test_migration_0006_keeps_existing_customers(tmp_path):
    if BACKEND == "postgres":
        name = f"dms_{RUN_ID}_mig{uuid.uuid4().hex[:6]}"
        pg_admin(f'CREATE DATABASE "{name}"')
        url = pg_url(name)
    else:
        url = f"sqlite:///{tmp_path / 'mig.db'}"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0005")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO customer (code, name, type, region, warehouse, payment_terms_days, "
                    "opening_balance, opening_paid, phone, status) VALUES ('C-1', 'Old Shop', 'retailer', "
                    "'R', 'W', 7, '125.50', '0', '+91-1', 'pending')"
                )
            )
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with Session(engine) as s:
            c = s.get(Customer, "C-1")
            assert (c.name, c.payment_terms_days, str(c.opening_balance), c.phone, c.status) == (
                "Old Shop",
                7,
                "125.50",
                "+91-1",
                "pending",
            )
            assert (c.contact_person, c.latitude, c.longitude, c.outlet_class) == (None, None, None, None)
            assert s.exec(select(func.count()).select_from(Visit)).one() == 0
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
        if BACKEND == "postgres":
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- concurrency ---------------------------------------------------------------------------


def _check_in(engine, clock, user):
    from core.attendance import start_day

    return racing._in_transaction(engine, user, "race", lambda s, a: start_day(s, a, clock).id)


def _visit(engine, clock, user, customer):
    from core.visits import start_visit

    return racing._in_transaction(engine, user, "race", lambda s, a: start_visit(s, a, clock, customer).visit.id)


racing.OPS.setdefault("check_in", _check_in)
racing.OPS.setdefault("visit", _visit)


def test_one_of_eight_simultaneous_check_ins_wins(sample):
    results = race(sample.url_string, NOW, [("check_in", ("U-REP-1",))] * 8)
    assert [r.detail for r in results if r.kind == "error"] == []
    assert sum(r.kind == "won" for r in results) == 1, results
    assert all("already started" in r.detail for r in results if r.kind == "refused")
    with Session(sample) as s:
        assert s.exec(select(func.count()).select_from(Attendance)).one() == 1


def test_simultaneous_visit_starts_leave_one_open_visit(sample):
    from core.access import load_actor
    from core.attendance import start_day
    from core.clock import Clock
    from core.db import transaction

    with transaction(sample) as s:
        start_day(s, load_actor(s, "U-REP-1"), Clock(NOW.tzinfo, NOW))
    outlets = ["R-101", "R-106", "R-103", "R-101", "R-106", "R-103"]
    results = race(sample.url_string, NOW, [("visit", ("U-REP-1", c)) for c in outlets])
    assert [r.detail for r in results if r.kind == "error"] == []
    with Session(sample) as s:
        visits = s.exec(select(Visit)).all()
        assert sum(v.ended_at is None for v in visits) == 1  # each later start ended the one before
        assert len(visits) == sum(r.kind == "won" for r in results) >= 1
