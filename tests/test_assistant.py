"""End to end: every sample scenario through agent.runtime.Assistant with the offline
planner (via the evaluation runner), plus a conversation on the test database (SQLite or
PostgreSQL). Prints the turn times."""

import statistics
import time

import pytest

from agent.planner import OfflinePlanner
from agent.runtime import Assistant, Turn
from tests.conftest import SAMPLE_SCENARIOS

SCENARIOS = SAMPLE_SCENARIOS


@pytest.fixture(scope="module")
def run_result():
    from evals.runner import Runner
    from evals.scenario import load_paths

    planner_ms: list[float] = []
    original = OfflinePlanner.respond

    def timed(self, messages):  # measures the real planner, changes nothing
        t0 = time.perf_counter()
        try:
            return original(self, messages)
        finally:
            planner_ms.append((time.perf_counter() - t0) * 1000)

    OfflinePlanner.respond = timed
    try:
        with Runner() as runner:
            result = runner.run(load_paths([SCENARIOS]))
    finally:
        OfflinePlanner.respond = original
    return result, planner_ms


def _p95(values):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]


@pytest.mark.db  # the evaluation runner imports the world into SQLite
def test_every_sample_scenario_passes(run_result):
    result, planner_ms = run_result
    failed = [f"{r.scenario.id}: {r.failure}" for r in result.results if not r.passed]
    turns = [t.latency_ms for r in result.results for tr in r.trials for t in tr.turns]
    print(
        f"\n{len(result.results) - len(failed)}/{len(result.results)} scenarios pass; turn time median "
        f"{statistics.median(turns):.1f} ms, p95 {_p95(turns):.1f} ms; planner alone median "
        f"{statistics.median(planner_ms):.2f} ms, p95 {_p95(planner_ms):.2f} ms"
    )
    assert len(result.results) >= 21
    assert not failed, "\n".join(failed)


def test_conversation_on_test_database(sample, clock):
    """Order, confirm, then 'approve it' leans on the order number of the conversation."""
    a = Assistant(sample, clock)
    t = Turn("U-MGR-KA", "slack", "c1")
    r = a.handle(t, "Place an order for Ganesh Provisions: 2 cases of Sunleaf tea 250g")
    assert r.outcome == "preview" and r.awaiting_confirmation and "9576" in r.full_text().replace(",", "")
    r = a.handle(t, "yes")
    assert r.outcome == "done"
    r = a.handle(t, "approve it")
    assert r.outcome == "preview" and r.tool_calls[0].name == "approve_order"
    assert r.tool_calls[0].args["order_no"] in a.handle(t, "yes").text
    rep = Turn("U-REP-1", "slack", "c2")
    r = a.handle(rep, "approve all pending orders")
    assert r.outcome == "refused" and not a.awaiting_confirmation(rep)
    r = a.handle(Turn("U-RET-101", "telegram", "c3"), "Show my pending orders")
    assert "SO-0905" in r.full_text() and "SO-0902" not in r.full_text()
