"""Recorded model runs: `dms eval run --record DIR` against an OpenAI-compatible endpoint (the
fake server of tests/fake_openai.py, driven by the real openai SDK), then `--replay DIR`
with the server gone reproduces the run exactly; and the wrappers' own contract."""

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from typer.testing import CliRunner

from agent.recording import NotRecorded, RecordingModel, ReplayModel, request_key
from channels.cli_eval import eval_app
from conftest import SAMPLE_WORLD
from evals.runner import Runner
from evals.scenario import load_paths
from tests.fake_openai import FakeOpenAI, text, tool_calls

SUITE = """
- id: rec-low-stock
  world: {world}
  as: U-REP-1
  now: 2026-11-20T10:30:00+05:30
  tags: [stock]
  turns:
    - user: "show low stock"
      expect: {{reply_contains: ["low stock list"], state_unchanged: true}}
  final: {{no_changes: true}}
- id: rec-order
  world: {world}
  as: U-RET-101
  channel: telegram
  now: 2026-11-20T10:30:00+05:30
  tags: [ordering]
  turns:
    - user: "2 boxes of crunchy cream 100g"
      expect: {{confirmation_requested: true}}
    - user: "yes"
      expect: {{confirmation_requested: false}}
  final:
    orders_created: [{{customer: R-101, lines: [{{sku: CC-100, qty: 24}}]}}]
"""


@pytest.fixture(autouse=True)
def no_tiktoken(monkeypatch):
    """tiktoken downloads its encodings: nothing here may call it."""
    import tiktoken

    def refuse(*_, **__):
        raise AssertionError("tiktoken was called: it downloads encodings")

    monkeypatch.setattr(tiktoken, "get_encoding", refuse)
    monkeypatch.setattr(tiktoken, "encoding_for_model", refuse)


@pytest.fixture
def suite(tmp_path) -> Path:
    f = tmp_path / "suite.yaml"
    f.write_text(SUITE.format(world=SAMPLE_WORLD), encoding="utf-8")
    return f


def scripted(server: FakeOpenAI) -> None:
    server.script(
        tool_calls(("low_stock", {}), usage=(80, 20)),
        text("Here is the low stock list: Kaveri Masala Noodles is below its reorder level.", usage=(120, 15)),
        tool_calls(("create_order", {"items": [{"product": "CC-100", "qty": 2, "unit": "BOX"}]}), usage=(90, 25)),
    )


def comparable(report: dict) -> dict:
    """What a replay must reproduce: results, replies, outcomes, tool calls, tokens, checks."""
    keep = (
        "user",
        "assistant",
        "outcome",
        "tool_calls",
        "tokens",
        "input_tokens",
        "output_tokens",
        "awaiting_confirmation",
        "failed_checks",
        "changed",
    )
    return {
        s["id"]: {
            "passed": s["passed"],
            "failure": s["failure"],
            "state_diff": s["state_diff"],
            "turns": [{k: t[k] for k in keep} for t in s["transcript"]],
        }
        for s in report["scenarios"]
    }


@pytest.mark.db  # the evaluation runner imports the world into SQLite
def test_record_against_openai_endpoint_then_replay_offline(tmp_path, suite, monkeypatch):
    server = FakeOpenAI().start()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("DMS_MODEL_MAX_RETRIES", "0")
    scripted(server)
    rec, first, second = tmp_path / "rec", tmp_path / "a.json", tmp_path / "b.json"
    try:
        result = CliRunner().invoke(
            eval_app,
            [
                "run",
                str(suite),
                "--model",
                "openai:test-model",
                "--record",
                str(rec),
                "--json",
                str(first),
                "--price-in",
                "0.001",
                "--price-out",
                "0.002",
                "-q",
            ],
        )
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert server.unscripted == 0 and server.pending == 0 and len(server.requests) == 3
    recorded = json.loads(first.read_text())
    assert recorded["pass_rate"] == 1.0, recorded["scenarios"][0]["failure"]
    assert recorded["recorded_to"] == str(rec)
    m = recorded["metrics"]
    assert m["tokens"] == {"total": 350, "input": 290, "output": 60, "per_scenario": 175.0}
    assert m["cost"]["total"] == "0.000410" and m["cost"]["prices_from"] == "command line"  # (290*1 + 60*2)/1e6
    assert json.loads((rec / "recording.json").read_text())["model"] == "openai:test-model"
    assert len(list((rec / "requests").glob("*.json"))) == 3

    # the endpoint is gone and no key is set: the replay must not need either
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("OPENAI_API_KEY")
    result = CliRunner().invoke(eval_app, ["run", str(suite), "--replay", str(rec), "--json", str(second), "-q"])
    assert result.exit_code == 0, result.output
    replayed = json.loads(second.read_text())
    assert replayed["model"] == "openai:test-model" and replayed["replayed_from"] == str(rec)
    assert comparable(replayed) == comparable(recorded)
    order = comparable(replayed)["rec-order"]
    assert order["turns"][0]["tool_calls"][0]["name"] == "create_order"
    assert order["state_diff"]["orders"]["added"][0]["customer"] == "R-101"


@pytest.mark.db  # the evaluation runner imports the world into SQLite
def test_replay_of_a_request_never_recorded_fails_the_trial_clearly(tmp_path, suite):
    rec = tmp_path / "rec"
    with Runner(record=rec) as runner:  # the offline planner, recorded
        runner.run(load_paths([suite]))
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        SUITE.format(world=SAMPLE_WORLD).replace("show low stock", "list the low stock please"), encoding="utf-8"
    )
    with Runner(replay=rec) as runner:
        run = runner.run(load_paths([changed]))
    by_id = {r.scenario.id: r for r in run.results}
    assert by_id["rec-order"].passed  # the same requests as recorded
    bad = by_id["rec-low-stock"]
    assert not bad.passed
    assert "NotRecorded" in bad.failure and "no recorded response" in bad.failure
    assert "list the low stock please" in bad.failure


@pytest.mark.db  # the evaluation runner imports the world into SQLite
def test_offline_planner_recording_replays_identically(tmp_path):
    """The same wrapper over the built-in planner: a whole sample suite, recorded and replayed."""
    suite = [Path(__file__).parents[1] / "evals" / "sample" / "queries.yaml"]
    from evals.report import build_report

    rec = tmp_path / "rec"
    with Runner(record=rec) as runner:
        recorded = build_report(runner.run(load_paths(suite)))
    with Runner(replay=rec) as runner:
        replayed = build_report(runner.run(load_paths(suite)))
    assert recorded["scenario_count"] == replayed["scenario_count"] >= 5
    assert comparable(replayed) == comparable(recorded)
    assert replayed["metrics"]["tool_calls"] == recorded["metrics"]["tool_calls"]


# --- the wrappers --------------------------------------------------------------------------


def test_request_key_ignores_ids_but_not_content_or_tools():
    def convo(call_id: str, answer: str = "3 items"):
        return [
            SystemMessage(content="policy"),
            HumanMessage(content="low stock?"),
            AIMessage(content="", tool_calls=[{"name": "low_stock", "args": {}, "id": call_id}], id=call_id),
            ToolMessage(content=answer, tool_call_id=call_id),
        ]

    assert request_key(convo("a"), ["x", "y"]) == request_key(convo("b"), ["y", "x"])
    assert request_key(convo("a"), ["x"]) != request_key(convo("a"), ["x", "y"])
    assert request_key(convo("a"), ["x"]) != request_key(convo("a", "4 items"), ["x"])


def _fake_model():
    """A scripted inner model reporting usage; binding tools keeps it as it is."""
    from langchain_core.language_models import GenericFakeChatModel

    class Fake(GenericFakeChatModel):
        def bind_tools(self, tools, **kwargs):
            return self

    answers = iter(
        [
            AIMessage(
                content=f"answer {i}", usage_metadata={"input_tokens": 10, "output_tokens": i, "total_tokens": 10 + i}
            )
            for i in range(1, 9)
        ]
    )
    return Fake(messages=answers)


def test_recording_passes_tools_through_and_replay_returns_responses_in_order(tmp_path):
    from langchain_core.tools import tool

    @tool
    def low_stock(warehouse: str = "") -> str:
        """Low stock."""
        return ""

    recorder = RecordingModel(_fake_model(), tmp_path)
    bound = recorder.bind_tools([low_stock])
    assert bound.tool_names == ("low_stock",) and bound.usage is recorder.usage
    ask = [HumanMessage(content="hi")]
    first, again = bound.invoke(ask), bound.invoke(ask)
    assert (first.content, again.content) == ("answer 1", "answer 2")
    assert recorder.usage.snapshot() == (2, 20, 3, 23)

    replay = ReplayModel(tmp_path).bind_tools([low_stock])
    assert [replay.invoke(ask).content for _ in range(3)] == ["answer 1", "answer 2", "answer 1"]
    assert replay.usage.input_tokens == 30
    with pytest.raises(NotRecorded, match="no recorded response"):
        ReplayModel(tmp_path).invoke(ask)  # no tools bound: another request
    with pytest.raises(FileNotFoundError, match="no recording"):
        ReplayModel(tmp_path / "nothing")
