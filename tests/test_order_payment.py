"""An order's payment details (rules.md, "Orders"): on credit, cash on delivery, or with an
advance recorded with the order, which the credit check counts; in the core, in chat, over
the API, and through the migration."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from agent.runtime import Assistant, Turn
from core.access import load_actor
from core.db import make_engine, transaction
from core.errors import InvalidInput
from core.orders import Item, PaymentDetails, create_order, dispatch_order, preview_order
from core.tables.audit import AuditEntry
from core.tables.billing import Payment
from core.tables.orders import Order
from migrations import alembic_config
from tests.api_helpers import Api
from tests.conftest import BACKEND, RUN_ID, pg_admin, pg_url

# R-101 has a ₹20,000 limit and owes ₹10,190.40: six cases of GD-1L (₹10,372.32 after its scheme) go over it
SIX_CASES = [Item("GD-1L", 6, "CASE")]


def _as(engine, user):
    return Session(engine), user


def test_an_advance_is_counted_by_the_credit_check_and_recorded_with_the_order(sample, clock):
    with Session(sample) as s:
        actor = load_actor(s, "U-RET-101")
        assert preview_order(s, actor, clock, SIX_CASES).status == "pending_approval"
        paid = PaymentDetails("advance", Decimal("1000"), "upi", "UTR-9")
        p = preview_order(s, actor, clock, SIX_CASES, payment=paid)
        assert (p.status, p.total, p.payment.advance) == ("confirmed", Decimal("10372.32"), Decimal("1000.00"))
    with transaction(sample) as s:
        order, _ = create_order(s, load_actor(s, "U-RET-101", "web"), clock, SIX_CASES, payment=paid)
        no = order.order_no
    with Session(sample) as s:
        o = s.get(Order, no)
        assert (o.status, o.payment) == ("confirmed", "advance")
        [pay] = s.exec(select(Payment).where(Payment.order_no == no)).all()
        assert (pay.customer, pay.amount, pay.method, pay.reference, pay.recorded_by, pay.channel) == (
            "R-101",
            Decimal("1000.00"),
            "upi",
            "UTR-9",
            "U-RET-101",
            "web",
        )
        audited = s.exec(select(AuditEntry).where(AuditEntry.action == "payment.record")).all()
        assert any(no in a.detail and a.user_id == "U-RET-101" and a.channel == "web" for a in audited)


def test_cash_on_delivery_is_due_when_invoiced_credit_by_the_terms(sample, clock):
    with transaction(sample) as s:
        actor = load_actor(s, "U-MGR-KA")
        cod, _ = create_order(
            s, actor, clock, [Item("CC-100", 2, "BOX")], "R-101", payment=PaymentDetails("cash_on_delivery")
        )
        credit, _ = create_order(s, actor, clock, [Item("CC-100", 2, "BOX")], "R-101")
    with transaction(sample) as s:
        _, _, inv_cod = dispatch_order(s, load_actor(s, "U-ADM"), clock, cod.order_no)
        _, _, inv_credit = dispatch_order(s, load_actor(s, "U-ADM"), clock, credit.order_no)
        assert inv_cod.due_date == inv_cod.issued_on == clock.today()
        assert inv_credit.due_date == clock.today() + timedelta(days=15)  # R-101's terms


@pytest.mark.parametrize(
    ("paid", "why"),
    [
        (PaymentDetails("advance", Decimal("20000"), "cash"), "more than the order's total"),
        (PaymentDetails("advance", Decimal("500"), None), "amount and method"),
        (PaymentDetails("advance", Decimal("500"), "barter"), "Unknown payment method"),
        (PaymentDetails("cheque_later"), "Unknown payment terms"),
        (PaymentDetails("credit", Decimal("500"), "cash"), "goes with payment terms 'advance'"),
    ],
)
def test_bad_payment_details_are_clear_errors_and_change_nothing(sample, clock, paid, why):
    with Session(sample) as s:
        before = s.exec(select(Payment)).all()
        with pytest.raises(InvalidInput, match=why):
            create_order(s, load_actor(s, "U-RET-101"), clock, [Item("CC-100", 2, "BOX")], payment=paid)
        s.rollback()
        assert s.exec(select(Payment)).all() == before


def _say(assistant, user, said):
    return assistant.handle(Turn(user, "web", "c-" + user), said)


def test_in_chat_an_advance_is_read_previewed_and_recorded_on_yes(sample, clock):
    a = Assistant(sample, clock)
    r = _say(a, "U-RET-101", "6 cases GD-1L, I paid 1000 advance by upi ref 88123")
    assert r.awaiting_confirmation and "advance of ₹1,000.00 by UPI, reference 88123" in r.text
    assert "It will be confirmed at once." in r.text  # the advance keeps it inside the credit limit
    done = _say(a, "U-RET-101", "yes")
    assert done.outcome == "done"
    with Session(sample) as s:
        [pay] = s.exec(select(Payment).where(Payment.reference == "88123")).all()
        assert (pay.amount, pay.method, s.get(Order, pay.order_no).payment) == (Decimal("1000.00"), "upi", "advance")


def test_in_chat_cash_on_delivery_and_an_advance_not_all_said(sample, clock):
    a = Assistant(sample, clock)
    cod = _say(a, "U-RET-101", "2 boxes crunchy cream 100g, cash on delivery")
    assert cod.awaiting_confirmation and "Payment: cash on delivery" in cod.text
    assert cod.tool_calls[0].args["payment"] == "cash_on_delivery"
    ask = a.handle(Turn("U-RET-101", "web", "c-another"), "5 boxes CC-100 with advance")
    assert ask.outcome == "clarify" and not ask.awaiting_confirmation and "How much was paid in advance" in ask.text


@pytest.mark.parametrize(
    ("said", "payment"),
    [
        # an ordering word ("order", "send", "bhejo") before the items must not lose the terms after them
        ("order 2 boxes of Crunchy Cream 100g, I'll pay cash on delivery", {"payment": "cash_on_delivery"}),
        (
            "send 3 case marie gold, will pay 2000 advance by UPI ref 88812",
            {"payment": "advance", "advance_amount": "2000", "advance_method": "upi", "advance_reference": "88812"},
        ),
        ("bhejo 2 case marie, 1500 advance cash diya", {"payment": "advance", "advance_amount": "1500"}),
    ],
)
def test_in_chat_terms_said_after_an_ordering_word_are_kept(sample, clock, said, payment):
    r = _say(Assistant(sample, clock), "U-RET-101", said)
    assert r.awaiting_confirmation and "Payment:" in r.text
    args = r.tool_calls[0].args
    assert {k: args.get(k) for k in payment} == payment


def test_the_api_takes_payment_details(sample, clock):
    api = Api(sample, clock)
    body = {
        "items": [{"sku": "GD-1L", "qty": 6, "unit": "CASE"}],
        "payment": {"terms": "advance", "advance": {"amount": "1000.00", "method": "upi", "reference": "U-1"}},
    }
    preview = api.post("U-RET-101", "/orders/preview", body)
    assert preview.status_code == 200 and (preview.json()["status"], preview.json()["advance"]) == (
        "confirmed",
        "1000.00",
    )
    made = api.post("U-RET-101", "/orders", body, key="adv-1")
    assert made.status_code == 201 and made.json()["payment"] == "advance"
    bad = api.post("U-RET-101", "/orders", {**body, "payment": {"terms": "advance"}}, key="adv-2")
    assert bad.status_code == 422 and "amount and method" in bad.json()["detail"]


def test_migration_0009_keeps_orders_on_credit(tmp_path):
    if BACKEND == "postgres":
        name = f"dms_{RUN_ID}_pay{uuid.uuid4().hex[:6]}"
        pg_admin(f'CREATE DATABASE "{name}"')
        url = pg_url(name)
    else:
        url = f"sqlite:///{tmp_path / 'pay.db'}"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0008")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO orders (order_no, customer, warehouse, status, created_at, gross, discount, tax, total) "
                    "VALUES ('SO-1', 'C-1', 'W', 'confirmed', '2026-11-01 10:00:00', '100', '0', '5', '105')"
                )
            )
            conn.execute(text("INSERT INTO payment (customer, amount, paid_on) VALUES ('C-1', '50', '2026-11-02')"))
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with Session(engine) as s:
            assert s.get(Order, "SO-1").payment == "credit"
            assert [p.order_no for p in s.exec(select(Payment)).all()] == [None]
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0008")
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
        if BACKEND == "postgres":
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
