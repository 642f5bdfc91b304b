"""Grounded replies: what a change did is said by the runtime from the tool's result, and order or
invoice numbers and amounts in a model's text that no tool result of the conversation holds are
never shown as facts. Through the real openai SDK against tests/fake_openai.py."""

import re

from core.state import snapshot
from tests.fake_openai import text, tool_calls
from tests.test_openai_backend import GANESH_TEA, MANAGER, RETAILER, assistant, fake, no_tiktoken  # noqa: F401

UNCHECKED = "I left out what I could not check against the records."


def test_a_made_up_order_is_not_shown(assistant, fake, sample):
    before = snapshot(sample)
    fake.script(text("Order SO-9999 placed and confirmed. Total ₹4,200.00."))
    r = assistant.handle(RETAILER, "order 2 cases of tea")
    assert "SO-9999" not in r.text and "4,200" not in r.text and "placed" not in r.text
    assert r.outcome == "not_understood" and "Nothing was changed" in r.text
    assert snapshot(sample) == before and not assistant.awaiting_confirmation(RETAILER)


def test_done_after_a_refused_read_is_the_cores_refusal(assistant, fake, sample):
    """The core refused: its words end the turn, and the model is not asked for more."""
    fake.script(tool_calls(("outstanding", {"customer": "Fresh Mart"})), text("Done! Fresh Mart owes ₹0.00."))
    r = assistant.handle(RETAILER, "what does Fresh Mart owe?")
    assert r.outcome == "refused" and r.text == "You can only see your own account."
    assert len(fake.requests) == 1 and fake.pending == 1


def test_amounts_from_the_tool_result_stand_made_up_ones_are_dropped(assistant, fake):
    fake.script(
        tool_calls(("get_order", {"order_no": "SO-0905"})),
        text("SO-0905 is confirmed. Its total is ₹99,999.00. Thank you for your order."),
    )
    r = assistant.handle(RETAILER, "SO-0905?")
    assert r.text == "SO-0905 is confirmed. Thank you for your order.\n\n(" + UNCHECKED + ")"

    result = [c for c in fake.requests[-1]["messages"] if c["role"] == "tool"][-1]["content"]
    total = re.search(r"Total (₹[\d,]+\.\d\d)", result).group(1)
    fake.script(tool_calls(("get_order", {"order_no": "SO-0905"})), text(f"SO-0905 totals {total}."))
    r = assistant.handle(RETAILER, "and its total?")
    assert r.text == f"SO-0905 totals {total}."


def test_numbers_from_earlier_turns_still_count(assistant, fake):
    fake.script(tool_calls(("get_order", {"order_no": "SO-0905"})), text("SO-0905 is confirmed."))
    assistant.handle(RETAILER, "SO-0905?")
    fake.script(text("Yes, SO-0905 is the order I looked up."))
    assert assistant.handle(RETAILER, "which order was that?").text == "Yes, SO-0905 is the order I looked up."


def test_the_order_a_confirmation_created_counts_the_model_cannot_claim_one(assistant, fake, sample):
    fake.script(tool_calls(("create_order", GANESH_TEA)))
    assert assistant.handle(MANAGER, "2 cases of Sunleaf tea 250g for Ganesh Provisions").outcome == "preview"
    done = assistant.handle(MANAGER, "yes")
    order_no = re.search(r"SO-\d+", done.text).group(0)
    status = [o["status"] for o in snapshot(sample)["orders"] if o["order_no"] == order_no]
    fake.script(text(f"Your order {order_no} is in."))
    assert assistant.handle(MANAGER, "what was its number again?").text == f"Your order {order_no} is in."
    # a claim of another change, made in the model's words, is not shown
    fake.script(text(f"I have cancelled {order_no} for you."))
    r = assistant.handle(MANAGER, "cancel it")
    assert "cancelled" not in r.text and r.outcome == "not_understood"
    assert [o["status"] for o in snapshot(sample)["orders"] if o["order_no"] == order_no] == status


def test_when_nothing_the_model_said_holds_the_tools_own_text_is_the_answer(assistant, fake):
    fake.script(tool_calls(("get_order", {"order_no": "SO-0905"})), text("Order SO-0911 was delivered."))
    r = assistant.handle(RETAILER, "SO-0905?")
    assert r.text.startswith("Order SO-0905") and "SO-0911" not in r.text
    assert r.text.endswith("(That is what the records show. " + UNCHECKED + ")")
    assert r.outcome == "answered" and r.table is not None


def test_a_question_may_echo_the_users_own_numbers(assistant, fake):
    fake.script(text("Do you mean SO-0777 or another order?"))
    r = assistant.handle(RETAILER, "where is SO-0777?")
    assert r.text == "Do you mean SO-0777 or another order?" and r.outcome == "clarify"
    # a statement may not
    fake.script(text("SO-0777 was delivered yesterday."))
    r = assistant.handle(RETAILER, "where is SO-0777?")
    assert "SO-0777" not in r.text


def test_what_the_user_saw_is_what_the_model_sees_next(assistant, fake):
    fake.script(text("Order SO-9999 placed."))
    shown = assistant.handle(RETAILER, "order tea").text
    fake.script(text("OK."))
    assistant.handle(RETAILER, "hm")
    sent = fake.requests[-1]["messages"]
    assert "SO-9999" not in str(sent) and any(m["role"] == "assistant" and m["content"] == shown for m in sent)
