"""The assistant understands people as they write: Hinglish and filler, help per role made
from the user's own world, questions whose answers fill them, and never a silent guess."""

import re

import pytest
from sqlmodel import Session, func, select

from agent.nlu.normalise import asks_for_help, is_greeting, normalise
from agent.runtime import Assistant, Turn
from core.tables.orders import Order, OrderLine

ROLES = {
    "U-ADM": "admin",
    "U-MGR-KA": "manager",
    "U-REP-1": "sales_rep",
    "U-WH-1": "warehouse",
    "U-DIST-BLR": "distributor",
    "U-RET-101": "retailer",
}


@pytest.mark.parametrize(
    "said,meant",
    [
        ("kitna baaki hai", "how much outstanding"),
        ("kitna dena hai", "how much outstanding"),
        ("nahi 5 kar do", "no make it 5"),
        ("is mahine ki sales", "this month ki sales"),
        ("pichle mahine ke orders dikhao", "last month ke orders show"),
        ("SO-0905 dispatch karo", "SO-0905 dispatch"),
        ("Sandhu ka 3009 wala order cancel karo", "Sandhu ka 3009 order cancel"),
        ("2 bottle chlorpyriphos toot gayi, damage me daal do", "2 bottle chlorpyriphos damaged, mark damaged"),
        ("show me low stock", "show me low stock"),  # English is left alone
        ("what does he owe", "what does he owe"),
    ],
)
def test_hinglish_reads_as_plain_english(said, meant):
    assert normalise(said) == meant


def test_names_the_world_knows_are_never_rewritten():
    known = {"dal", "mat"}
    assert normalise("2 kg toor dal bhej do", lambda w: w.lower() in known) == "2 kg toor dal send"
    assert normalise("5 dal do") == "5 add"


@pytest.mark.parametrize(
    "text,greeting,help_",
    [
        ("hi", True, False),
        ("Namaste ji", True, False),
        ("good morning!", True, False),
        ("what can you do?", False, True),
        ("help", False, True),
        ("kya kar sakte ho", False, True),
        ("hi, 2 boxes of marie", False, False),
        ("help me find neem soap", False, False),
    ],
)
def test_greetings_and_help_are_told_apart_from_requests(text, greeting, help_):
    assert (is_greeting(text), asks_for_help(text)) == (greeting, help_)


def _say(assistant, user, text, conversation="c"):
    return assistant.handle(Turn(user, "web", f"{conversation}-{user}"), text)


@pytest.mark.parametrize("user", ROLES)
def test_help_works_for_every_role_with_examples_from_their_world(sample, clock, user):
    assistant = Assistant(sample, clock)
    reply = _say(assistant, user, "what can you do?")
    assert reply.outcome == "answered"
    examples = [line[2:] for line in reply.text.splitlines() if line.startswith("- ")]
    assert 4 <= len(examples) <= 6
    # every example works as written: none of them is "not understood" or refused for this user
    for example in examples:
        answer = _say(assistant, user, example, conversation="try")
        assert answer.outcome not in ("not_understood", "refused", "error"), (example, answer.text)
        _say(assistant, user, "no", conversation="try")  # drop a preview it may have made


def test_a_message_it_cannot_place_gets_help_and_counts_as_not_understood(sample, clock):
    reply = _say(Assistant(sample, clock), "U-RET-101", "what is the weather like in Goa")
    assert reply.outcome == "not_understood"
    assert "For example" in reply.text and "policy" not in reply.text.lower()


def _orders(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Order)).one()


def test_an_unknown_word_where_a_unit_goes_is_asked_about_and_the_answer_fills_it(sample, clock):
    assistant = Assistant(sample, clock)
    asked = _say(assistant, "U-RET-101", "3 xyzzy marie gold")
    assert asked.outcome == "clarify" and "xyzzy" in asked.text and "BOX" in asked.text
    assert not asked.awaiting_confirmation
    preview = _say(assistant, "U-RET-101", "box")
    assert preview.awaiting_confirmation and "72 PCS (3 BOX)" in preview.text


def test_a_unit_word_after_the_product_is_never_dropped(sample, clock):
    before = _orders(sample)
    reply = _say(Assistant(sample, clock), "U-RET-101", "marie gold 4 xyzzy")
    assert reply.outcome == "clarify" and not reply.awaiting_confirmation and "xyzzy" in reply.text
    assert _orders(sample) == before


def test_which_customer_is_answered_by_the_next_message(sample, clock):
    assistant = Assistant(sample, clock)
    asked = _say(assistant, "U-REP-1", "2 case crunchy cream 200g")
    assert asked.outcome == "clarify" and "Which customer" in asked.text
    preview = _say(assistant, "U-REP-1", "Anand Kirana")
    assert preview.awaiting_confirmation and "Anand Kirana Store (R-101)" in preview.text


def test_a_new_request_replaces_an_unanswered_question(sample, clock):
    assistant = Assistant(sample, clock)
    _say(assistant, "U-REP-1", "2 case crunchy cream 200g")
    reply = _say(assistant, "U-REP-1", "show low stock")
    assert reply.outcome == "answered" and not reply.awaiting_confirmation


def test_a_correction_keeps_the_unit_of_the_line(sample, clock):
    assistant = Assistant(sample, clock)
    assert "72 PCS (3 BOX)" in _say(assistant, "U-RET-101", "3 box marie gold").text
    assert "120 PCS (5 BOX)" in _say(assistant, "U-RET-101", "nahi 5 kar do").text


def test_hinglish_order_and_balance(sample, clock):
    assistant = Assistant(sample, clock)
    preview = _say(assistant, "U-RET-101", "bhai mujhe 3 dabba marie gold chahiye")
    assert preview.awaiting_confirmation and "(3 BOX)" in preview.text
    _say(assistant, "U-RET-101", "nahi")
    owed = _say(assistant, "U-RET-101", "kitna baaki hai mera")
    assert owed.outcome == "answered" and "₹10,190.40" in owed.text


def test_a_status_word_that_is_also_an_action_lists_orders(sample, clock):
    reply = _say(Assistant(sample, clock), "U-MGR-KA", "show dispatched orders")
    assert reply.outcome == "answered" and "SO-0904" in reply.text


@pytest.mark.parametrize(
    "user,text,tool",
    [
        ("U-RET-101", "same as last time", "reorder"),
        ("U-RET-101", "reorder SO-0905", "reorder"),
        ("U-RET-101", "where is SO-0905", "track_order"),
        ("U-RET-101", "show my invoices", "list_invoices"),
        ("U-RET-101", "unpaid bills", "list_invoices"),
        ("U-RET-101", "invoice INV-0001", "get_invoice"),
        ("U-RET-101", "when is my payment due", "payment_due"),
        ("U-RET-101", "how much credit is left", "payment_due"),
        ("U-MGR-KA", "top 5 products this month", "sales_ranking"),
        ("U-MGR-KA", "worst selling customers last month", "sales_ranking"),
        ("U-MGR-KA", "which customers havent ordered in 30 days", "inactive_customers"),
        ("U-MGR-KA", "sales trend by week this month", "sales_trend"),
        ("U-MGR-KA", "send invoice INV-0001", "send_invoice"),
        ("U-WH-1", "goods received 100 pcs marie gold batch MG-2701 at WH-BLR", "receive_stock"),
        ("U-MGR-KA", "anything below reorder level?", "low_stock"),
    ],
)
def test_each_capability_is_reached_in_plain_words(sample, clock, user, text, tool):
    reply = _say(Assistant(sample, clock), user, text)
    assert [c.name for c in reply.tool_calls] == [tool], reply.text
    assert reply.outcome in ("answered", "preview"), reply.text


@pytest.mark.parametrize(
    "user,text,tool",
    [
        ("U-WH-1", "which stuff is finishing soon", "low_stock"),
        ("U-RET-101", "got any special deals", "list_schemes"),
        ("U-MGR-KA", "which shops have gone quiet", "inactive_customers"),
    ],
)
def test_a_request_the_rules_miss_is_placed_by_meaning(sample, clock, user, text, tool):
    reply = _say(Assistant(sample, clock), user, text)
    assert [c.name for c in reply.tool_calls] == [tool] and reply.outcome == "answered"


@pytest.mark.parametrize("text", ["tell me a joke", "I want to talk to a human", "what is the capital of France"])
def test_meaning_never_stretches_to_an_unrelated_message(sample, clock, text):
    reply = _say(Assistant(sample, clock), "U-RET-101", text)
    assert reply.outcome == "not_understood" and not reply.tool_calls


def test_meaning_only_ever_reads():
    from agent.planner.intent_scores import EXAMPLES
    from tools.registry import TOOL_SPECS

    assert EXAMPLES and not [t for t in EXAMPLES if TOOL_SPECS[t][1]]  # no changing tool


@pytest.mark.parametrize(
    "text,answer",
    [
        ("nahi yaar", "no"),
        ("rehne do", "no"),
        ("mat bhejo", "no"),
        ("abhi nahi", "no"),
        ("chhodo", "no"),
        ("haan bhej do", "yes"),
        ("theek hai kar do", "yes"),
        ("bilkul", "yes"),
        ("haan yaar", "yes"),
        ("nahi 5 kar do", None),
        ("haan aur 2 box add karo", None),  # these ask for something more
    ],
)
def test_hinglish_yes_and_no_to_a_preview(text, answer):
    from agent.nlu.confirm import parse_confirmation

    assert parse_confirmation(text) == answer


@pytest.mark.parametrize(
    "said,amount",
    [
        ("Anand Kirana paid 50 hazaar by upi", "₹50,000.00"),
        ("Anand Kirana ne 1.5 lakh diye cash", "₹1,50,000.00"),
        ("received 10k cash from Anand Kirana", "₹10,000.00"),
        ("anand kirana ne 2.5k upi kiya", "₹2,500.00"),
        ("payment of Rs 1,20,000/- received from Anand Kirana via cheque", "₹1,20,000.00"),
        ("Anand Kirana paid 2500 cash utr 88812", "₹2,500.00"),
    ],
)
def test_money_is_read_as_people_write_it_never_cut_to_its_digits(sample, clock, said, amount):
    reply = _say(Assistant(sample, clock), "U-ADM", said)
    assert reply.awaiting_confirmation, reply.text
    assert f"payment of {amount} " in reply.text


def test_two_amounts_in_a_payment_are_asked_about_and_an_advance_is_named(sample, clock):
    assistant = Assistant(sample, clock)
    asked = _say(assistant, "U-ADM", "Anand Kirana paid 500 and 700 cash")
    assert asked.outcome == "clarify" and "₹500.00" in asked.text and "₹700.00" in asked.text
    big = _say(assistant, "U-ADM", "Anand Kirana paid 1.5 lakh cash", conversation="big")
    assert big.awaiting_confirmation and "more than they owe" in big.text


@pytest.mark.parametrize(
    "said,shown",
    [
        # a batch code alone names its batch; a size in a product's name is no quantity
        ("5 pcs MG-2608 torn packets, mark damaged", "Mark 5 damaged of Marie Gold 75g (MG-75), batch MG-2608"),
        ("crunchy cream 200 ke 6 piece kharab ho gaye batch CC2-2610", "Mark 6 damaged of Crunchy Cream 200g"),
        # counts: what is there, the change worked out from what is recorded
        ("count of MG-2608 is 2390 not 2400", "Adjust stock by -10 of Marie Gold 75g"),
        ("physical count: marie gold 75g batch MG-2608 has only 2395", "Adjust stock by -5 of Marie Gold 75g"),
        ("stock correction CC-2610 -4 breakage", "Adjust stock by -4 of Crunchy Cream 100g"),
        ("add 12 to CC-2609, found extra in count", "Adjust stock by +12 of Crunchy Cream 100g"),
        # goods that came in, in any words
        ("received 10 cases of marie gold 75g batch MG-2611 in WH-BLR", "Receive 2400 PCS (10 CASE) of Marie Gold 75g"),
        ("marie gold 75g ke 10 case aaye batch MG-2611", "Receive 2400 PCS (10 CASE) of Marie Gold 75g"),
    ],
)
def test_warehouse_staff_say_stock_changes_in_their_own_words(sample, clock, said, shown):
    reply = _say(Assistant(sample, clock), "U-WH-1", said)
    assert reply.awaiting_confirmation and shown in reply.text, reply.text


def test_two_candidate_quantities_of_a_stock_change_are_asked_about(sample, clock):
    reply = _say(Assistant(sample, clock), "U-WH-1", "crunchy cream 200 5 6 damaged batch CC2-2610")
    assert reply.outcome == "clarify" and "5 or 6" in reply.text and not reply.awaiting_confirmation


def test_goods_received_is_never_a_payment_nor_an_order(sample, clock):
    assistant = Assistant(sample, clock)
    told = _say(assistant, "U-RET-101", "I received 10 boxes of marie gold 75g but 2 are damaged")
    assert not told.awaiting_confirmation and told.outcome != "refused"
    money = _say(assistant, "U-ADM", "received 5000 cash from Anand Kirana")
    assert money.awaiting_confirmation and "payment of ₹5,000.00" in money.text


def test_the_order_number_typed_is_the_one_acted_on(sample, clock):
    assistant = Assistant(sample, clock)
    _say(assistant, "U-ADM", "show SO-0908")
    reply = _say(assistant, "U-ADM", "cancel SO-0905 duplicate order")
    assert reply.awaiting_confirmation and "Cancel order SO-0905" in reply.text, reply.text
    # digits without the order's letters are asked about, never taken for the last order
    asked = _say(assistant, "U-RET-101", "can you repeat order 0903", conversation="digits")
    assert asked.outcome == "clarify" and "0903" in asked.text and not asked.awaiting_confirmation


@pytest.mark.parametrize(
    "said", ["where is my order", "status of my last order", "repeat my last order", "my invoice for SO-0901"]
)
def test_a_retailers_own_words_about_their_orders_are_never_refused(sample, clock, said):
    reply = _say(Assistant(sample, clock), "U-RET-101", said)
    assert reply.outcome != "refused", reply.text


def test_a_question_about_what_was_done_is_never_the_action(sample, clock):
    reply = _say(Assistant(sample, clock), "U-RET-101", "what did u cancel?")
    assert not reply.awaiting_confirmation and reply.outcome == "answered"


def test_an_order_said_again_with_its_customer_replaces_the_question(sample, clock):
    assistant = Assistant(sample, clock)
    assert _say(assistant, "U-REP-1", "2 case brisk 500g").outcome == "clarify"  # which customer?
    reply = _say(assistant, "U-REP-1", "2 case brisk 500g for Ganesh Provisions")
    assert reply.awaiting_confirmation and "80 PCS (2 CASE)" in reply.text and "4 CASE" not in reply.text


def test_the_unit_after_the_product_and_edits_by_line_name(sample, clock):
    assistant = Assistant(sample, clock)
    first = _say(assistant, "U-RET-101", "send 10 marie gold 75g boxes")
    assert "240 PCS (10 BOX)" in first.text, first.text
    _say(assistant, "U-RET-101", "also add 3 pcs sunleaf tea 250g")
    edited = _say(assistant, "U-RET-101", "make the tea 2")
    assert "Sunleaf Premium Tea 250g (ST-250): 2 PCS" in edited.text and "240 PCS (10 BOX)" in edited.text


def test_a_receipts_expiry_is_read_or_asked_about_never_dropped(sample, clock):
    assistant = Assistant(sample, clock)
    read = _say(assistant, "U-WH-1", "received 200 pcs neem soap batch NS-2612 expiry date 1 Dec 2028")
    assert read.awaiting_confirmation and "expiry 2028-12-01" in read.text, read.text
    month = _say(assistant, "U-WH-1", "add 200 pcs NS-100 to stock, new batch NS-2613 exp 06/2027", conversation="m")
    assert "expiry 2027-06-30" in month.text, month.text
    unread = _say(assistant, "U-WH-1", "received 100 pcs NS-100 batch NS-2614 expiry soon", conversation="u")
    assert unread.outcome == "clarify" and "'soon'" in unread.text


def test_managers_reports_in_their_words(sample, clock):
    assistant = Assistant(sample, clock)
    rep = _say(assistant, "U-MGR-KA", "what did priya sell this month")
    assert "Priya Nair's customers" in rep.text, rep.text
    by = _say(assistant, "U-MGR-KA", "sales this month by sales rep")
    assert "can't group sales by sales rep" in by.text  # a grouping it has not is said, never dropped
    over = _say(assistant, "U-MGR-KA", "which customers r over credit limit")
    assert "over their credit limit" in over.text and "policy" not in over.text.lower(), over.text


def test_a_rejection_reason_may_follow_the_order_number(sample, clock):
    assistant = Assistant(sample, clock)
    _say(assistant, "U-RET-103", "please book 1 case sunleaf tea 250g")
    placed = _say(assistant, "U-RET-103", "yes")
    no = placed.text.split()[1]
    reply = _say(assistant, "U-MGR-KA", f"reject {no} customer already over limit, collect dues first")
    assert reply.awaiting_confirmation and '"customer already over limit, collect dues first"' in reply.text


def test_names_as_reps_and_distributors_say_them(sample, clock):
    assistant = Assistant(sample, clock)
    first = _say(assistant, "U-REP-1", "ganesh ke liye 2 case brisk 500g")  # one customer's first word
    assert first.awaiting_confirmation and "Ganesh Provisions (R-103)" in first.text, first.text
    # a lowercase name at the end is passed as typed: out of scope and nonexistent answer alike
    real = _say(assistant, "U-REP-1", "5 case tea 250 for murugan stores", conversation="out")
    fake = _say(assistant, "U-REP-1", "5 case tea 250 for gurukrupa stores", conversation="fake")
    assert real.outcome == fake.outcome == "refused"
    assert real.text.replace("murugan", "X") == fake.text.replace("gurukrupa", "X")
    own = _say(assistant, "U-DIST-BLR", "how much do we owe")
    assert "Sri Lakshmi Distributors (D-BLR) owes" in own.text, own.text
    theirs = _say(assistant, "U-DIST-BLR", "outstanding of my retailers", conversation="r")
    assert "customers owe" in theirs.text


def test_edits_of_an_order_before_yes(sample, clock):
    assistant = Assistant(sample, clock)
    _say(assistant, "U-RET-101", "2 box marie gold 75g and 1 case crunchy cream 100g")
    up = _say(assistant, "U-RET-101", "increase marie by 2 boxes")
    assert "96 PCS (4 BOX)" in up.text, up.text  # by 2: relative, never set to 2
    down = _say(assistant, "U-RET-101", "reduce marie by 3 boxes")
    assert "24 PCS (1 BOX)" in down.text, down.text
    size = _say(assistant, "U-RET-101", "sorry I meant 200g not 100g")
    assert "Crunchy Cream 200g (CC-200)" in size.text and "CC-100" not in size.text
    gone = _say(assistant, "U-RET-101", "crunchy nahi chahiye")
    assert "Crunchy" not in gone.text and "Marie Gold 75g" in gone.text, gone.text


@pytest.mark.parametrize(
    "user,said,shown",
    [
        ("U-RET-101", "pichla order dobara bhejo", "Repeating order SO-0905"),
        ("U-RET-101", "wahi maal phir se bhej do", "Repeating order SO-0905"),
        ("U-RET-101", "I don't want SO-0905 anymore", "Cancel order SO-0905"),
        ("U-WH-1", "SO-0908 ready hai, bhej do", "Dispatch order SO-0908"),
        ("U-WH-1", "SO-0908 nikal gaya", "Dispatch order SO-0908"),
    ],
)
def test_reorders_cancels_and_dispatches_in_their_own_words(sample, clock, user, said, shown):
    reply = _say(Assistant(sample, clock), user, said)
    assert reply.awaiting_confirmation and shown in reply.text, reply.text


def test_a_batch_code_of_another_warehouse_reads_as_one_that_does_not_exist(sample, clock):
    assistant = Assistant(sample, clock)
    other = _say(assistant, "U-WH-1", "stock correction CC-2610C -4 breakage", conversation="other")  # WH-CHN's
    none = _say(assistant, "U-WH-1", "stock correction CC-2699C -4 breakage", conversation="none")
    assert other.outcome == none.outcome and other.text.replace("2610", "2699") == none.text
    own = _say(assistant, "U-WH-1", "stock correction CC-2610 -4 breakage", conversation="own")  # WH-BLR's
    assert own.awaiting_confirmation and "batch CC-2610 in" in own.text


def _orders(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Order)).one()


@pytest.mark.parametrize(
    "said,asks",
    [
        ("20 boxes of crunchy cream 100g and 10 zorblax", "zorblax"),  # an unknown item after "and"
        ("10 box marie, 3 kg jaggery, 2 case brisk 1kg", "3 kg jaggery"),  # an item without a unit it reads
        ("10 box marie and crunchy", "crunchy"),  # another product without its quantity
        ("2 case oil 1L. will pay full amount by UPI now", "How will this order be paid?"),  # terms unread
    ],
)
def test_words_of_an_order_it_cannot_place_are_asked_never_dropped(sample, clock, said, asks):
    a, turn = Assistant(sample, clock), Turn("U-RET-101", "web", "drop-" + said[:12])
    before = _orders(sample)
    r = a.handle(turn, said)
    assert r.outcome == "clarify" and not r.awaiting_confirmation and asks in r.text
    assert a.handle(turn, "yes").outcome != "done" and _orders(sample) == before


def test_lines_said_while_a_preview_waits_join_it_and_the_same_product_is_asked(sample, clock):
    a, turn = Assistant(sample, clock), Turn("U-RET-101", "web", "waiting")
    assert a.handle(turn, "10 box crunchy cream 100g").awaiting_confirmation
    both = a.handle(turn, "20 box marie gold")
    assert both.awaiting_confirmation and both.text.startswith("Added to the order waiting for your yes:")
    assert [i["product"] for i in both.tool_calls[0].args["items"]] == ["CC-100", "MG-75"]
    again = a.handle(turn, "15 box crunchy cream 100g")
    assert again.outcome == "clarify" and "instead" in again.text and "more" in again.text
    placed = a.handle(turn, "yes")  # the preview still waiting is the two-line one
    assert placed.outcome == "done"
    order_no = re.search(r"SO-\d+", placed.text)[0]
    with Session(sample) as s:
        lines = s.exec(select(OrderLine).where(OrderLine.order_no == order_no)).all()
        assert sorted((line.sku, line.qty) for line in lines if line.qty) == [("CC-100", 120), ("MG-75", 480)]
    after = a.handle(turn, "5 box marie gold")  # after the yes, new lines are a new order
    assert after.awaiting_confirmation and not after.text.startswith("Added to")


def test_a_change_is_never_made_again_by_a_follow_up(sample, clock):
    a, turn = Assistant(sample, clock), Turn("U-WH-1", "web", "receipt")
    assert a.handle(turn, "received 200 pcs neem soap batch NS-2612 expiry dec 2028").awaiting_confirmation
    assert a.handle(turn, "yes").outcome == "done"
    after = a.handle(turn, "stock of neem soap")  # was previewed as the same receipt again
    assert not after.awaiting_confirmation and [c.name for c in after.tool_calls] == ["stock_levels"]


def test_the_business_words_are_not_misspelt_names(sample, clock):
    r = Assistant(sample, clock).handle(Turn("U-WH-1", "web", "batches"), "expiring batches")
    assert [c.name for c in r.tool_calls] == ["expiring_stock"] and not r.tool_calls[0].args.get("product")


@pytest.mark.parametrize(
    "said,filters",
    [
        ("sales of Brisk last month", {"brand": "BRISK"}),
        ("sales of crunchy cream 100g in october", {"product": "CC-100"}),
        ("biscuit sales in october", {"category": "BISCUITS"}),
        ("sales last month", {}),
    ],
)
def test_goods_named_in_a_sales_question_filter_it(sample, clock, said, filters):
    r = Assistant(sample, clock).handle(Turn("U-MGR-KA", "web", "s-" + said), said)
    [call] = r.tool_calls
    assert call.name == "sales_report"
    assert {k: call.args.get(k) for k in ("brand", "category", "product") if call.args.get(k)} == filters


def test_an_ageing_report_is_the_outstanding(sample, clock):
    r = Assistant(sample, clock).handle(Turn("U-MGR-KA", "web", "ageing"), "ageing report")
    assert r.tool_calls[0].name == "outstanding"


@pytest.mark.parametrize(
    "said,tool,reason",
    [
        ("dont approve it, too much credit", "reject_order", "too much credit"),
        ("approve mat karo, dues pending", "reject_order", "dues pending"),
        ("decline it, over limit", "reject_order", "over limit"),
        ("reject kar do, payment pending hai", "reject_order", "payment pending hai"),
        ("why was it not approved?", "get_order", None),
    ],
)
def test_an_approval_refused_in_words_is_a_rejection_and_a_question_changes_nothing(sample, clock, said, tool, reason):
    a = Assistant(sample, clock)
    placed = a.handle(Turn("U-RET-101", "web", "big"), "8 case crunchy cream 100g")
    assert placed.awaiting_confirmation
    done = a.handle(Turn("U-RET-101", "web", "big"), "yes")
    order_no = re.search(r"SO-\d+", done.text)[0]
    assert "approval" in done.text
    r = a.handle(
        Turn("U-MGR-KA", "web", "m-" + said), said.replace("it", order_no, 1) if " it" in said else f"{order_no} {said}"
    )
    [call] = r.tool_calls
    assert call.name == tool and (reason is None or call.args["reason"] == reason)
    assert r.awaiting_confirmation == (tool == "reject_order")


@pytest.mark.parametrize(
    "said", ["cancel my last order", "mera last order cancel karo", "cancel the order I placed today"]
)
def test_cancel_my_last_order_previews_the_latest_one(sample, clock, said):
    a = Assistant(sample, clock)
    assert a.handle(Turn("U-RET-101", "web", "o"), "5 box marie gold").awaiting_confirmation
    order_no = re.search(r"SO-\d+", a.handle(Turn("U-RET-101", "web", "o"), "yes").text)[0]
    r = a.handle(Turn("U-RET-101", "web", "c"), said)
    assert r.awaiting_confirmation and r.tool_calls[0].name == "cancel_order" and order_no in r.text
    staff = a.handle(Turn("U-MGR-KA", "web", "c"), said)  # whose last order? never a guess
    assert not staff.awaiting_confirmation


@pytest.mark.parametrize("said", ["where is my order", "status of my last order", "has my order been dispatched?"])
def test_a_question_about_my_order_tracks_the_latest_and_changes_nothing(sample, clock, said):
    a = Assistant(sample, clock)
    assert a.handle(Turn("U-RET-101", "web", "o"), "5 box marie gold").awaiting_confirmation
    order_no = re.search(r"SO-\d+", a.handle(Turn("U-RET-101", "web", "o"), "yes").text)[0]
    r = a.handle(Turn("U-RET-101", "web", "t"), said)
    assert [c.name for c in r.tool_calls] == ["track_order"] and r.tool_calls[0].args["order_no"] == order_no
    assert not r.awaiting_confirmation and r.outcome != "refused"
    asked = a.handle(Turn("U-WH-1", "web", "t"), f"is {order_no} dispatched?")  # a question, not the dispatch
    assert not asked.awaiting_confirmation and asked.tool_calls[0].name == "track_order"
