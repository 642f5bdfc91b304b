"""The Slack channel through slack-bolt and slack_sdk, against a fake Slack Web API on 127.0.0.1.

Requests are signed with the SDK's SignatureVerifier and posted to the FastAPI router; the
lazy work is awaited through the channel's executor, then the fake's records are checked."""

import json
import time
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier
from sqlmodel import Session, select

from agent.reply import Action, Reply, Table
from agent.runtime import Assistant
from channels import slack
from channels.outbox import deliver_pending
from channels.slack import SlackChannel, build_slack, render_reply, table_mrkdwn
from channels.store import ProcessedEvent
from core.settings import SlackSettings
from core.tables.audit import OutboxMessage
from core.tables.orders import Order
from core.tables.parties import User
from fake_slack import BOT_USER, FakeSlack

SECRET = "test-signing-secret"
ORDER = "Place an order for Ganesh Provisions: 2 cases of Sunleaf tea 250g"  # needs a manager's approval


class Harness:
    def __init__(self, engine, clock, fake: FakeSlack, rate: int = 50, assistant: Assistant | None = None):
        self.engine, self.clock, self.fake = engine, clock, fake
        self.channel = SlackChannel(
            assistant or Assistant(engine, clock),
            engine,
            clock,
            SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.url, rate_per_minute=rate),
        )
        app = FastAPI()
        app.include_router(self.channel.router)
        self.http = TestClient(app)
        self._n = 0
        self._before = {o.order_no for o in self.orders()}

    def post(self, body: bytes, content_type: str, secret: str = SECRET, headers: dict | None = None):
        ts = str(int(time.time()))  # Bolt checks the timestamp against real time
        sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        h = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, **(headers or {})}
        resp = self.http.post("/slack/events", content=body, headers=h)
        assert self.channel.drain(), "lazy work did not finish"
        return resp

    def event(self, event: dict, event_id: str | None = None, **kw):
        self._n += 1
        body = {
            "token": "t",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._n:04d}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": "T0001", "user_id": BOT_USER, "is_bot": True}],
        }
        return self.post(json.dumps(body).encode(), "application/json", **kw)

    def dm(self, user: str, text: str, **kw):
        self._n += 1
        return self.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "D0001",
                "user": user,
                "text": text,
                "ts": f"1700000000.{self._n:06d}",
            },
            **kw,
        )

    def mention(self, user: str, text: str, channel: str = "C0001", **kw):
        self._n += 1
        return self.event(
            {
                "type": "app_mention",
                "channel": channel,
                "user": user,
                "text": f"<@{BOT_USER}> {text}",
                "ts": f"1700000000.{self._n:06d}",
            },
            **kw,
        )

    def interaction(self, payload: dict):
        payload = {"team": {"id": "T0001"}, "api_app_id": "A0001", "token": "t", **payload}
        return self.post(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")

    def click(self, user: str, action_id: str, value: str, message: dict, channel: str = "D0001"):
        return self.interaction(
            {
                "type": "block_actions",
                "user": {"id": user},
                "trigger_id": "trig-1",
                "channel": {"id": channel},
                "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
                "message": message,
                "response_url": self.fake.response_url,
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": "b",
                        "value": value,
                        "action_ts": str(time.time()),
                    }
                ],
            }
        )

    def orders(self) -> list[Order]:
        """Orders placed since the harness was built."""
        with Session(self.engine) as s:
            return [o for o in s.exec(select(Order)) if o.order_no not in getattr(self, "_before", ())]


def button(post: dict, action_id: str) -> dict:
    for block in post["blocks"] or []:
        for el in block.get("elements", []):
            if el.get("action_id") == action_id:
                return el
    raise AssertionError(f"no {action_id} button in {post['blocks']}")


def as_message(post: dict) -> dict:
    """The message a click carries: what the bot posted, with its ts."""
    return {
        "type": "message",
        "ts": post["ts"],
        "text": post["text"],
        "blocks": post["blocks"],
        **({"thread_ts": post["thread_ts"]} if post.get("thread_ts") else {}),
    }


@pytest.fixture
def fake():
    with FakeSlack() as f:
        yield f


@pytest.fixture
def h(sample, clock, fake):
    return Harness(sample, clock, fake)


def posted(fake, n=1):
    """The n-th chat.postMessage (with the ts the fake gave it)."""
    return fake.wait_for("chat.postMessage", n)[n - 1]


def test_build_slack_needs_token_and_secret(sample, clock, monkeypatch, fake):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    assert build_slack(Assistant(sample, clock), sample, clock, object()) is None
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert build_slack(Assistant(sample, clock), sample, clock, None) is None  # the secret is missing too
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.url)
    router, sender = build_slack(Assistant(sample, clock), sample, clock, object())
    assert [r.path for r in router.routes] == ["/slack/events"] and callable(sender)
    assert fake.calls == []  # building the app does not call Slack


def test_signed_mention_is_answered_in_its_thread(h, fake):
    resp = h.mention("UREP0001", "show low stock")
    assert resp.status_code == 200
    reply = fake.wait_for("chat.postMessage")[0]
    assert reply["channel"] == "C0001" and reply["thread_ts"] == "1700000000.000001"
    assert reply["text"] and reply["blocks"][0]["type"] == "section"
    assert fake.calls[0]["method"] == "auth.test" and fake.calls[0]["auth"] == "Bearer xoxb-test"


def test_bad_signature_is_refused_and_nothing_runs(h, fake):
    resp = h.mention("UREP0001", "show low stock", secret="not-the-secret")
    assert resp.status_code == 401
    assert fake.calls_to("chat.postMessage") == []
    with Session(h.engine) as s:
        assert s.exec(select(ProcessedEvent)).all() == []


def test_unknown_user_gets_an_explanation_and_no_data(h, fake):
    h.mention("UNOBODY1", "show low stock")
    reply = fake.wait_for("chat.postMessage")[0]
    assert reply["text"] == slack.UNKNOWN_USER and not reply.get("blocks")


def test_oversized_message_is_refused_with_a_reply(h, fake):
    h.dm("UREP0001", "tea " * 2000)
    assert fake.wait_for("chat.postMessage")[0]["text"] == slack.TOO_LONG


def test_rate_limit_per_user(sample, clock, fake):
    h = Harness(sample, clock, fake, rate=2)
    for _ in range(3):
        h.mention("UREP0001", "show low stock")
    h.mention("UREP0002", "show low stock")  # another user is not held back
    texts = [p["text"] for p in fake.wait_for("chat.postMessage", 4)]
    assert texts.count(slack.SLOW_DOWN) == 1 and texts[2] == slack.SLOW_DOWN


def test_retried_event_is_processed_once(h, fake):
    h.dm("UREP0001", ORDER)
    preview = posted(fake, 1)
    button(preview, "dms_confirm")
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0001",
        "user": "UREP0001",
        "text": "yes",
        "ts": "1700000000.999999",
    }
    h.event(event, event_id="EvYES")
    h.event(event, event_id="EvYES", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert len(fake.calls_to("chat.postMessage")) == 2  # the preview and one answer: the retry got none
    assert len(h.orders()) == 1
    with Session(h.engine) as s:
        assert len(s.exec(select(ProcessedEvent).where(ProcessedEvent.event_id == "EvYES")).all()) == 1


def test_confirm_click_creates_the_order_once(h, fake):
    h.dm("UREP0001", ORDER)
    preview = posted(fake, 1)
    assert preview["channel"] == "D0001" and preview.get("thread_ts") is None
    value = button(preview, "dms_confirm")["value"]
    assert button(preview, "dms_cancel")["value"] == value
    h.click("UREP0002", "dms_confirm", value, as_message(preview))  # not the asker
    assert fake.wait_for("chat.postEphemeral")[0]["text"] == slack.NOT_YOURS and h.orders() == []
    h.click("UREP0001", "dms_confirm", value, as_message(preview))
    h.click("UREP0001", "dms_confirm", value, as_message(preview))  # a double click
    orders = h.orders()
    assert len(orders) == 1 and orders[0].status == "pending_approval"
    done = fake.wait_for("chat.postMessage", 3)
    assert orders[0].order_no in done[1]["text"] and orders[0].order_no not in done[2]["text"]
    settled = fake.wait_for("chat.update")[0]
    assert settled["ts"] == preview["ts"] and all(b["type"] != "actions" for b in settled["blocks"])


def test_mention_in_a_channel_is_confirmed_in_its_thread(h, fake):
    """The thread is the conversation: the click in the thread finds the preview made there."""
    h.mention("UREP0001", ORDER, channel="C0002")
    preview = posted(fake, 1)
    assert preview["channel"] == "C0002" and preview["thread_ts"]
    h.click("UREP0001", "dms_confirm", button(preview, "dms_confirm")["value"], as_message(preview), channel="C0002")
    done = posted(fake, 2)
    assert len(h.orders()) == 1 and h.orders()[0].order_no in done["text"]
    assert done["thread_ts"] == preview["thread_ts"]


def test_slash_command_answers_through_the_response_url(h, fake):
    body = urlencode(
        {
            "token": "t",
            "team_id": "T0001",
            "channel_id": "C0003",
            "user_id": "UMGR0001",
            "command": "/dms",
            "text": "anything waiting for my approval?",
            "trigger_id": "trig-2",
            "response_url": fake.response_url,
        }
    ).encode()
    resp = h.post(body, "application/x-www-form-urlencoded")
    assert resp.status_code == 200
    (answer,) = fake.wait_for("response_url/respond/1")
    assert answer["response_type"] == "ephemeral" and answer["text"]
    assert fake.calls_to("chat.postMessage") == []


def test_cancel_click_drops_the_preview(h, fake):
    h.dm("UREP0001", ORDER)
    preview = posted(fake, 1)
    h.click("UREP0001", "dms_cancel", button(preview, "dms_cancel")["value"], as_message(preview))
    assert "dropped" in fake.wait_for("chat.postMessage", 2)[1]["text"] and h.orders() == []


def _order_waiting_for_approval(h, fake) -> tuple[str, dict]:
    """A rep's order that needs the manager's approval; the manager's Slack gets the request."""
    h.dm("UREP0001", ORDER)
    preview = posted(fake, 1)
    h.click("UREP0001", "dms_confirm", button(preview, "dms_confirm")["value"], as_message(preview))
    (order,) = h.orders()
    with Session(h.engine) as s:
        rows = s.exec(
            select(OutboxMessage).where(
                OutboxMessage.event == "approval_requested", OutboxMessage.recipient == "U-MGR-KA"
            )
        ).all()
        manager = s.get(User, "U-MGR-KA")
    assert len(rows) == 1 and manager.slack_id == "UMGR0001"
    report = deliver_pending(h.engine, h.clock, {"slack": h.channel.send})  # the outbox's delivery
    assert rows[0].id in report.delivered
    request = next(p for p in fake.wait_for("chat.postMessage", 3) if p["channel"] == "UMGR0001")
    return order.order_no, request


def test_approval_request_reaches_the_approver_and_approve_confirms(h, fake):
    order_no, request = _order_waiting_for_approval(h, fake)
    assert order_no in request["text"] and "credit limit" in request["text"]
    assert button(request, "dms_approve")["value"] == order_no and button(request, "dms_reject")["value"] == order_no
    h.click("UREP0002", "dms_approve", order_no, as_message(request), channel="DMGR")  # a rep may not approve
    assert "may not" in fake.wait_for("chat.postEphemeral")[0]["text"]
    assert h.orders()[0].status == "pending_approval"
    h.click("UMGR0001", "dms_approve", order_no, as_message(request), channel="DMGR")
    assert h.orders()[0].status == "confirmed"
    settled = fake.wait_for("chat.update", 2)[-1]
    assert settled["ts"] == request["ts"] and "approved" in settled["text"]
    assert all(b["type"] != "actions" for b in settled["blocks"])


def test_reject_asks_for_a_reason_in_a_modal(h, fake):
    order_no, request = _order_waiting_for_approval(h, fake)
    resp = h.click("UMGR0001", "dms_reject", order_no, as_message(request), channel="DMGR")
    assert resp.status_code == 200
    view = fake.wait_for("views.open")[0]
    assert view["trigger_id"] == "trig-1" and view["view"]["callback_id"] == "dms_reject_reason"

    def submit(reason: str):
        return h.interaction(
            {
                "type": "view_submission",
                "user": {"id": "UMGR0001"},
                "view": {
                    "id": "V0001",
                    "type": "modal",
                    "callback_id": "dms_reject_reason",
                    "private_metadata": view["view"]["private_metadata"],
                    "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}},
                },
            }
        )

    resp = submit("   ")
    assert resp.json() == {"response_action": "errors", "errors": {"reason": slack.REASON_NEEDED}}
    assert h.orders()[0].status == "pending_approval"
    assert submit("Customer asked to hold").status_code == 200
    assert h.orders()[0].status == "rejected"
    settled = fake.wait_for("chat.update", 2)[-1]
    assert settled["ts"] == request["ts"] and "Customer asked to hold" in settled["text"]


def test_sender_raises_when_slack_refuses(h, fake):
    with Session(h.engine) as s:
        manager = s.get(User, "U-MGR-KA")
        retailer = s.get(User, "U-RET-101")  # no Slack id
    msg = OutboxMessage(
        event="order_status", recipient="U-MGR-KA", payload=json.dumps({"order_no": "SO-1", "status": "confirmed"})
    )
    with pytest.raises(ValueError):
        h.channel.send(msg, retailer)
    fake.failures["chat.postMessage"] = "channel_not_found"
    with pytest.raises(Exception, match="channel_not_found"):
        h.channel.send(msg, manager)
    del fake.failures["chat.postMessage"]
    h.channel.send(msg, manager)
    assert fake.calls_to("chat.postMessage")[-1]["text"] == "Order SO-1 is now confirmed."
    escalated = OutboxMessage(
        event="approval_escalated",
        recipient="U-ADM",
        payload=json.dumps(
            {"order_no": "SO-9", "customer": "Ganesh Provisions", "total": "9576.00", "waiting_hours": 24}
        ),
    )
    text, blocks = h.channel.render_notification(escalated)
    assert text.startswith("Escalated to you (waiting over 24 h): order SO-9 of Ganesh Provisions, ₹9,576.00")
    assert button({"blocks": blocks}, "dms_approve")["value"] == "SO-9"


def test_tables_read_on_a_phone():
    narrow = Table(["SKU", "Qty"], [["TEA-250", "1200"], ["SOAP", "30"]], "Low stock")
    sections = table_mrkdwn(narrow)
    assert sections[0] == "*Low stock*" and sections[1].startswith("```\n")
    assert "TEA-250  1200" in sections[1] and "SOAP       30" in sections[1]
    wide = Table(
        ["Order", "Customer", "Total", "Why"],
        [[f"SO-{i}", "Ganesh Provisions", "9576.00", "credit <limit> & more"] for i in range(60)],
    )
    cards = table_mrkdwn(wide)
    assert cards[0].startswith("*SO-0*\nCustomer: Ganesh Provisions · Total: 9576.00")
    assert "&lt;limit&gt; &amp; more" in cards[0] and cards[-1].endswith("_…and 20 more_")
    assert all(len(c) <= 3000 for c in cards)
    text, blocks = render_reply(
        Reply(
            "Confirm?",
            outcome="preview",
            table=narrow,
            actions=[Action("confirm", "Confirm", "p1"), Action("cancel", "Cancel", "p1")],
        )
    )
    assert text == "Confirm?" and blocks[-1]["type"] == "actions"
    assert [(b["action_id"], b["value"]) for b in blocks[-1]["elements"]] == [
        ("dms_confirm", "p1"),
        ("dms_cancel", "p1"),
    ]


def test_a_reps_outlet_update_reaches_the_manager_with_buttons_and_is_decided(h, fake):
    from core.tables.parties import Customer

    h.dm("UREP0001", "new phone number for Anand Kirana Store is 98450 77777")
    preview = posted(fake, 1)
    h.click("UREP0001", "dms_confirm", button(preview, "dms_confirm")["value"], as_message(preview))
    report = deliver_pending(h.engine, h.clock, {"slack": h.channel.send})
    assert report.delivered and not report.failed
    request = next(p for p in fake.wait_for("chat.postMessage", 3) if p["channel"] == "UMGR0001")
    assert "Anand Kirana Store" in request["text"] and "98450 77777" in request["text"]
    value = button(request, "dms_approve")["value"]
    assert value.startswith("outlet:OR-") and button(request, "dms_reject")["value"] == value
    h.click("UREP0002", "dms_approve", value, as_message(request), channel="DMGR")  # another region's rep
    assert "that you can see" in fake.wait_for("chat.postEphemeral")[0]["text"]
    with Session(h.engine) as s:
        assert s.get(Customer, "R-101").phone == "+91-98450-10101"
    h.click("UMGR0001", "dms_approve", value, as_message(request), channel="DMGR")
    settled = fake.wait_for("chat.update", 2)[-1]
    assert settled["ts"] == request["ts"] and "approved" in settled["text"]
    with Session(h.engine) as s:
        assert s.get(Customer, "R-101").phone == "98450 77777"
    deliver_pending(h.engine, h.clock, {"slack": h.channel.send})  # the rep hears the decision
    told = [p for p in fake.calls_to("chat.postMessage") if p["channel"] == "UREP0001"]
    assert "was approved by" in told[-1]["text"]
