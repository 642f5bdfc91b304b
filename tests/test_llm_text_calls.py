"""Tool calls a model writes as text (fenced JSON, bare JSON, <tool_call> tags), as Qwen2.5-Coder
1.5B behind llama.cpp did: recovered into real calls and validated like any other; raw JSON never
reaches a person. Through the real openai SDK against tests/fake_openai.py."""

import pytest

from agent.runtime import Assistant
from core.state import snapshot
from tests.fake_openai import FakeOpenAI, text, text_call, tool_calls
from tests.test_openai_backend import RETAILER, assert_well_formed, assistant, fake, no_tiktoken, tool_messages  # noqa: F401


def shown_raw(reply) -> bool:
    t = reply.full_text()
    return "```" in t or '"name"' in t or "<tool_call>" in t or '{"' in t


@pytest.mark.parametrize("style", ["fenced", "bare", "tagged"])
def test_a_call_written_as_text_is_run_like_any_other(assistant, fake, sample, style):
    before = snapshot(sample)
    fake.script(text_call("get_order", {"order_no": "SO-0905"}, style=style), text("SO-0905 is confirmed."))
    r = assistant.handle(RETAILER, "where is my order SO-0905?")
    assert r.outcome == "answered" and r.text == "SO-0905 is confirmed." and not shown_raw(r)
    assert [(c.name, c.args, c.ok) for c in r.tool_calls] == [("get_order", {"order_no": "SO-0905"}, True)]
    # the model got the core's result back as the answer to a real call, not as text
    second = fake.requests[1]
    [call] = second["messages"][-2]["tool_calls"]
    assert call["function"]["name"] == "get_order" and not second["messages"][-2].get("content")
    [result] = tool_messages(second)
    assert result["tool_call_id"] == call["id"] and "SO-0905" in result["content"]
    assert snapshot(sample) == before


def test_prose_beside_a_written_call_is_not_shown(assistant, fake):
    fake.script(
        text_call("list_orders", {"status": "pending"}, prose="Sure! Let me look that up for you."),
        text("You have pending orders."),
    )
    r = assistant.handle(RETAILER, "my pending orders?")
    assert r.text == "You have pending orders." and [c.name for c in r.tool_calls] == ["list_orders"]
    assert "Let me look" not in r.full_text()


def test_a_server_without_a_tool_parser_still_previews_a_change(sample, clock, monkeypatch):
    """A server that sends every call back as text (<tool_call> tags, as llama.cpp without --jinja
    does for Qwen): the change is previewed by the core and waits for a yes, as with real calls."""
    server = FakeOpenAI(calls_as_text="tagged").start()
    try:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        a = Assistant(sample, clock, model="openai:test-model")
        before = snapshot(sample)
        server.script(
            tool_calls(("create_order", {"items": [{"product": "Sunleaf tea 250g", "qty": 2, "unit": "CASE"}]}))
        )
        r = a.handle(RETAILER, "2 cases of Sunleaf tea 250g")
        assert r.outcome == "preview" and r.awaiting_confirmation and not shown_raw(r)
        assert "ST-250" in r.text and snapshot(sample) == before
        assert a.handle(RETAILER, "yes").outcome == "done"
        assert server.rejected == 0 and server.unscripted == 0
    finally:
        server.stop()


def test_a_written_call_with_bad_arguments_is_validated_like_any_other(assistant, fake, sample):
    before = snapshot(sample)
    fake.script(
        text_call("create_order", {"items": [{"product": "Sunleaf tea 250g", "qty": -2}]}),
        text("How many would you like?"),
    )
    r = assistant.handle(RETAILER, "order tea")
    assert r.tool_calls[0].ok is False and not assistant.awaiting_confirmation(RETAILER)
    [err] = tool_messages(fake.requests[1])
    assert err["content"].startswith("Invalid arguments for create_order") and "items.0.qty" in err["content"]
    assert snapshot(sample) == before


def test_a_written_call_whose_arguments_are_not_an_object_is_malformed(assistant, fake):
    fake.script(
        text('```json\n{"name": "get_order", "arguments": "SO-0905"}\n```'),
        tool_calls(("get_order", {"order_no": "SO-0905"})),
        text("It is confirmed."),
    )
    r = assistant.handle(RETAILER, "SO-0905?")
    assert r.text == "It is confirmed." and not shown_raw(r)
    [err, _] = tool_messages(fake.requests[2])
    assert "Malformed tool call" in err["content"]


def test_a_written_call_to_a_tool_that_does_not_exist_is_refused(assistant, fake, sample):
    before = snapshot(sample)
    fake.script(text_call("set_credit_limit", {"customer": "R-101", "limit": 1000000}))
    r = assistant.handle(RETAILER, "raise my credit limit to 10 lakh")
    assert r.outcome == "refused" and r.text.startswith("I can't do that here") and not shown_raw(r)
    assert len(fake.requests) == 1 and snapshot(sample) == before


def test_a_written_call_to_a_tool_of_another_role_is_refused(assistant, fake, sample):
    before = snapshot(sample)
    fake.script(text_call("approve_order", {"order_no": "SO-0905"}, style="bare"))
    r = assistant.handle(RETAILER, "approve SO-0905")
    assert r.outcome == "refused" and "may not" in r.text and not shown_raw(r)
    assert snapshot(sample) == before


def test_json_that_is_no_call_is_never_shown_the_model_is_asked_again(assistant, fake):
    fake.script(
        tool_calls(("get_order", {"order_no": "SO-0905"})),
        text('{"order_no": "SO-0905", "status": "confirmed"}'),
        text("SO-0905 is confirmed."),
    )
    r = assistant.handle(RETAILER, "status of SO-0905?")
    assert r.text == "SO-0905 is confirmed." and not shown_raw(r)
    retry = fake.requests[2]["messages"]
    assert retry[-1]["role"] == "system" and "JSON" in retry[-1]["content"]
    # the JSON and the correction are not kept in the conversation
    fake.script(text("Anything else?"))
    assistant.handle(RETAILER, "thanks")
    sent = str(fake.requests[-1]["messages"])
    assert '\\"order_no\\"' not in sent and "tool-calling interface" not in sent.split("Reply in short")[-1]


def test_json_again_and_again_is_replaced_not_shown(assistant, fake):
    fake.script(text('```json\n{"answer": "SO-0905 is confirmed"}\n```'), text('{"status": "confirmed", "x": 1}'))
    r = assistant.handle(RETAILER, "status of SO-0905?")
    assert not shown_raw(r) and r.outcome == "not_understood" and "nothing was changed" in r.text
    assert len(fake.requests) == 2


def test_tool_names_spelt_loosely_are_the_tool(assistant, fake):
    fake.script(text_call("functions.get_order", {"order_no": "SO-0905"}), text("Confirmed."))
    r = assistant.handle(RETAILER, "SO-0905?")
    assert [(c.name, c.ok) for c in r.tool_calls] == [("get_order", True)] and r.text == "Confirmed."


def test_every_request_stays_well_formed_across_turns(assistant, fake):
    fake.script(
        text_call("get_order", {"order_no": "SO-0905"}),
        text("Confirmed."),
        text_call("list_orders", {}, style="tagged"),
        text("Two orders."),
    )
    assistant.handle(RETAILER, "SO-0905?")
    assistant.handle(RETAILER, "and all my orders?")
    for body in fake.requests:
        assert_well_formed(body)
    assert fake.rejected == 0


def test_chat_template_tags_a_model_echoes_are_not_shown(assistant, fake):
    """Qwen2.5-Coder 1.5B wrapped the tool's answer in <tool_response> tags in a real run."""
    fake.script(
        tool_calls(("list_orders", {"status": "pending"})),
        text("<tool_response>\nYou have pending orders.\n</tool_response>"),
    )
    r = assistant.handle(RETAILER, "my pending orders?")
    assert r.text == "You have pending orders." and "<" not in r.full_text()
