"""A model may pass the user's own words (units such as "cartons" or "peti", a misspelt product
name, a customer's name as typed) and gets the same result as the offline planner, which reads
those words itself: the core resolves them. Through the real openai SDK against tests/fake_openai.py."""

import re

import pytest

from agent.runtime import Assistant, Turn
from core.state import snapshot
from tests.fake_openai import tool_calls
from tests.test_openai_backend import MANAGER, assistant, fake, no_tiktoken, tool_messages  # noqa: F401
from tools.format import rs


def total(reply) -> str:
    return re.search(r"Order total (₹[\d,]+\.\d\d)", reply.text).group(1)


@pytest.mark.parametrize(
    "said, product, unit",
    [
        ("2 cartons of sunlef tea 250g", "sunlef tea 250g", "cartons"),
        ("2 peti sunleaf tea 250", "sunleaf tea 250", "peti"),
    ],
)
def test_the_users_words_give_the_planners_preview(sample, clock, assistant, fake, said, product, unit):
    offline = Assistant(sample, clock).handle(Turn("U-RET-101", "cli", "offline"), said)
    assert offline.outcome == "preview"
    fake.script(tool_calls(("create_order", {"items": [{"product": product, "qty": 2, "unit": unit}]})))
    llm = assistant.handle(Turn("U-RET-101", "telegram", "llm"), said)
    assert llm.outcome == "preview" and len(fake.requests) == 1
    assert llm.table.rows == offline.table.rows and total(llm) == total(offline)
    assert "ST-250" in llm.text and "80 PCS (2 CASE)" in llm.text

    before = snapshot(sample)
    done = assistant.handle(Turn("U-RET-101", "telegram", "llm"), "yes")
    assert done.outcome == "done"
    [new] = [o for o in snapshot(sample)["orders"] if o not in before["orders"]]
    assert new["customer"] == "R-101" and rs(new["total"]) == total(offline)


def test_a_customer_as_typed_gives_the_planners_preview(sample, clock, assistant, fake):
    said = "2 cases of Sunleaf tea 250g for ganesh provisons"
    offline = Assistant(sample, clock).handle(Turn("U-MGR-KA", "cli", "offline"), said)
    fake.script(
        tool_calls(
            (
                "create_order",
                {"customer": "ganesh provisons", "items": [{"product": "Sunleaf tea 250g", "qty": 2, "unit": "cases"}]},
            )
        )
    )
    llm = assistant.handle(MANAGER, said)
    assert offline.outcome == llm.outcome == "preview"
    assert llm.table.rows == offline.table.rows and total(llm) == total(offline) and "R-103" in llm.text


def test_a_unit_the_product_lacks_comes_back_with_its_units_and_the_model_can_fix_it(assistant, fake, sample):
    """The core's error names the units the SKU has; the model corrects the call and gets the preview."""
    before = snapshot(sample)
    fake.script(
        tool_calls(("create_order", {"items": [{"product": "Sunleaf tea 250g", "qty": 2, "unit": "box"}]})),
        tool_calls(("create_order", {"items": [{"product": "Sunleaf tea 250g", "qty": 2, "unit": "CASE"}]})),
    )
    r = assistant.handle(Turn("U-RET-101", "telegram", "fix"), "2 boxes of Sunleaf tea 250g")
    assert r.outcome == "preview" and "80 PCS (2 CASE)" in r.text
    [err] = tool_messages(fake.requests[1])
    assert "CASE" in err["content"] and "call create_order again" in err["content"]
    assert snapshot(sample) == before


def test_the_offline_planner_still_ends_on_the_cores_error(sample, clock):
    """Hints on fixing a call are for models; the planner's reply is the core's error as before."""
    r = Assistant(sample, clock).handle(Turn("U-RET-101", "cli", "x"), "2 boxes of Sunleaf tea 250g")
    assert "call create_order again" not in r.full_text() and "ask_user" not in r.full_text()


def test_the_model_can_ask_instead_of_guessing_a_unit(assistant, fake):
    fake.script(
        tool_calls(("create_order", {"items": [{"product": "Sunleaf tea 250g", "qty": 2, "unit": "box"}]})),
        tool_calls(
            (
                "ask_user",
                {"question": "Sunleaf tea 250g comes in pieces or cases of 40: which one?", "choices": ["PCS", "CASE"]},
            )
        ),
    )
    r = assistant.handle(Turn("U-RET-101", "telegram", "ask"), "2 boxes of Sunleaf tea 250g")
    assert r.outcome == "clarify" and r.text.endswith("- PCS\n- CASE")
