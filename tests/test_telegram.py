"""The Telegram channel through python-telegram-bot against a fake Bot API on 127.0.0.1, on the test
database (SQLite or PostgreSQL): webhook, inline-keyboard confirmation, linking, duplicates,
rate limits, notifications through the outbox sender, long polling and the CLI."""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from telegram.error import TelegramError
from typer.testing import CliRunner

from agent.reply import Action, Reply, Table
from agent.runtime import Assistant
from agent.store import ConversationMessage
from channels.outbox import deliver_pending
from channels.store import ProcessedEvent
from channels.telegram import ASK_PHONE, RECEIVED, SECRET_HEADER, TOO_FAST, WAITING, build_telegram, notification_html
from channels.telegram_format import LIMIT, render
from core.access import load_actor
from core.db import transaction
from core.errors import NotAllowed, OutOfScope
from core.linking import approve_link, phone_key
from core.orders import decide
from core.settings import TelegramSettings
from core.tables.audit import OutboxMessage
from core.tables.orders import Order
from core.tables.parties import Customer, LinkRequest, User
from tests.fake_telegram import FakeTelegram, callback_update, message_update

SECRET = "s3cret-token"
GANESH, ANAND = 900103, 900101  # U-RET-103 and U-RET-101 in the sample world
ORDER_TEXT = "I want 2 cases of Sunleaf tea 250g"


@pytest.fixture
def fake():
    with FakeTelegram() as f:
        yield f


def _client(engine, clock, fake, **extra):
    settings = TelegramSettings(bot_token=fake.token, webhook_secret=SECRET, api_url=fake.url, **extra)
    router, sender = build_telegram(Assistant(engine, clock), engine, clock, settings)
    app = FastAPI()
    app.include_router(router)
    return TestClient(app), sender


@pytest.fixture
def tg(sample, clock, fake):
    client, sender = _client(sample, clock, fake)
    with client:

        def post(update, secret=SECRET):
            r = client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: secret} if secret else {})
            return r.status_code

        yield SimpleNamespace(post=post, client=client, sender=sender, fake=fake, engine=sample, clock=clock)


def _orders(engine, customer):
    with Session(engine) as s:
        return s.exec(select(Order).where(Order.customer == customer)).all()


def _preview(tg, uid=GANESH):
    assert tg.post(message_update(uid, ORDER_TEXT)) == 200
    msg = tg.fake.sent(chat_id=uid)[-1]
    buttons = msg["reply_markup"]["inline_keyboard"][0]
    return msg, {b["text"]: b["callback_data"] for b in buttons}


def test_order_conversation_confirmed_with_inline_button(tg):
    before = {o.order_no for o in _orders(tg.engine, "R-103")}
    assert tg.post(message_update(GANESH, "/start")) == 200
    assert tg.fake.methods()[0] == "getMe"  # PTB initialises the bot first
    assert "Hello Ganesh" in tg.fake.sent(chat_id=GANESH)[-1]["text"]

    msg, data = _preview(tg)
    assert msg["parse_mode"] == "HTML" and "9,576.00" in msg["text"]
    assert "<pre>" not in msg["text"]  # the preview's text tells its one line: no table after it on a phone
    assert set(data) == {"Confirm", "Cancel"}
    assert all(len(d.encode()) <= 64 for d in data.values())
    assert tg.post(callback_update(GANESH, data["Confirm"], message_id=7)) == 200
    assert len(tg.fake.sent("answerCallbackQuery")) == 1
    assert tg.fake.sent("editMessageReplyMarkup")[-1]["message_id"] in ("7", 7)  # buttons taken off
    new = [o for o in _orders(tg.engine, "R-103") if o.order_no not in before]
    assert len(new) == 1 and new[0].status == "pending_approval"
    assert new[0].order_no in tg.fake.sent(chat_id=GANESH)[-1]["text"]

    # a second press (a new update) does not make a second order
    assert tg.post(callback_update(GANESH, data["Confirm"])) == 200
    assert len([o for o in _orders(tg.engine, "R-103") if o.order_no not in before]) == 1
    assert "nothing waiting" in tg.fake.sent(chat_id=GANESH)[-1]["text"]


def test_cancel_button_and_button_of_another_user(tg):
    before = len(_orders(tg.engine, "R-103"))
    _, data = _preview(tg)
    tg.post(message_update(ANAND, "/help"))  # Anand is linked too
    assert tg.post(callback_update(ANAND, data["Confirm"], chat_id=ANAND)) == 200
    answer = tg.fake.sent("answerCallbackQuery")[-1]
    assert answer["text"] == "This button is not for you." and len(_orders(tg.engine, "R-103")) == before
    assert tg.post(callback_update(GANESH, data["Cancel"])) == 200
    assert "Nothing was changed" in tg.fake.sent(chat_id=GANESH)[-1]["text"]
    assert tg.post(callback_update(GANESH, data["Confirm"])) == 200  # a dropped preview cannot be confirmed
    assert len(_orders(tg.engine, "R-103")) == before


def test_unknown_user_is_asked_for_phone_then_linked_after_manager_approval(tg):
    new_id = 555001
    with transaction(tg.engine) as s:  # Fresh Mart's user has not linked Telegram yet
        s.get(User, "U-RET-102").telegram_id = None
    tg.post(message_update(new_id, "show my orders"))
    msg = tg.fake.sent(chat_id=new_id)[-1]
    assert msg["text"] == ASK_PHONE and msg["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    # someone else's contact card is not accepted
    tg.post(message_update(new_id, contact={"phone_number": "+91 98450 10102", "first_name": "M", "user_id": 1}))
    assert "your own number" in tg.fake.sent(chat_id=new_id)[-1]["text"]
    tg.post(message_update(new_id, contact={"phone_number": "919845010102", "first_name": "M", "user_id": new_id}))
    assert tg.fake.sent(chat_id=new_id)[-1]["text"] == RECEIVED
    with Session(tg.engine) as s:
        req = s.exec(select(LinkRequest).where(LinkRequest.telegram_id == str(new_id))).one()
    assert (req.customer, req.user_id, req.status, req.phone) == ("R-102", "U-RET-102", "pending", "9845010102")
    tg.post(message_update(new_id, "show my orders"))
    assert tg.fake.sent(chat_id=new_id)[-1]["text"] == WAITING  # still no data
    assert not any("SO-" in m["text"] for m in tg.fake.sent(chat_id=new_id))

    with transaction(tg.engine) as s:
        for who, error in (("U-REP-1", NotAllowed), ("U-MGR-TN", OutOfScope)):
            with pytest.raises(error):
                approve_link(s, load_actor(s, who), req.id, tg.clock.now())
        linked = approve_link(s, load_actor(s, "U-MGR-KA"), req.id, tg.clock.now())
    assert linked.id == "U-RET-102"
    with Session(tg.engine) as s:
        assert s.get(User, "U-RET-102").telegram_id == str(new_id)
        assert s.get(LinkRequest, req.id).status == "approved"
        note = s.exec(
            select(OutboxMessage).where(
                OutboxMessage.recipient == "U-RET-102", OutboxMessage.event == "telegram_linked"
            )
        ).one()
    assert note.id in deliver_pending(tg.engine, tg.clock, {"telegram": tg.sender}).delivered
    assert "now linked" in tg.fake.sent(chat_id=new_id)[-1]["text"]
    tg.post(message_update(new_id, "show my orders"))
    assert "Fresh Mart" in tg.fake.sent(chat_id=new_id)[-1]["text"]


def test_number_of_no_customer_gets_the_same_answer_and_no_request(tg):
    tg.post(message_update(555002, contact={"phone_number": "+1 415 555 0000", "first_name": "X", "user_id": 555002}))
    assert tg.fake.sent(chat_id=555002)[-1]["text"] == RECEIVED
    with Session(tg.engine) as s:
        assert s.exec(select(func.count()).select_from(LinkRequest)).one() == 0
    assert phone_key("+91-98450-10101") == phone_key("098450 10101") == "9845010101"


def test_duplicate_update_is_processed_once(tg):
    update = message_update(GANESH, ORDER_TEXT)
    assert tg.post(update) == 200 and tg.post(update) == 200
    assert len(tg.fake.sent(chat_id=GANESH)) == 1
    with Session(tg.engine) as s:
        rows = s.exec(select(ProcessedEvent).where(ProcessedEvent.event_id == str(update["update_id"]))).all()
        turns = s.exec(
            select(func.count()).select_from(ConversationMessage).where(ConversationMessage.user_id == "U-RET-103")
        ).one()
    assert len(rows) == 1 and rows[0].channel == "telegram"
    assert turns == 3  # one question, one tool call, one tool result: the turn ran once


def test_manager_approval_notifies_retailer_through_outbox_sender(tg):
    _, data = _preview(tg)
    tg.post(callback_update(GANESH, data["Confirm"]))
    order_no = re.search(r"SO-\d+", tg.fake.sent(chat_id=GANESH)[-1]["text"]).group(0)
    with transaction(tg.engine) as s:
        decide(s, load_actor(s, "U-MGR-KA", "slack"), tg.clock, order_no, True)
    with Session(tg.engine) as s:
        notes = s.exec(
            select(OutboxMessage).where(OutboxMessage.recipient == "U-RET-103", OutboxMessage.event == "order_status")
        ).all()
        user = s.get(User, "U-RET-103")
    (note,) = [n for n in notes if json.loads(n.payload)["order_no"] == order_no]
    report = deliver_pending(tg.engine, tg.clock, {"telegram": tg.sender})  # the outbox delivery
    assert note.id in report.delivered
    with Session(tg.engine) as s:
        assert s.get(OutboxMessage, note.id).status == "delivered"
    sent = tg.fake.sent(chat_id=GANESH)[-1]
    assert sent["parse_mode"] == "HTML"
    assert f"Order <b>{order_no}</b> is now <b>confirmed</b>" in sent["text"] and "9,576.00" in sent["text"]
    tg.fake.fail["sendMessage"] = "Forbidden: bot was blocked by the user"
    with pytest.raises(TelegramError):
        tg.sender(note, user)
    with Session(tg.engine) as s, pytest.raises(ValueError):
        tg.sender(note, s.get(User, "U-MGR-KA"))  # no Telegram account


def test_webhook_refuses_wrong_secret_and_bad_bodies(tg):
    update = message_update(GANESH, "/help")
    assert tg.post(update, secret="wrong") == 401 and tg.post(update, secret=None) == 401
    assert tg.client.post("/telegram/webhook", content=b"{nope", headers={SECRET_HEADER: SECRET}).status_code == 400
    assert tg.fake.sent() == []
    with Session(tg.engine) as s:
        assert s.exec(select(func.count()).select_from(ProcessedEvent)).one() == 0
    assert tg.post(update) == 200 and len(tg.fake.sent(chat_id=GANESH)) == 1


def test_oversized_message_group_chat_and_other_content(tg):
    tg.post(message_update(GANESH, "x" * 4500))
    assert "too long" in tg.fake.sent(chat_id=GANESH)[-1]["text"]
    tg.post(message_update(GANESH, "show my orders", chat_type="group", chat_id=-100))
    assert tg.fake.sent(chat_id=-100)[-1]["text"] == "Please talk to me in a private chat."
    with Session(tg.engine) as s:  # neither reached the assistant
        assert s.exec(select(func.count()).select_from(ConversationMessage)).one() == 0
    tg.post(message_update(GANESH))  # e.g. a sticker: no text
    assert "text messages only" in tg.fake.sent(chat_id=GANESH)[-1]["text"]


def test_rate_limit_per_user(sample, clock, fake):
    client, _ = _client(sample, clock, fake, rate_limit=3)
    with client:
        for _ in range(6):
            client.post("/telegram/webhook", json=message_update(ANAND, "/help"), headers={SECRET_HEADER: SECRET})
        client.post("/telegram/webhook", json=message_update(GANESH, "/help"), headers={SECRET_HEADER: SECRET})
    assert not any(t.name == "telegram-bot" for t in threading.enumerate())  # the lifespan stopped the bot
    texts = [m["text"] for m in fake.sent(chat_id=ANAND)]
    assert len(texts) == 4 and texts[-1] == TOO_FAST  # three answers, one warning, then silence
    assert len(fake.sent(chat_id=GANESH)) == 1  # other users are not affected


def test_render_escapes_tables_and_splits_long_replies():
    table = Table(columns=["Code", "Name"], rows=[["A<1>", "Tea & Co"]], title="Items")
    msgs, buttons = render(
        Reply(
            "Price <b>not</b> bold & safe",
            table=table,
            actions=[Action("confirm", "Confirm", "a" * 32), Action("cancel", "Cancel", "b" * 60)],
        )
    )
    assert msgs == [
        "Price &lt;b&gt;not&lt;/b&gt; bold &amp; safe\n\n<b>Items</b>\n<pre>Code  Name\n----  --------\n"
        "A&lt;1&gt;  Tea &amp; Co</pre>"
    ]
    assert buttons == [("Confirm", "confirm:" + "a" * 32)]  # the 67-byte one is left out
    long = Reply(
        "\n".join(f"line {i} & more" for i in range(600)),
        table=Table(columns=["n", "x"], rows=[[str(i) * 20, "y" * 30] for i in range(45)]),
    )
    msgs, _ = render(long)
    assert len(msgs) > 2 and all(len(m) <= LIMIT for m in msgs)
    assert all(m.count("<b>") == m.count("</b>") for m in msgs)
    text = "\n".join(msgs)
    assert "line 599 &amp; more" in text and f"<b>{'44' * 20}</b>" in text  # wide rows: one record each
    msgs, _ = render(Reply("&" * 10000))  # one line longer than a message, entities never cut
    assert all(len(m) <= LIMIT and re.fullmatch(r"(&amp;)+", m) for m in msgs) and sum(len(m) for m in msgs) == 50000


def test_notification_text():
    msg = OutboxMessage(
        event="approval_requested",
        recipient="U-MGR-KA",
        payload=json.dumps({"order_no": "SO-1", "customer": "A & B", "total": "1200.5", "reasons": ["credit <limit>"]}),
    )
    assert notification_html(msg) == (
        "Order <b>SO-1</b> for A &amp; B (₹1,200.50) waits for your approval.\ncredit &lt;limit&gt;"
    )


def test_long_polling_uses_the_same_handlers(sample, clock, fake):
    from channels.telegram import build_bot

    bot = build_bot(Assistant(sample, clock), sample, clock, TelegramSettings(bot_token=fake.token, api_url=fake.url))
    fake.push_update(message_update(ANAND, "/help"))

    async def serve():
        app = bot.application(polling=True)
        async with app:
            await app.updater.start_polling(poll_interval=0, timeout=1)
            await app.start()
            await asyncio.to_thread(fake.wait_for, "sendMessage", 1, 10, ANAND)
            await app.updater.stop()
            await app.stop()

    asyncio.run(serve())
    assert "deleteWebhook" in fake.methods() and "getUpdates" in fake.methods()
    assert "Ask me in plain words" in fake.sent(chat_id=ANAND)[0]["text"]


def test_dms_telegram_poll_command(sample, fake):
    """`dms telegram poll` as a process: getMe, deleteWebhook, getUpdates, a reply; Ctrl-C stops it."""
    env = dict(
        os.environ,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.url,
        DMS_DATABASE_URL=sample.url_string,
        DMS_NOW="2026-11-20T10:30:00+05:30",
    )
    env.pop("TELEGRAM_WEBHOOK_SECRET", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from channels.cli_telegram import telegram_app; telegram_app(['poll'])"],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        fake.push_update(message_update(ANAND, "show my orders"))
        text = fake.wait_for("sendMessage", 1, 60, ANAND)[0]["text"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert "SO-0905" in text and "<pre>" not in text  # the text lists the orders: no table again
    assert fake.methods()[:2] == ["getMe", "deleteWebhook"] and proc.returncode == 0


def test_build_reads_environment(sample, clock, fake, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert build_telegram(Assistant(sample, clock), sample, clock, SimpleNamespace()) is None
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake.token)
    monkeypatch.setenv("TELEGRAM_API_URL", fake.url + "/")
    router, sender = build_telegram(Assistant(sample, clock), sample, clock, SimpleNamespace())
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:  # no secret configured: the webhook refuses everything
        r = client.post("/telegram/webhook", json=message_update(ANAND, "/help"), headers={SECRET_HEADER: ""})
        assert r.status_code == 401
    with Session(sample) as s:
        sender(
            OutboxMessage(
                event="order_status",
                recipient="U-RET-101",
                payload=json.dumps({"order_no": "SO-0905", "status": "dispatched"}),
            ),
            s.get(User, "U-RET-101"),
        )
    assert fake.sent(chat_id=ANAND)[-1]["text"] == "Order <b>SO-0905</b> is now <b>dispatched</b>."
    router.telegram_bot.close()


@pytest.fixture
def cli(sample, monkeypatch):
    from core.settings import get_settings

    monkeypatch.setenv("DMS_DATABASE_URL", sample.url_string)
    monkeypatch.setenv("DMS_NOW", "2026-11-20T10:30:00+05:30")
    get_settings.cache_clear()
    from channels.cli_telegram import users_app

    yield lambda *args: CliRunner().invoke(users_app, list(args))
    get_settings.cache_clear()


def test_cli_links_and_decides_requests(cli, sample, clock):
    with transaction(sample) as s:
        s.get(User, "U-RET-102").telegram_id = None
        s.get(User, "U-RET-105").telegram_id = None
        from core.linking import request_link

        a = request_link(s, 777001, "+91 98450 10102", clock.now())  # Fresh Mart, KA
        b = request_link(s, 777002, "9841010105", clock.now())  # Murugan Stores, TN
    listing = cli("link-requests", "--as", "U-MGR-KA")
    assert listing.exit_code == 0 and "R-102" in listing.output and "R-105" not in listing.output
    assert cli("approve-link", str(b.id), "--as", "U-MGR-KA").exit_code == 1  # not in Karnataka
    r = cli("approve-link", str(a.id), "--as", "U-MGR-KA")
    assert r.exit_code == 0 and "U-RET-102" in r.output
    assert cli("reject-link", str(b.id), "--as", "U-MGR-TN").exit_code == 0
    r = cli("link", "777003", "U-RET-105", "--as", "U-RET-101")
    assert r.exit_code == 1
    r = cli("link", "777002", "U-RET-102", "--as", "U-ADM")  # already linked to another account
    assert r.exit_code == 1
    assert cli("link", "777003", "U-RET-105", "--as", "U-ADM").exit_code == 0
    with Session(sample) as s:
        assert s.get(User, "U-RET-102").telegram_id == "777001"
        assert s.get(User, "U-RET-105").telegram_id == "777003"
        assert s.get(LinkRequest, b.id).status == "rejected"


def test_who_may_decide_links_is_the_cores_answer():
    from core.access import PERMISSIONS, Actor

    assert {role for role, can in PERMISSIONS.items() if "users.link" in can} == {"admin", "manager"}
    assert Actor("U", "manager").can("users.link") and not Actor("U", "sales_rep").can("users.link")


RAVI = 700001  # U-REP-1, the sales rep of Bengaluru North


def _confirm_last(tg, uid):
    buttons = next(m for m in reversed(tg.fake.sent(chat_id=uid)) if "inline_keyboard" in str(m.get("reply_markup")))
    data = {b["text"]: b["callback_data"] for b in buttons["reply_markup"]["inline_keyboard"][0]}
    assert tg.post(callback_update(uid, data["Confirm"], chat_id=uid)) == 200


def test_a_shared_location_goes_with_the_check_in_and_the_visit(tg):
    from core.tables.field import Attendance, Visit

    with Session(tg.engine) as s:  # the outlet's own coordinates, as world.md's customers.csv may give them
        for code in ("R-101", "R-106"):
            shop = s.get(Customer, code)
            shop.latitude, shop.longitude = Decimal("12.9716"), Decimal("77.5946")
            s.add(shop)
        s.commit()
    assert tg.post(message_update(RAVI, "start my day")) == 200
    offer = tg.fake.sent(chat_id=RAVI)[-1]
    assert offer["reply_markup"]["keyboard"][0][0]["request_location"] is True  # Telegram's share-location button
    assert tg.post(message_update(RAVI, location={"latitude": 12.9717, "longitude": 77.5946})) == 200
    assert "location noted" in tg.fake.sent(chat_id=RAVI)[-1]["text"]  # the pending check-in, previewed again
    _confirm_last(tg, RAVI)
    with Session(tg.engine) as s:
        [day] = s.exec(select(Attendance)).all()
        assert (day.in_latitude, day.in_longitude) == (Decimal("12.9717"), Decimal("77.5946"))
    # within minutes, the same location goes with the visit said next: 11 m from the shop, on site
    assert tg.post(message_update(RAVI, "I'm at Anand Kirana Store")) == 200
    assert "11 m from the outlet" in tg.fake.sent(chat_id=RAVI)[-1]["text"]
    _confirm_last(tg, RAVI)
    # a visit started from far away is off-site (rules.md: over 200 m)
    assert tg.post(message_update(RAVI, location={"latitude": 12.9816, "longitude": 77.5946})) == 200
    assert "goes with your next" in tg.fake.sent(chat_id=RAVI)[-1]["text"]  # nothing waits: only noted
    assert tg.post(message_update(RAVI, "now at Lucky General Store")) == 200
    _confirm_last(tg, RAVI)
    with Session(tg.engine) as s:
        visits = {v.customer: v for v in s.exec(select(Visit))}
        assert visits["R-101"].off_site is False and visits["R-101"].distance_m == Decimal("11.1")
        assert visits["R-106"].off_site is True and visits["R-106"].distance_m == Decimal("1111.9")


def test_a_reps_whole_day_in_telegram(sample, fake):
    """issue 13: start, plan, three visits (an order, a no-order, a collection), an outlet update, end."""
    from test_field_assistant import DAY, MON, _the_day_happened

    client, _ = _client(sample, MON, fake, rate_limit=100)  # a whole day in seconds: over the per-minute limit
    with client:
        for text in DAY:
            r = client.post("/telegram/webhook", json=message_update(RAVI, text), headers={SECRET_HEADER: SECRET})
            assert r.status_code == 200
    said = [m["text"] for m in fake.sent(chat_id=RAVI)]
    assert any("Day ended at" in t for t in said) and not any("went wrong" in t for t in said)
    _the_day_happened(sample)
