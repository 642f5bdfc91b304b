"""A model that repeats an identical call gets its answer from the result already in hand, never
"I could not finish that"; a model that runs out of steps with results in hand is answered from
them too. Through the real openai SDK against tests/fake_openai.py."""

from agent.runtime import MAX_STEPS
from tests.fake_openai import text, tool_calls
from tests.test_openai_backend import RETAILER, assistant, fake, no_tiktoken, tool_messages  # noqa: F401

SO_0905 = ("get_order", {"order_no": "SO-0905"})


def test_the_same_call_again_is_answered_from_the_result_in_hand(assistant, fake):
    fake.script(tool_calls(SO_0905), tool_calls(SO_0905))
    r = assistant.handle(RETAILER, "where is SO-0905?")
    assert r.outcome == "answered" and r.text.startswith("Order SO-0905") and "could not finish" not in r.text
    assert len(fake.requests) == 2, "the repeat ends the turn: no more requests"
    assert [(c.name, c.ok) for c in r.tool_calls] == [("get_order", True)], "run once"
    assert r.table is not None and r.table.title == "Order SO-0905"
    # the history answers the repeated call, so the next request is valid
    fake.script(text("Anything else?"))
    assistant.handle(RETAILER, "thanks")
    assert fake.rejected == 0
    assert [m["content"] for m in tool_messages(fake.requests[-1])][-1] == "(same call as above)"


def test_a_repeat_beside_a_new_call_runs_the_new_one(assistant, fake):
    fake.script(
        tool_calls(SO_0905), tool_calls(SO_0905, ("list_orders", {"status": "pending"})), text("SO-0905 is confirmed.")
    )
    r = assistant.handle(RETAILER, "SO-0905 and my pending orders?")
    assert [c.name for c in r.tool_calls] == ["get_order", "list_orders"] and r.text == "SO-0905 is confirmed."


def test_out_of_steps_with_results_in_hand_answers_from_them(assistant, fake):
    statuses = ["all", "pending", "confirmed", "delivered", "cancelled", "dispatched"][:MAX_STEPS]
    fake.script(*[tool_calls(("list_orders", {"status": s})) for s in statuses])
    r = assistant.handle(RETAILER, "my orders, every status one by one")
    assert "could not finish" not in r.text and r.outcome == "answered"
    assert len(fake.requests) == MAX_STEPS and fake.pending == 0
    assert "SO-0905" in r.text and r.text.count("\n\n") >= 1, "the results in hand, each once"


def test_out_of_steps_with_nothing_in_hand_says_so(assistant, fake):
    fake.script(*[tool_calls(("create_order", "{not json")) for _ in range(MAX_STEPS + 1)])
    r = assistant.handle(RETAILER, "order tea")
    assert r.outcome == "not_understood" and "nothing was changed" in r.text
