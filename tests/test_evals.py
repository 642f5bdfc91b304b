"""The evaluation runner: scenario loading, checks, and runs through the real assistant."""

import json
import shutil
from copy import deepcopy
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from channels.cli_eval import eval_app
from conftest import NOW, SAMPLE_WORLD
from core.state import snapshot
from evals.checks import check_final, check_turn, contains, invariants, normalise, state_diff
from evals.report import build_report, percentile, to_markdown
from evals.runner import Runner
from evals.scenario import LoadError, load_paths


def write(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def scenario_yaml(world: Path, extra: str = "", turn: str = '  - user: "show low stock"\n') -> str:
    return f"id: s1\nworld: {world}\nas: U-REP-1\nnow: 2026-11-20T10:30:00+05:30\n{extra}turns:\n{turn}"


def load_error(tmp_path: Path, body: str) -> str:
    f = write(tmp_path / "bad.yaml", body)
    with pytest.raises(LoadError) as e:
        load_paths([f])
    return str(e.value)


# --- loading -------------------------------------------------------------------------------


def test_loads_folders_recursively_lists_and_yaml12_booleans(tmp_path):
    write(tmp_path / "a.yaml", scenario_yaml(SAMPLE_WORLD, "channel: slack\ntags: [stock]\n"))
    write(
        tmp_path / "sub" / "b.yml",
        f"""
- id: two
  world: {SAMPLE_WORLD}
  as: U-RET-101
  now: 2026-11-20T10:30:00
  turns:
    - user: yes
      expect: {{confirmation_requested: false, reply_contains: "12,500"}}
- id: three
  world: {SAMPLE_WORLD}
  as: U-MGR-KA
  now: "2026-11-20T10:30:00+05:30"
  turns: [{{user: hello}}]
""",
    )
    s = {x.id: x for x in load_paths([tmp_path])}
    assert set(s) == {"s1", "two", "three"}
    assert s["s1"].channel == "slack" and s["s1"].tags == ["stock"] and s["s1"].role == "sales_rep"
    assert s["two"].turns[0].user == "yes"  # not the boolean True
    assert s["two"].turns[0].expect == {"confirmation_requested": False, "reply_contains": ["12,500"]}
    assert s["two"].channel == "cli" and s["two"].role == "retailer"
    assert s["two"].now == datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert s["three"].now.utcoffset().total_seconds() == 19800


def test_relative_world_is_resolved_from_the_scenario_file(tmp_path):
    shutil.copytree(SAMPLE_WORLD, tmp_path / "worlds" / "w")
    f = write(tmp_path / "suite" / "x.yaml", scenario_yaml(Path("../worlds/w")))
    [s] = load_paths([f])
    assert s.world == (tmp_path / "worlds" / "w").resolve()


def test_unknown_top_level_key_names_file_and_key(tmp_path):
    msg = load_error(tmp_path, scenario_yaml(SAMPLE_WORLD, "colour: blue\n"))
    assert "bad.yaml" in msg and "unknown key 'colour'" in msg


def test_unknown_expect_and_final_keys_are_errors(tmp_path):
    msg = load_error(
        tmp_path,
        scenario_yaml(
            SAMPLE_WORLD,
            "final:\n  orders_created:\n    - {custmer: R-101}\n  no_change: true\n",
            '  - user: hi\n    expect: {reply_contain: ["x"]}\n',
        ),
    )
    assert "unknown key 'reply_contain'" in msg and "turn 1" in msg
    assert "unknown key 'custmer'" in msg and "orders_created[1]" in msg
    assert "unknown key 'no_change'" in msg


def test_missing_world_is_a_clear_error(tmp_path):
    msg = load_error(tmp_path, scenario_yaml(tmp_path / "nowhere"))
    assert "bad.yaml" in msg and "world: folder not found" in msg and "nowhere" in msg


def test_unknown_user_bad_values_and_duplicates(tmp_path):
    msg = load_error(
        tmp_path,
        scenario_yaml(SAMPLE_WORLD).replace("U-REP-1", "U-NOBODY").replace("turns:", "channel: fax\nturns:")
        + '    expect: {refused: maybe, reply_matches: ["("]}\n',
    )
    assert "user 'U-NOBODY' is not in" in msg
    assert "channel: 'fax'" in msg
    assert "refused: must be true or false" in msg
    assert "bad regular expression" in msg
    write(tmp_path / "d" / "a.yaml", scenario_yaml(SAMPLE_WORLD))
    write(tmp_path / "d" / "b.yaml", scenario_yaml(SAMPLE_WORLD))
    with pytest.raises(LoadError, match="id 's1': duplicate id"):
        load_paths([tmp_path / "d"])


def test_missing_required_keys_and_no_files(tmp_path):
    msg = load_error(tmp_path, f"id: x\nworld: {SAMPLE_WORLD}\n")
    assert "missing required key 'as'" in msg and "missing required key 'turns'" in msg
    assert "missing required key 'now'" in msg
    (tmp_path / "empty").mkdir()
    with pytest.raises(LoadError, match="no scenario files"):
        load_paths([tmp_path / "empty"])


def test_cli_exits_2_on_load_errors(tmp_path):
    f = write(tmp_path / "bad.yaml", scenario_yaml(SAMPLE_WORLD, "colour: blue\n"))
    result = CliRunner().invoke(eval_app, ["run", str(f)])
    assert result.exit_code == 2
    assert "colour" in result.output


# --- text checks ----------------------------------------------------------------------------


def test_number_and_space_normalisation():
    assert normalise("Total  Rs 12,500.00\n") == "total rs 12500.00"
    assert contains("Total: Rs 12500 due", "12,500")
    assert contains("Total: Rs 12,500 due", "12500")
    assert contains("Rs 1,23,456.50", "123456.5")
    assert contains("SO-1001 is CONFIRMED", "so-1001 is confirmed")
    assert contains("48\nhours", "48 hours")
    assert contains("2 832 free", "2832")  # spaces ignored as well
    assert not contains("Total 12,400", "12500")
    assert not contains("a, b", "ab,")


def turn(expect, reply="You have Noodles: 12,500 units", outcome="answered", awaiting=False, before=None, after=None):
    before = before if before is not None else {"orders": []}
    after = after if after is not None else before
    return {c.name: c for c in check_turn(expect, reply, outcome, awaiting, before, after)}


def test_reply_checks_pass_and_fail():
    assert turn({"reply_contains": ["noodles", "12500"]})["reply_contains"].passed
    bad = turn({"reply_contains": ["noodles", "Neem"]})["reply_contains"]
    assert not bad.passed and "Neem" in bad.detail
    assert turn({"reply_contains_any": ["Neem", "NOODLES"]})["reply_contains_any"].passed
    assert not turn({"reply_contains_any": ["Neem", "Sunleaf"]})["reply_contains_any"].passed
    assert turn({"reply_not_contains": ["Neem"]})["reply_not_contains"].passed
    assert not turn({"reply_not_contains": ["12500"]})["reply_not_contains"].passed
    assert turn({"reply_matches": [r"\d+,\d{3}"]})["reply_matches"].passed
    assert not turn({"reply_matches": [r"SO-\d+"]})["reply_matches"].passed


def test_confirmation_refusal_and_state_checks():
    before, after = {"orders": []}, {"orders": [{"order_no": "SO-1"}]}
    assert turn({"confirmation_requested": True}, awaiting=True)["confirmation_requested"].passed
    assert not turn({"confirmation_requested": True}, awaiting=False)["confirmation_requested"].passed
    assert turn({"confirmation_requested": False}, awaiting=False)["confirmation_requested"].passed
    assert turn({"refused": True}, outcome="refused")["refused"].passed
    assert not turn({"refused": True}, outcome="answered")["refused"].passed
    changed = turn({"refused": True}, outcome="refused", before=before, after=after)["refused"]
    assert not changed.passed and "state changed" in changed.detail
    assert turn({"state_unchanged": True})["state_unchanged"].passed
    assert not turn({"state_unchanged": True}, before=before, after=after)["state_unchanged"].passed


def test_invariants():
    assert invariants("Here you go", "answered", {"a": []}, {"a": []}) == []
    assert invariants("Done: SO-1", "done", {"a": []}, {"a": [1]}) == []
    names = {c.name for c in invariants("", "answered", {}, {})}
    assert names == {"invariant: reply not empty"}
    tb = 'Traceback (most recent call last):\n  File "x.py", line 3, in f\nKeyError: 1'
    assert {c.name for c in invariants(tb, "error", {}, {})} == {"invariant: no traceback"}
    [c] = invariants("Preview", "preview", {"a": []}, {"a": [1]})
    assert c.name == "invariant: no change without confirmation" and not c.passed


# --- final checks ---------------------------------------------------------------------------

ORDER = {
    "order_no": "SO-1001",
    "customer": "R-101",
    "warehouse": "WH-BLR",
    "status": "confirmed",
    "total": "2832.00",
    "schemes": ["S1"],
    "lines": [
        {
            "sku": "CC-100",
            "qty": 240,
            "free_qty": 24,
            "unit_price": "10.00",
            "discount": "0.00",
            "tax": "0.00",
            "line_total": "2400.00",
        },
        {
            "sku": "GD-1L",
            "qty": 0,
            "free_qty": 2,
            "unit_price": "138.00",
            "discount": "0.00",
            "tax": "0.00",
            "line_total": "0.00",
        },
    ],
}
OLD = {
    "order_no": "SO-0905",
    "customer": "R-101",
    "warehouse": "WH-BLR",
    "status": "confirmed",
    "total": "100.00",
    "schemes": [],
    "lines": [],
}
BEFORE = {
    "orders": [OLD],
    "payments": [{"customer": "R-101", "amount": "10.00", "method": "cash"}],
    "approvals": [{"order_no": "SO-0905", "reasons": ["x"], "approver_role": "manager", "status": "pending"}],
    "stock": [
        {"warehouse": "WH-BLR", "sku": "CC-100", "batch": "B1", "available": 736, "reserved": 264, "damaged": 0},
        {"warehouse": "WH-BLR", "sku": "CC-100", "batch": "B2", "available": 2000, "reserved": 0, "damaged": 5},
    ],
}


def after_state():
    after = deepcopy(BEFORE)
    after["orders"].append(deepcopy(ORDER))
    after["payments"].append({"customer": "R-101", "amount": "500.00", "method": "upi"})
    after["approvals"].append(
        {
            "order_no": "SO-1001",
            "reasons": ["credit_limit_exceeded", "big_order"],
            "approver_role": "manager",
            "status": "pending",
        }
    )
    return after


def final(spec, after=None):
    return {c.name: c for c in check_final(spec, BEFORE, after if after is not None else after_state())}


def test_orders_created_matches_fields_money_as_decimals():
    exp = {
        "customer": "R-101",
        "warehouse": "WH-BLR",
        "status": ["confirmed", "pending_approval"],
        "total": "2832",
        "lines": [
            {"sku": "GD-1L", "qty": 0, "free_qty": 2},
            {"sku": "CC-100", "qty": 240, "free_qty": 24, "unit_price": "10.0"},
        ],
    }
    assert final({"orders_created": [exp]})["orders_created"].passed
    for change, word in [
        ({"total": "2832.01"}, "total"),
        ({"status": ["cancelled"]}, "status"),
        ({"customer": "R-102"}, "customer"),
        ({"lines": [{"sku": "CC-100", "qty": 240}]}, "lines"),
        ({"lines": [{"sku": "CC-100", "qty": 240, "free_qty": 12}, {"sku": "GD-1L"}]}, "free_qty"),
    ]:
        c = final({"orders_created": [{**exp, **change}]})["orders_created"]
        assert not c.passed and word in c.detail
    two = final({"orders_created": [exp, {"customer": "R-101"}]})["orders_created"]
    assert not two.passed and "expected 2, found 1" in two.detail
    assert not final({"orders_created": []})["orders_created"].passed


def test_money_text_compares_as_decimal():
    after = after_state()
    after["orders"][-1]["total"] = "1234.50"
    assert final({"orders_created": [{"total": "1234.5"}]}, after)["orders_created"].passed
    from decimal import Decimal

    assert final({"orders_created": [{"total": Decimal("1234.500")}]}, after)["orders_created"].passed


def test_orders_changed_and_no_changes():
    after = deepcopy(BEFORE)
    after["orders"][0]["status"] = "cancelled"
    assert final({"orders_changed": [{"order_no": "SO-0905", "status": ["cancelled"]}]}, after)["orders_changed"].passed
    wrong = final({"orders_changed": [{"order_no": "SO-0905", "status": ["delivered"]}]}, after)["orders_changed"]
    assert not wrong.passed and "cancelled" in wrong.detail
    new = final({"orders_changed": [{"order_no": "SO-1001", "status": ["confirmed"]}]})["orders_changed"]
    assert not new.passed and "did not exist" in new.detail
    same = final({"orders_changed": [{"order_no": "SO-0905", "status": ["confirmed"]}]}, deepcopy(BEFORE))
    assert not same["orders_changed"].passed
    assert final({"no_changes": True}, deepcopy(BEFORE))["no_changes"].passed
    c = final({"no_changes": True}, after)["no_changes"]
    assert not c.passed and "orders" in c.detail


def test_payments_and_approvals_created():
    assert final({"payments_created": [{"customer": "R-101", "amount": "500", "method": "upi"}]})[
        "payments_created"
    ].passed
    assert not final({"payments_created": [{"amount": "10.00"}]})["payments_created"].passed
    ok = {
        "order_customer": "R-101",
        "reasons": ["big_order", "credit_limit_exceeded"],
        "approver_role": "manager",
        "status": ["pending"],
    }
    assert final({"approvals_created": [ok]})["approvals_created"].passed
    bad = final({"approvals_created": [{**ok, "reasons": ["credit_limit_exceeded"]}]})["approvals_created"]
    assert not bad.passed and "reasons" in bad.detail
    assert not final({"approvals_created": [{**ok, "order_customer": "R-102"}]})["approvals_created"].passed


def test_checks_made_in_one_loop_each_use_their_own_section():
    """state_diff and check_final build a key or a matcher per section inside their loops; each
    must use its own section's values, whatever sections come after it (ruff B023)."""
    after = after_state()
    after["orders"][0]["status"] = "cancelled"
    after["stock"][1]["available"] = 1990
    diff = state_diff(BEFORE, after)
    assert [a["order_no"] for a in diff["approvals"]["added"]] == ["SO-1001"]
    assert [c["key"] for c in diff["orders"]["changed"]] == ["SO-0905"]
    assert [o["order_no"] for o in diff["orders"]["added"]] == ["SO-1001"]
    assert diff["payments"] == {"added": [after["payments"][-1]], "removed": [], "changed": []}
    assert [c["key"] for c in diff["stock"]["changed"]] == ["WH-BLR CC-100 B2"]
    assert diff["stock"]["added"] == diff["stock"]["removed"] == []
    ok = {"order_customer": "R-101", "reasons": ["big_order", "credit_limit_exceeded"]}
    checks = final(
        {
            "approvals_created": [ok],
            "orders_changed": [{"order_no": "SO-0905", "status": ["cancelled"]}],
            "payments_created": [{"customer": "R-101", "amount": "500"}],
        },
        after,
    )
    assert all(c.passed for c in checks.values()), checks


def test_stock_per_batch_and_totals():
    assert final(
        {"stock": [{"warehouse": "WH-BLR", "sku": "CC-100", "batch": "B1", "available": 736, "reserved": 264}]}
    )["stock"].passed
    assert final(
        {"stock": [{"warehouse": "WH-BLR", "sku": "CC-100", "available": 2736, "reserved": 264, "damaged": 5}]}
    )["stock"].passed
    c = final({"stock": [{"warehouse": "WH-BLR", "sku": "CC-100", "batch": "B2", "available": 1999}]})["stock"]
    assert not c.passed and "available 2000 (expected 1999)" in c.detail
    assert not final({"stock": [{"warehouse": "WH-X", "sku": "CC-100", "available": 1}]})["stock"].passed


def test_checks_on_real_snapshots(sample):
    """The checks read core.state snapshots as they really are (both databases)."""
    before = snapshot(sample)
    assert check_final({"no_changes": True}, before, snapshot(sample))[0].passed
    row = before["stock"][0]
    with sample.begin() as conn:
        conn.execute(
            text(
                "UPDATE stock_balance SET available = available - 5, reserved = reserved + 5 "
                "WHERE warehouse = :w AND sku = :s AND batch = :b"
            ),
            {"w": row["warehouse"], "s": row["sku"], "b": row["batch"]},
        )
    after = snapshot(sample)
    spec = {
        "no_changes": True,
        "stock": [
            {
                "warehouse": row["warehouse"],
                "sku": row["sku"],
                "batch": row["batch"],
                "available": row["available"] - 5,
                "reserved": row["reserved"] + 5,
            }
        ],
    }
    result = {c.name: c for c in check_final(spec, before, after)}
    assert not result["no_changes"].passed and result["stock"].passed


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([5, 1, 3], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95


# --- runner ----------------------------------------------------------------------------------


def test_template_copy_holds_the_world(sample):
    """The per-world template (a SQLite file copy) holds exactly what an import gives."""
    with Runner() as runner:
        tpl = runner.template(SAMPLE_WORLD.resolve(), NOW)
        assert runner.template(SAMPLE_WORLD.resolve(), NOW) == tpl  # imported once
        from core.db import make_engine

        copy = runner.dir / "copy.db"
        shutil.copyfile(tpl, copy)
        engine = make_engine(f"sqlite:///{copy}")
        try:
            assert snapshot(engine) == snapshot(sample)
        finally:
            engine.dispose()


@pytest.mark.db  # the evaluation runner imports the world into SQLite
def test_broken_world_fails_its_scenario_without_stopping_the_run(tmp_path):
    world = tmp_path / "world"
    shutil.copytree(SAMPLE_WORLD, world)
    with (world / "stock.csv").open("a") as f:
        f.write("NOT-A-WAREHOUSE,NOPE,B,1,2026-01-01,2027-01-01,2026-01-02,available\n")
    f = write(tmp_path / "s.yaml", scenario_yaml(world))
    scenarios = load_paths([f])
    with Runner() as runner:
        run = runner.run(scenarios, k=2)
    [r] = run.results
    assert not r.passed and len(r.trials) == 2
    assert "crash" in r.failure and "WorldErrors" in r.failure
    report = build_report(run)
    assert report["pass_rate"] == 0.0 and report["total"] == 2 and report["metrics"]["crashes"] == 2
    assert "WorldErrors" in to_markdown(report)


@pytest.mark.db  # the evaluation runner imports the world into SQLite
def test_end_to_end_through_the_real_assistant(tmp_path):
    planner = pytest.importorskip("agent.planner")
    if not hasattr(planner, "OfflinePlanner"):
        pytest.skip("the offline planner is not written yet")
    pytest.importorskip("agent.runtime")
    write(
        tmp_path / "suite.yaml",
        f"""
- id: low-stock
  world: {SAMPLE_WORLD}
  as: U-REP-1
  channel: slack
  now: 2026-11-20T10:30:00+05:30
  tags: [stock, query]
  turns:
    - user: "show low stock"
      expect: {{reply_contains: ["Noodles"], state_unchanged: true}}
  final: {{no_changes: true}}
- id: expects-the-impossible
  world: {SAMPLE_WORLD}
  as: U-REP-1
  now: 2026-11-20T10:30:00+05:30
  tags: [query]
  turns:
    - user: "show low stock"
      expect: {{reply_contains: ["no-such-words-here"]}}
""",
    )
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        eval_app,
        [
            "run",
            str(tmp_path / "suite.yaml"),
            "--json",
            str(out),
            "--min-pass",
            "0.9",
            "--report",
            str(tmp_path / "rep"),
        ],
    )
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text())
    assert report["pass_rate"] == 0.5 and report["passed"] == 1 and report["total"] == 2
    by_id = {s["id"]: s for s in report["scenarios"]}
    assert by_id["low-stock"]["passed"] and by_id["low-stock"]["failure"] is None
    assert by_id["low-stock"]["role"] == "sales_rep"
    [t] = by_id["low-stock"]["transcript"]
    assert "noodles" in t["assistant"].lower() and t["latency_ms"] > 0 and t["tool_calls"]
    bad = by_id["expects-the-impossible"]
    assert not bad["passed"] and "reply_contains" in bad["failure"]
    assert bad["first_failing_check"]["where"] == "turn 1"
    assert report["metrics"]["by_tag"]["stock"]["pass_rate"] == 1.0
    assert report["metrics"]["by_tag"]["query"]["pass_rate"] == 0.5
    assert report["metrics"]["tool_calls"]["total"] >= 2
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "expects-the-impossible" in md and "show low stock" in md
    assert json.loads((tmp_path / "rep" / "report.json").read_text())["total"] == 2
    ok = CliRunner().invoke(eval_app, ["run", str(tmp_path / "suite.yaml"), "--min-pass", "50"])
    assert ok.exit_code == 0, ok.output


# --- authoring: dms chat --record -----------------------------------------------------------


def test_chat_record_writes_a_scenario_that_replays_as_a_passing_regression_test(sample, tmp_path, monkeypatch):
    from channels.cli import app
    from core.settings import get_settings

    monkeypatch.setenv("DMS_DATABASE_URL", sample.url_string)
    monkeypatch.setenv("DMS_NOW", NOW.isoformat())
    monkeypatch.setenv("DMS_DATA_DIR", str(tmp_path / "data"))  # no knowledge copy there
    get_settings.cache_clear()
    try:
        out = tmp_path / "suite" / "retailer order.yaml"
        result = CliRunner().invoke(
            app,
            ["chat", "--as", "U-RET-101", "--record", str(out), "--world", str(SAMPLE_WORLD)],
            input="what is my outstanding?\n2 boxes of crunchy cream 100g\nyes\nexit\n",
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Scenario written to" in result.output
    [s] = load_paths([out])
    assert s.id == "retailer-order" and s.user == "U-RET-101" and s.channel == "cli" and s.now == NOW
    assert s.world == SAMPLE_WORLD.resolve() and s.tags == ["recorded"]
    assert [t.user for t in s.turns] == ["what is my outstanding?", "2 boxes of crunchy cream 100g", "yes"]
    assert [t.expect["confirmation_requested"] for t in s.turns] == [False, True, False]
    [order] = s.final["orders_created"]
    assert order["customer"] == "R-101" and order["lines"] == [{"sku": "CC-100", "qty": 24, "free_qty": 0}]
    assert {b["sku"] for b in s.final["stock"]} == {"CC-100"}
    assert "no_changes" not in s.final
    # the observed expectations hold when the runner replays the conversation on a fresh world
    with Runner() as runner:
        [r] = runner.run([s]).results
    assert r.passed, r.failure


def test_chat_record_of_a_read_only_conversation_expects_no_changes(sample, tmp_path, monkeypatch):
    from channels.cli import app
    from core.settings import get_settings

    monkeypatch.setenv("DMS_DATABASE_URL", sample.url_string)
    monkeypatch.setenv("DMS_NOW", NOW.isoformat())
    monkeypatch.setenv("DMS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        out = tmp_path / "ro.yaml"
        result = CliRunner().invoke(
            app,
            ["chat", "--as", "U-REP-1", "--record", str(out), "--world", str(SAMPLE_WORLD)],
            input="approve all pending orders\n",
        )
        empty = CliRunner().invoke(
            app, ["chat", "--as", "U-REP-1", "--record", str(tmp_path / "none.yaml")], input="exit\n"
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    [s] = load_paths([out])
    assert s.final == {"no_changes": True}
    assert s.turns[0].expect == {"confirmation_requested": False, "refused": True}
    assert empty.exit_code == 0 and not (tmp_path / "none.yaml").exists()


@pytest.mark.db  # the evaluation runner imports the world into SQLite
def test_a_turn_may_name_its_own_user_each_keeping_their_own_conversation(tmp_path):
    """scenarios.md: `as:` on a turn, for flows between people; a confirmation belongs to the
    user who was shown the preview."""
    f = write(
        tmp_path / "flow.yaml",
        f"""
id: retailer-books-manager-approves
world: {SAMPLE_WORLD.resolve()}
as: U-RET-103
channel: telegram
now: 2026-11-20T10:30:00+05:30
turns:
  - user: "please book 1 case sunleaf tea 250g"
    expect: {{confirmation_requested: true}}
  - user: "yes"
    as: U-MGR-KA
    channel: slack
    expect: {{state_unchanged: true}}
  - user: "ok"
  - user: "anything waiting for my approval?"
    as: U-MGR-KA
    expect: {{reply_contains: ["Ganesh Provisions"], state_unchanged: true}}
  - user: "approve it"
    as: U-MGR-KA
  - user: "yes"
    as: U-MGR-KA
final:
  orders_created:
    - {{customer: R-103, status: [confirmed]}}
""",
    )
    [scenario] = load_paths([f])
    assert [t.as_user for t in scenario.turns] == [None, "U-MGR-KA", None, "U-MGR-KA", "U-MGR-KA", "U-MGR-KA"]
    with Runner() as runner:
        [result] = runner.run([scenario]).results
    turns = result.trials[0].turns
    assert result.passed, [(t.user, t.assistant, [c for c in t.checks if not c.passed]) for t in turns]
    # the manager's "yes" did not confirm the retailer's preview
    assert not turns[1].changed and turns[2].changed and turns[5].changed


def test_a_turns_user_must_be_in_the_world(tmp_path):
    message = load_error(tmp_path, scenario_yaml(SAMPLE_WORLD.resolve(), turn='  - user: "hi"\n    as: U-NOPE\n'))
    assert "turn 1: as: user 'U-NOPE' is not in" in message
    message = load_error(tmp_path, scenario_yaml(SAMPLE_WORLD.resolve(), turn='  - user: "hi"\n    channel: fax\n'))
    assert "turn 1: channel: 'fax' is not one of" in message
