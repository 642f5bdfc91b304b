"""Changes said the way people say them: a repeated order with a change ("same as last time but
double it"), the warehouse's own words for damage, counts and receipts, a number where an order
goes, and the answer to a tool's own question ("Which batch?"). Each is read exactly or asked
about; nothing is ever dropped or taken from an earlier turn by mistake."""

import pytest
from sqlmodel import Session, func, select

from agent.runtime import Assistant, Turn
from core.tables.inventory import StockBalance
from core.tables.orders import Order


def _say(assistant, user, text, conversation="c"):
    return assistant.handle(Turn(user, "web", f"{conversation}-{user}"), text)


def _call(reply, name=None):
    calls = [c for c in reply.tool_calls if name is None or c.name == name]
    assert calls, (reply.outcome, reply.text, reply.tool_calls)
    return calls[-1].args


def _lines(args) -> dict:
    return {i["product"]: (i["qty"], i.get("unit")) for i in args["items"]}


def _orders(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Order)).one()


# R-101's latest order, SO-0905: 72 PCS of CC-200 and 12 PCS of GD-1L
@pytest.mark.parametrize(
    "said,lines",
    [
        ("same as last time but double it", {"CC-200": (144, None), "GD-1L": (24, None)}),
        ("repeat my last order without the oil", {"CC-200": (72, None)}),
        ("pichla order dobara bhejo, bas oil hata do", {"CC-200": (72, None)}),
        ("reorder SO-0905, make the oil 2 cases", {"CC-200": (72, None), "GD-1L": (2, "CASE")}),
        (
            "same as last time plus 3 boxes of marie gold",
            {"CC-200": (72, None), "GD-1L": (12, None), "MG-75": (3, "BOX")},
        ),
    ],
)
def test_a_repeat_with_a_change_previews_the_changed_lines(sample, clock, said, lines):
    reply = _say(Assistant(sample, clock), "U-RET-101", said)
    assert reply.awaiting_confirmation, reply.text
    assert _lines(_call(reply, "create_order")) == lines


def test_a_change_after_a_repeat_preview_applies_to_its_lines(sample, clock):
    assistant = Assistant(sample, clock)
    first = _say(assistant, "U-RET-101", "same as last time")
    assert _call(first, "reorder") is not None and first.awaiting_confirmation
    changed = _say(assistant, "U-RET-101", "remove the oil")
    assert _lines(_call(changed, "create_order")) == {"CC-200": (72, None)}


@pytest.mark.parametrize("said", ["pichli baar jaisa hi bhej do", "same order again pls"])
def test_a_plain_repeat_in_any_words_is_the_reorder(sample, clock, said):
    reply = _say(Assistant(sample, clock), "U-RET-101", said)
    assert [c.name for c in reply.tool_calls] == ["reorder"] and reply.awaiting_confirmation


@pytest.mark.parametrize(
    "said", ["repeat my last order but blah blah", "repeat my last order but 2 cases of marie gold instead"]
)
def test_a_change_that_cannot_be_placed_is_asked_never_dropped(sample, clock, said):
    before = _orders(sample)
    reply = _say(Assistant(sample, clock), "U-RET-101", said)
    assert reply.outcome == "clarify" and not reply.awaiting_confirmation, reply.text
    assert _orders(sample) == before


def test_a_number_where_an_order_goes_is_asked_never_the_order_named_before(sample, clock):
    assistant = Assistant(sample, clock)
    _say(assistant, "U-WH-1", "where is SO-0905")
    reply = _say(assistant, "U-WH-1", "mark 0906 delivered")
    assert reply.outcome == "clarify" and "0906" in reply.text and not reply.tool_calls
    ranked = _say(assistant, "U-WH-1", "dispatch the oldest confirmed order")
    assert [c.name for c in ranked.tool_calls] == ["list_orders"] and not ranked.awaiting_confirmation


@pytest.mark.parametrize(
    "said,tool,expect",
    [
        ("3 crunchy cream 100g boxes torn", "record_damage", {"product": "CC-100", "qty": 3, "unit": "BOX"}),
        ("counted the sunleaf tea 250g, only 150 there", "adjust_stock", {"product": "ST-250", "counted": 150}),
        (
            "got 2 cases of neem soap, batch NS-2701, mfg 15 nov",
            "receive_stock",
            {"product": "NS-100", "qty": 2, "unit": "CASE", "batch": "NS-2701", "mfg_date": "2026-11-15"},
        ),
    ],
)
def test_warehouse_staff_state_stock_changes_in_their_own_words(sample, clock, said, tool, expect):
    reply = _say(Assistant(sample, clock), "U-WH-1", said)
    args = _call(reply, tool)
    assert {k: args.get(k) for k in expect} == expect, reply.text


@pytest.mark.parametrize("answer", ["MG-2606", "the second one"])
def test_the_answer_to_a_tools_question_fills_that_argument(sample, clock, answer):
    assistant = Assistant(sample, clock)
    asked = _say(assistant, "U-WH-1", "4 pcs marie gold damaged")
    assert "Which batch" in asked.text and not asked.awaiting_confirmation
    preview = _say(assistant, "U-WH-1", answer)
    assert preview.awaiting_confirmation, preview.text
    assert _call(preview, "record_damage")["batch"] == "MG-2606"
    with Session(sample) as s:  # nothing changes before "yes"
        assert s.exec(select(StockBalance.damaged).where(StockBalance.batch == "MG-2606")).one() == 0


def test_hinglish_edits_act_on_the_line_they_name_and_keep_its_unit(sample, clock):
    assistant = Assistant(sample, clock)
    _say(assistant, "U-RET-101", "2 dabba crunchy cream 100g aur 1 case marie gold bhejo")
    more = _say(assistant, "U-RET-101", "crunchy ek dabba aur badha do")
    assert _lines(_call(more, "create_order")) == {"CC-100": (3, "BOX"), "MG-75": (1, "CASE")}
    swapped = _say(assistant, "U-RET-101", "crunchy 200g chahiye 100g nahi")
    assert _lines(_call(swapped, "create_order")) == {"CC-200": (3, "BOX"), "MG-75": (1, "CASE")}
    less = _say(assistant, "U-RET-101", "crunchy 1 kam karo")
    assert _lines(_call(less, "create_order")) == {"CC-200": (2, "BOX"), "MG-75": (1, "CASE")}
    absent = _say(assistant, "U-RET-101", "neem soap nahi chahiye")
    assert absent.outcome == "clarify" and "not in this order" in absent.text
    assert assistant.awaiting_confirmation(Turn("U-RET-101", "web", "c-U-RET-101"))  # the preview still stands


def test_a_customer_named_by_a_word_that_is_also_a_place_is_the_customer_where_money_is_meant(sample, clock):
    assistant = Assistant(sample, clock)
    owes = _say(assistant, "U-ADM", "how much does chennai owe")
    assert _call(owes, "outstanding")["customer"] and "Chennai Traders" in owes.text
    sales = _say(assistant, "U-ADM", "sales in chennai this month")
    assert _call(sales, "sales_report")["region"] == "CHN"


def test_a_word_several_customers_share_is_asked_and_the_answer_fills_it(sample, clock):
    assistant = Assistant(sample, clock)
    asked = _say(assistant, "U-ADM", "collected 2000 cash from traders")
    assert asked.outcome == "clarify" and "D-CHN" in asked.text and "R-107" in asked.text
    preview = _say(assistant, "U-ADM", "old town")
    assert preview.awaiting_confirmation and "Old Town Traders" in preview.text


@pytest.mark.parametrize(
    "said,tool,expect",
    [
        ("chennai traders se 5k cash mila", "record_payment", {"amount": "5000", "method": "cash"}),
        ("kab tak dena hai chennai traders ko", "payment_due", {}),
    ],
)
def test_money_in_hinglish(sample, clock, said, tool, expect):
    args = _call(_say(Assistant(sample, clock), "U-ADM", said), tool)
    assert {k: args.get(k) for k in expect} == expect


@pytest.mark.parametrize(
    "said,days",
    [
        ("what's expiring in the next 2 weeks", 14),
        ("any expired stock?", 0),
        ("kya expire hone wala hai agle 2 mahine me", 60),
        ("short dated stock", 30),
    ],
)
def test_stock_near_its_expiry_is_asked_in_any_words(sample, clock, said, days):
    reply = _say(Assistant(sample, clock), "U-WH-1", said)
    assert _call(reply, "expiring_stock")["within_days"] == days


def test_expiring_stock_lists_the_batches_in_scope_soonest_first(sample, clock):
    from sqlmodel import Session

    from core.access import load_actor
    from core.errors import NotAllowed
    from core.stock import expiring_stock

    with Session(sample) as s:
        rows = expiring_stock(s, load_actor(s, "U-ADM"), clock.today(), 3650)
        assert rows and [r.expiry_date for r in rows] == sorted(r.expiry_date for r in rows)
        mine = expiring_stock(s, load_actor(s, "U-WH-1"), clock.today(), 3650)
        assert {r.warehouse for r in mine} <= {"WH-BLR"}
        with pytest.raises(NotAllowed):
            expiring_stock(s, load_actor(s, "U-RET-101"), clock.today(), 30)  # retailers see no quantities


def test_a_receipts_dates_never_pick_the_product(sample, clock):
    """ "mfg 10/2026" holds a 10, which a SKU's name ("... 100g") must not be matched by."""
    reply = _say(
        Assistant(sample, clock), "U-WH-1", "received 2 case crunchy cream 200g batch CC2-2611 mfg 10/2026 exp 09/2027"
    )
    args = _call(reply, "receive_stock")
    assert (args["product"], args["mfg_date"], args["expiry_date"]) == ("CC-200", "2026-10-31", "2027-09-30")


def test_a_size_said_as_a_variant_swaps_the_line_never_sets_a_quantity(sample, clock):
    assistant = Assistant(sample, clock)
    _say(assistant, "U-RET-101", "3 box crunchy cream 100g")
    swapped = _say(assistant, "U-RET-101", "crunchy 200g wala kar do")
    assert _lines(_call(swapped, "create_order")) == {"CC-200": (3, "BOX")}


def test_a_credit_limit_said_with_a_number_is_refused_not_an_edit(sample, clock):
    assistant = Assistant(sample, clock)
    _say(assistant, "U-RET-101", "2 box marie gold")
    reply = _say(assistant, "U-RET-101", "credit limit 25 kar do")
    assert reply.outcome == "refused" and not [c for c in reply.tool_calls if c.name == "create_order"]


@pytest.mark.parametrize("name", ["Ghosh Stores", "Fresh Mart", "Zzyx Kirana Store"])
def test_a_name_that_only_shares_a_trade_word_is_refused_like_one_out_of_scope(sample, clock, name):
    """R-101 is 'Anand Kirana Store': a name sharing only 'store' or 'kirana' is not theirs."""
    reply = _say(Assistant(sample, clock), "U-RET-101", f"what does {name} owe")
    assert reply.outcome == "refused" and "Anand" not in reply.text


def test_after_no_the_dropped_draft_never_comes_back(sample, clock):
    assistant = Assistant(sample, clock)
    _say(assistant, "U-ADM", "fresh mart ke liye 10 box marie gold")
    _say(assistant, "U-ADM", "no")
    reply = _say(assistant, "U-ADM", "2 case neem soap for lucky general store")
    assert _lines(_call(reply, "create_order")) == {"NS-100": (2, "CASE")}


@pytest.mark.parametrize("said", ["I meant 300g not 500g", "2 litre not 5 litre"])
def test_a_size_swap_for_a_size_no_line_has_is_asked_about(sample, clock, said):
    """It had crashed (the user read that the model was not answering): now the draft stays as
    it was and the user is asked which product and size."""
    assistant = Assistant(sample, clock)
    before = _orders(sample)
    first = _say(assistant, "U-RET-101", "2 boxes of marie gold")
    assert first.awaiting_confirmation, first.text
    reply = _say(assistant, "U-RET-101", said)
    assert reply.outcome == "clarify" and "size" in reply.text and not reply.tool_calls, reply.text
    assert _orders(sample) == before
