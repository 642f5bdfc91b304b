"""Evaluation reports and comparisons: the HTML report, `dms eval compare` catching a
deliberately broken planner, cost, the scope-leak and confirmation invariants."""

import json
from copy import deepcopy
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from typer.testing import CliRunner

from agent.planner import OfflinePlanner
from agent.world import WorldView
from channels.cli_eval import eval_app
from core.state import snapshot
from evals.checks import Confirmation, invariants, state_diff
from evals.compare import compare
from evals.cost import prices_for
from evals.report import build_report, write_report
from evals.runner import Runner
from evals.scenario import load_paths
from evals.scope import build_guard

ORDERING = Path(__file__).parents[1] / "evals" / "sample" / "ordering.yaml"


class QuantityDroppingPlanner(OfflinePlanner):
    """Deliberately broken: every ordered quantity becomes 1."""

    def respond(self, messages):
        msg = super().respond(messages)
        if not msg.tool_calls:
            return msg
        calls = deepcopy(msg.tool_calls)
        for c in calls:
            for item in (c["args"].get("items") or []) if c["name"] == "create_order" else []:
                item["qty"] = 1
        return AIMessage(content=msg.content, tool_calls=calls, response_metadata=msg.response_metadata)


def broken(engine, clock):
    return QuantityDroppingPlanner(world=WorldView(engine), clock=clock)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The sample ordering suite with the real planner and with the broken one."""
    out = tmp_path_factory.mktemp("reports")
    scenarios = load_paths([ORDERING])
    with Runner(prices=prices_for("offline")) as runner:
        good = build_report(runner.run(scenarios))
    with Runner(model=broken, label="broken-planner") as runner:
        bad = build_report(runner.run(scenarios))
    write_report(good, out / "good")
    write_report(bad, out / "bad")
    return out, good, bad


@pytest.mark.db  # the evaluation runner imports the world into SQLite
def test_broken_planner_shows_up_as_regressions_in_compare(reports):
    out, good, bad = reports
    assert good["pass_rate"] == 1.0
    assert bad["model"] == "broken-planner" and bad["pass_rate"] < 1.0
    broken_ids = {s["id"] for s in bad["scenarios"] if not s["passed"]}
    result = CliRunner().invoke(
        eval_app,
        [
            "compare",
            str(out / "good" / "report.json"),
            str(out / "bad" / "report.json"),
            "--json",
            str(out / "cmp.json"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert f"Regressions (passed, now failing): {len(broken_ids)}" in result.output
    for sid in broken_ids:
        assert sid in result.output
    assert "pass rate: 100.0% →" in result.output
    cmp = json.loads((out / "cmp.json").read_text())
    assert {r["id"] for r in cmp["regressions"]} == broken_ids and not cmp["fixes"]
    assert all(
        "qty" in r["failure"] or "total" in r["failure"] or "free" in r["failure"] or "reply" in r["failure"]
        for r in cmp["regressions"]
    )
    # and the other way round the same scenarios are fixes, with no regression: exit 0
    back = CliRunner().invoke(
        eval_app, ["compare", str(out / "bad" / "report.json"), str(out / "good" / "report.json")]
    )
    assert back.exit_code == 0, back.output
    assert f"Fixes (failed, now passing): {len(broken_ids)}" in back.output


@pytest.mark.db  # the `reports` fixture runs the evaluation runner (SQLite)
def test_compare_reports_new_removed_and_bad_input(reports, tmp_path):
    _, good, _ = reports
    new = deepcopy(good)
    gone = new["scenarios"].pop(0)
    new["scenarios"].append({**deepcopy(gone), "id": "brand-new", "passed": False, "failure": "turn 1: x"})
    c = compare(good, new)
    assert [x.id for x in c.removed] == [gone["id"]] and [x.id for x in c.added] == ["brand-new"]
    assert not c.regressions and c.metrics["pass rate"][2] == 0
    (tmp_path / "junk.json").write_text("{}")
    result = CliRunner().invoke(eval_app, ["compare", str(tmp_path / "junk.json"), str(tmp_path / "none.json")])
    assert result.exit_code == 2 and "not a report" in result.output


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.external = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)


@pytest.mark.db  # the `reports` fixture runs the evaluation runner (SQLite)
def test_html_report_is_self_contained_with_transcripts_tools_diff_and_first_failure(reports):
    out, good, bad = reports
    page = (out / "bad" / "report.html").read_text()
    parser = _Collector()
    parser.feed(page)
    assert not parser.external and "<link" not in page and "http" not in page.split("<main>")[0]
    assert {"style", "script", "details", "table"} <= set(parser.tags)
    failed = next(s for s in bad["scenarios"] if not s["passed"])
    assert failed["id"] in page and "First failing check" in page
    assert failed["first_failing_check"]["check"] in page
    assert failed["transcript"][0]["user"].replace("'", "&#x27;") in page
    assert "create_order" in page and "State diff" in page
    assert (out / "good" / "report.md").read_text().startswith("# Evaluation report")
    assert json.loads((out / "good" / "report.json").read_text())["metrics"]["cost"]["total"] == "0.000000"
    # a passing order scenario shows the order it created in its state diff
    good_page = (out / "good" / "report.html").read_text()
    created = next(s for s in good["scenarios"] if s["state_diff"].get("orders"))
    assert created["state_diff"]["orders"]["added"][0]["order_no"] in good_page


@pytest.mark.db  # the `reports` fixture runs the evaluation runner (SQLite)
def test_report_metrics_cover_the_issue(reports):
    _, good, _ = reports
    m = good["metrics"]
    for key in (
        "by_tag",
        "by_role",
        "pass_k",
        "tool_calls",
        "confirmations_asked",
        "refusals",
        "latency_ms",
        "tokens",
        "cost",
        "invariant_failures",
    ):
        assert key in m
    assert m["confirmations_asked"] >= 1 and m["latency_ms"]["p95"] >= m["latency_ms"]["p50"] > 0
    assert m["tokens"]["input"] == m["tokens"]["output"] == 0  # the offline planner uses no tokens


# --- cost ----------------------------------------------------------------------------------


def test_prices_from_flags_table_or_unknown():
    assert prices_for("openai:gpt-4o-mini").input_per_1k == Decimal("0.00015")
    assert prices_for("openai:gpt-4o-mini-2024-07-18").source == "table (gpt-4o-mini)"
    assert prices_for("openai:gpt-4o").output_per_1k == Decimal("0.01")
    assert prices_for("openai:my-local-llama") is None
    p = prices_for("openai:my-local-llama", 0.5, 1)
    assert p.source == "command line" and p.cost(1000, 2000) == Decimal("2.5")
    assert prices_for("offline").cost(10**6, 10**6) == 0


# --- invariants ----------------------------------------------------------------------------


def test_change_needs_a_confirmed_preview_of_the_same_user():
    before, after = {"orders": []}, {"orders": [{"order_no": "SO-1"}]}
    ok = Confirmation("U-1", previewed=True, executed=True, actors=frozenset({"U-1"}))
    assert invariants("Done", "done", before, after, confirmation=ok) == []
    [c] = invariants("Done", "done", before, after, confirmation=Confirmation("U-1", False, False))
    assert not c.passed and "no preview was waiting for U-1" in c.detail
    [c] = invariants(
        "Done", "done", before, after, confirmation=Confirmation("U-1", True, True, frozenset({"U-1", "U-2"}))
    )
    assert "another user (U-2)" in c.detail
    [c] = invariants("Here", "answered", before, after, confirmation=ok)
    assert "outcome 'answered'" in c.detail


def test_scope_guard_of_a_retailer(sample, clock):
    guard = build_guard(sample, "U-RET-101", clock)
    kinds = {s.kind for s in guard.secrets}
    assert {"customer code", "customer name", "order number", "balance"} <= kinds

    def leaks(reply, said=()):
        return [str(s) for s in guard.leaks(reply, said)]

    assert leaks("Your order SO-0905 for Anand Kirana Store is confirmed.") == []
    assert leaks("Delivered from WH-BLR by Sri Lakshmi Distributors.") == []  # their own distributor
    assert leaks("Fresh Mart ordered SO-0902.") == [
        "customer name 'Fresh Mart' of R-102",
        "order number 'SO-0902' of R-102",
    ]
    assert leaks("fresh   MART") and leaks("R-102 is a customer")
    assert leaks("No customer 'R-102' that you can see.", said=["orders of R-102"]) == []  # an echo
    assert leaks("SO-09021 and XR-102") == []  # not inside longer codes
    balance = next(s for s in guard.secrets if s.kind == "balance")
    shown = f"{balance.amount:,.2f}"
    assert leaks(f"Outstanding: Rs {shown}") == [str(balance)]
    assert leaks(f"line total Rs {shown}") == []  # an amount alone is not a balance
    assert build_guard(sample, "U-ADM", clock).secrets == []


def test_scope_guard_of_warehouse_staff_follows_their_warehouse(sample, clock):
    guard = build_guard(sample, "U-WH-1", clock)  # Bengaluru: WH-BLR serves Mysuru too
    assert guard.leaks("Mark SO-0904 of Ganesh Provisions delivered.") == []
    assert [s.text for s in guard.leaks("SO-0906 of Murugan Stores")] == ["Murugan Stores", "SO-0906"]


@pytest.mark.db  # the evaluation runner imports the world into SQLite
def test_leak_in_a_real_run_fails_the_turn(tmp_path):
    """End to end: the runner applies the guard to every turn of every scenario."""
    from conftest import SAMPLE_WORLD

    class Leaky(OfflinePlanner):
        def respond(self, messages):
            return AIMessage(
                content="Fresh Mart (R-102) owes more than you.", response_metadata={"outcome": "answered"}
            )

    (tmp_path / "s.yaml").write_text(
        f"id: leak\nworld: {SAMPLE_WORLD}\nas: U-RET-101\nnow: 2026-11-20T10:30:00+05:30\nturns:\n  - user: hello\n"
    )
    with Runner(model=lambda engine, clock: Leaky(world=WorldView(engine), clock=clock)) as runner:
        [r] = runner.run(load_paths([tmp_path / "s.yaml"])).results
    assert not r.passed and "invariant: nothing out of scope" in r.failure and "Fresh Mart" in r.failure


def test_state_diff_by_key(sample):
    before = snapshot(sample)
    after = deepcopy(before)
    after["orders"][0]["status"] = "cancelled"
    after["payments"].append(
        {"customer": "R-101", "amount": "1.00", "method": "upi", "paid_on": "2026-11-20", "reference": None}
    )
    d = state_diff(before, after)
    assert set(d) == {"orders", "payments"}
    [ch] = d["orders"]["changed"]
    assert ch["key"] == before["orders"][0]["order_no"] and ch["after"]["status"] == "cancelled"
    assert d["payments"]["added"][0]["amount"] == "1.00" and not d["payments"]["removed"]
    assert state_diff(before, deepcopy(before)) == {}
