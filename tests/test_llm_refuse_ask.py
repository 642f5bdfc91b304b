"""Structured refusals and questions for LLM backends: the runtime's `refuse` and `ask_user` tools
give the outcomes `refused` and `clarify`; refusals (the model's, the core's, an unknown tool's)
are said in the runtime's words; a refusal or a question in plain words is read as one."""

import pytest

from core.state import snapshot
from tests.fake_openai import text, tool_calls
from tests.test_openai_backend import MANAGER, RETAILER, assistant, fake, no_tiktoken, tool_messages  # noqa: F401

CANNOT = "I can't do that here, so nothing was changed."


def test_refuse_gives_a_refusal_in_the_runtimes_words(assistant, fake, sample):
    before = snapshot(sample)
    fake.script(tool_calls(("refuse", {"reason": "I have set your limit to 10 lakh (no tool for credit limits)"})))
    r = assistant.handle(RETAILER, "raise my credit limit to 10 lakh")
    assert r.outcome == "refused" and r.text.startswith(CANNOT)
    assert "10 lakh" not in r.text and "limit" not in r.text, "the model's reason is not shown"
    assert "orders" in r.text and "approvals" not in r.text, "what a retailer can ask instead"
    assert len(fake.requests) == 1 and snapshot(sample) == before
    fake.script(text("Sure."))  # the saved history answers the refuse call
    assert assistant.handle(RETAILER, "what else then?").text == "Sure."
    [answer] = tool_messages(fake.requests[-1])
    assert "Refused" in answer["content"]


def test_ask_user_gives_a_question_with_choices(assistant, fake):
    fake.script(
        tool_calls(("find_products", {"query": "tea"})),
        tool_calls(
            (
                "ask_user",
                {
                    "question": "Which tea do you mean?",
                    "choices": ["Sunleaf Premium Tea 250g", "Sunleaf Premium Tea 1kg"],
                },
            )
        ),
    )
    r = assistant.handle(RETAILER, "order some tea")
    assert r.outcome == "clarify" and not r.awaiting_confirmation
    assert r.text == "Which tea do you mean?\n- Sunleaf Premium Tea 250g\n- Sunleaf Premium Tea 1kg"
    # the answer comes as the next message, with the question in the history
    fake.script(tool_calls(("create_order", {"items": [{"product": "Sunleaf Premium Tea 1kg", "qty": 1}]})))
    assert assistant.handle(RETAILER, "the 1kg one").outcome == "preview"
    sent = fake.requests[-1]["messages"]
    assert any(m["role"] == "assistant" and (m.get("content") or "").startswith("Which tea") for m in sent)


def test_an_ambiguous_name_comes_back_with_its_choices_and_ask_user_asks(assistant, fake):
    fake.script(
        tool_calls(("product_details", {"product": "Sunleaf"})),
        tool_calls(("ask_user", {"question": "Which Sunleaf?", "choices": ["250g", "1kg"]})),
    )
    r = assistant.handle(RETAILER, "price of sunleaf")
    [err] = tool_messages(fake.requests[1])
    if "could be" in err["content"]:  # the core found it ambiguous: the model is told to ask, with the choices
        assert "ask_user" in err["content"] and "ST-250" in err["content"]
    assert r.outcome == "clarify" and r.text.startswith("Which Sunleaf?")


@pytest.mark.parametrize(
    "words",
    [
        "I'm sorry, but I can't change credit limits. I have raised a request instead.",
        "Unfortunately I cannot do that.",
        "I am not able to change prices.",
    ],
)
def test_a_refusal_in_words_is_a_refusal_in_the_runtimes_words(assistant, fake, sample, words):
    before = snapshot(sample)
    fake.script(text(words))
    r = assistant.handle(RETAILER, "make the price of tea 10 rupees")
    assert r.outcome == "refused" and r.text.startswith(CANNOT) and "raised" not in r.text
    assert snapshot(sample) == before


def test_a_question_in_words_is_a_clarification(assistant, fake):
    fake.script(text("How many cases would you like?"))
    r = assistant.handle(RETAILER, "order Sunleaf tea 250g")
    assert r.outcome == "clarify" and r.text == "How many cases would you like?"


def test_a_greeting_is_still_an_answer(assistant, fake):
    fake.script(text("Hello! How can I help you today?"))
    assert assistant.handle(RETAILER, "hi").outcome == "answered"


def test_a_read_the_core_refuses_ends_in_the_cores_words(assistant, fake, sample):
    fake.script(tool_calls(("get_order", {"order_no": "SO-0999"})), text("SO-0999 was delivered on Monday."))
    r = assistant.handle(RETAILER, "where is SO-0999?")
    assert r.outcome == "refused" and r.text == "No order SO-0999 that you can see."
    assert len(fake.requests) == 1


def test_a_call_beside_a_refusal_keeps_its_result_and_the_refusal_is_the_cores(assistant, fake):
    fake.script(tool_calls(("get_order", {"order_no": "SO-0905"}), ("get_order", {"order_no": "SO-0999"})))
    r = assistant.handle(RETAILER, "SO-0905 and SO-0999?")
    assert (
        r.outcome == "refused" and "Order SO-0905" in r.text and r.text.endswith("No order SO-0999 that you can see.")
    )


def test_refusals_and_questions_keep_the_next_request_valid(assistant, fake):
    fake.script(tool_calls(("ask_user", {"question": "Which customer?"}), ("list_orders", {})))
    assert assistant.handle(MANAGER, "orders please").outcome == "clarify"
    fake.script(tool_calls(("refuse", {"reason": "no tool"})))
    assert assistant.handle(MANAGER, "delete all orders").outcome == "refused"
    fake.script(text("OK."))
    assistant.handle(MANAGER, "fine")
    assert fake.rejected == 0 and fake.unscripted == 0
