"""The project's evaluation suites (evals/suites) are well formed against spec/scenarios.md,
and the project's own worlds they use (pharma, hardware) import cleanly.

Checked independently of the runner's own loader, so a loader bug cannot hide a bad file:
YAML parses, ids are unique, worlds exist, `as` users exist in the world's users.csv, only
the keys of scenarios.md are used, and each scenario is tagged with its user's role.
"""

import csv
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SUITES = ROOT / "evals" / "suites"
FILES = sorted(SUITES.glob("*.yaml"))

SCENARIO_KEYS = {"id", "world", "as", "channel", "now", "tags", "turns", "final"}
REQUIRED = {"id", "world", "as", "now", "turns"}
CHANNELS = {"cli", "web", "slack", "telegram"}
TURN_KEYS = {"user", "expect", "as", "channel"}  # scenarios.md: a turn may name its own user and channel
EXPECT_LISTS = {"reply_contains", "reply_contains_any", "reply_not_contains", "reply_matches"}
EXPECT_BOOLS = {"confirmation_requested", "refused", "state_unchanged"}
FINAL_FIELDS = {
    "orders_created": {"customer", "warehouse", "status", "total", "lines"},
    "orders_changed": {"order_no", "status"},
    "payments_created": {"customer", "amount", "method"},
    "stock": {"warehouse", "sku", "batch", "available", "reserved", "damaged"},
    "approvals_created": {"order_customer", "reasons", "approver_role", "status"},
    # scenarios.md, field work
    "visits_created": {"user", "customer", "outcome", "reason", "order_no", "off_site"},
    "attendance_created": {"user", "open"},
    "customers_created": {"name", "type", "region", "status"},
    "customers_changed": {"code", "status", "phone", "contact_person", "class", "latitude", "longitude"},
}
LINE_FIELDS = {"sku", "qty", "free_qty", "unit_price", "discount"}
ROLES = {"admin", "manager", "sales_rep", "warehouse", "distributor", "retailer"}


def _scenarios(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


ALL = [(f, s) for f in FILES for s in _scenarios(f)]


def _users(world: Path) -> dict[str, dict]:
    with open(world / "users.csv", newline="", encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def _is_money(v) -> bool:
    try:
        Decimal(str(v))
        return not isinstance(v, float) or str(v) == str(Decimal(str(v)))
    except InvalidOperation:
        return False


def test_there_are_enough_suites_and_scenarios():
    assert len(FILES) >= 4
    assert len(ALL) >= 250
    worlds = {(f.parent / s["world"]).resolve().name for f, s in ALL}
    assert {"demo", "pharma", "hardware"} <= worlds
    per_world = {}
    for f, s in ALL:
        name = (f.parent / s["world"]).resolve().name
        per_world[name] = per_world.get(name, 0) + 1
    assert per_world["hardware"] >= 80


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_parses_as_yaml_list_of_mappings(path):
    items = _scenarios(path)
    assert items and all(isinstance(s, dict) for s in items)


def test_ids_are_unique_across_suites():
    seen: dict[str, str] = {}
    dupes = []
    for f, s in ALL:
        if s["id"] in seen:
            dupes.append(f"{s['id']} in {f.name} and {seen[s['id']]}")
        seen.setdefault(s["id"], f.name)
    assert not dupes, dupes


@pytest.mark.parametrize("path,scenario", ALL, ids=[s["id"] for _, s in ALL])
def test_scenario_is_well_formed(path, scenario):
    s = scenario
    assert set(s) <= SCENARIO_KEYS, set(s) - SCENARIO_KEYS
    assert set(s) >= REQUIRED, REQUIRED - set(s)
    assert isinstance(s["id"], str) and s["id"]
    world = (path.parent / s["world"]).resolve()
    assert (world / "users.csv").is_file(), f"no world at {world}"
    users = _users(world)
    assert s["as"] in users, f"{s['as']} not in {world.name}/users.csv"
    assert s.get("channel", "cli") in CHANNELS
    now = s["now"] if isinstance(s["now"], datetime) else datetime.fromisoformat(str(s["now"]))
    assert now.tzinfo is not None, "now needs a UTC offset"
    tags = s.get("tags", [])
    assert isinstance(tags, list) and all(isinstance(t, str) for t in tags)
    assert users[s["as"]]["role"] in tags, "tag the scenario with its user's role"

    assert isinstance(s["turns"], list) and s["turns"]
    for turn in s["turns"]:
        assert set(turn) <= TURN_KEYS, set(turn) - TURN_KEYS
        assert isinstance(turn["user"], str) and turn["user"].strip(), "user text (quote yes/no/ok)"
        expect = turn.get("expect") or {}
        assert set(expect) <= EXPECT_LISTS | EXPECT_BOOLS, set(expect) - EXPECT_LISTS - EXPECT_BOOLS
        for key in EXPECT_LISTS & set(expect):
            assert isinstance(expect[key], list) and all(isinstance(x, str) for x in expect[key]), key
        for key in EXPECT_BOOLS & set(expect):
            assert isinstance(expect[key], bool), key

    final = s.get("final") or {}
    assert set(final) <= set(FINAL_FIELDS) | {"no_changes"}, set(final) - set(FINAL_FIELDS)
    if "no_changes" in final:
        assert final["no_changes"] is True
    for key, fields in FINAL_FIELDS.items():
        for item in final.get(key, []):
            assert isinstance(item, dict) and set(item) <= fields, (key, set(item) - fields)
            for money_field in ("total", "amount"):
                if money_field in item:
                    assert isinstance(item[money_field], str) and _is_money(item[money_field]), (
                        f"{key}.{money_field} must be a quoted decimal"
                    )
            for line in item.get("lines", []):
                assert set(line) <= LINE_FIELDS and "sku" in line, set(line) - LINE_FIELDS
                for f in ("unit_price", "discount"):
                    if f in line:
                        assert isinstance(line[f], str) and _is_money(line[f])
    for item in final.get("stock", []):
        assert {"warehouse", "sku"} <= set(item)


def test_every_role_of_both_worlds_is_exercised():
    roles = {}
    for f, s in ALL:
        world = (f.parent / s["world"]).resolve()
        roles.setdefault(world.name, set()).add(_users(world)[s["as"]]["role"])
    assert roles["pharma"] == ROLES
    assert roles["demo"] == ROLES
    assert roles["hardware"] == ROLES


def test_project_loader_accepts_the_suites():
    scenario = pytest.importorskip("evals.scenario")
    loaded = scenario.load_paths([SUITES])
    assert len(loaded) == len(ALL)


def test_pharma_world_imports_cleanly(engine, clock):
    from sqlmodel import Session, func, select

    from core.tables.catalogue import Sku
    from core.tables.inventory import StockBalance
    from core.tables.orders import Order
    from core.world import import_world

    report = import_world(engine, ROOT / "worlds" / "pharma", clock=clock)
    assert report.counts["skus"] == 16 and report.counts["users"] == 16
    with Session(engine) as s:
        assert 12 <= s.exec(select(func.count()).select_from(Sku)).one() <= 20
        assert s.exec(select(func.count()).select_from(Order)).one() == 14
        # confirmed history orders reserve their lines (and free goods) at import
        reserved = s.exec(select(func.sum(StockBalance.reserved))).one()
        assert reserved == 20 + 50 + 50 + 24 + 12


def test_hardware_world_imports_cleanly(engine, clock):
    from sqlmodel import Session, func, select

    from core.tables.catalogue import Sku
    from core.tables.inventory import StockBalance
    from core.tables.orders import Order
    from core.world import import_world

    report = import_world(engine, ROOT / "worlds" / "hardware", clock=clock)
    assert report.counts["skus"] == 17 and report.counts["users"] == 16
    assert report.counts["schemes"] == 12 and report.counts["approval_rules"] == 4
    with Session(engine) as s:
        assert 14 <= s.exec(select(func.count()).select_from(Sku)).one() <= 20
        assert s.exec(select(func.count()).select_from(Order)).one() == 15
        # confirmed history orders reserve their lines and free goods: SO-7009 (100 tees + 10 pipes),
        # SO-7010 (100 + 4 free bags of OPC) and SO-7014 (50 kg binding wire)
        reserved = s.exec(select(func.sum(StockBalance.reserved))).one()
        assert reserved == 110 + 104 + 50
