"""Slack: events and interactivity over HTTP at /slack/events (Bolt and its FastAPI adapter).

Translation only: Slack events become `Assistant` turns and the assistant's replies become
Block Kit; approval buttons call the core's `decide` as the clicking user. Every listener
acknowledges at once (Slack wants an answer within 3 seconds) and does its work in a Bolt
lazy listener, on a thread. Identity is the Slack user id of a signed request, mapped to
`User.slack_id`; nothing in a message can change it.
"""

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from agent.reply import Attachment, Reply, Table
from agent.runtime import MAX_MESSAGE, Assistant, Turn
from agent.store import PendingAction
from core.access import load_actor
from core.approvals import approval_why
from core.clock import Clock
from core.db import transaction
from core.errors import DomainError
from core.identities import user_for_slack
from core.orders import decide
from core.outlets import decide_outlet_request
from core.settings import Settings, SlackSettings, read
from core.settings import secret_value as _secret
from core.tables.audit import OutboxMessage
from core.tables.parties import User

from . import render, store
from .notices import notice_text
from .ratelimit import RateLimiter

log = logging.getLogger("dms.slack")
CHANNEL = "slack"
MAX_BODY = 1_000_000  # bytes; Slack's own payloads are far smaller
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # seconds since 1970, ASCII digits only
SECTION_LIMIT = 2900  # Block Kit allows 3000 characters per section text
PHONE_WIDTH = 36  # monospace characters that fit a phone screen in a code block
MAX_TABLE_ROWS = 40
MAX_BLOCKS = 50  # Block Kit's limit per message
FIELD_LIMIT = 2000  # characters per field of a section
MAX_FIELDS = 10  # fields per section
FIELDS_ROWS = 3  # tables of at most this many rows are shown as sections with fields
TEXT_LIMIT = 3000  # characters of a message's fallback text

UNKNOWN_USER = (
    "Hello! I don't know your Slack account yet, so I can't show or change anything for you. "
    "Please ask your manager or an admin to link your Slack account to your dms user."
)
TOO_LONG = f"That message is too long for me (the limit is {MAX_MESSAGE} characters). Please send a shorter one."
SLOW_DOWN = "You are sending messages faster than I can take them. Please wait a minute and try again."
NOT_YOURS = "Only the person who asked can confirm or cancel this."
REASON_NEEDED = "Please give a reason for the rejection."


def slack_settings(settings=None) -> SlackSettings:
    """The Slack section of `settings` (the whole settings or the section itself); given anything
    else, the section as the environment says now."""
    if isinstance(settings, Settings):
        return settings.slack
    return settings if isinstance(settings, SlackSettings) else read(SlackSettings)


class _TrackedExecutor(ThreadPoolExecutor):
    """Bolt's listener threads, with a way to wait until the lazy work submitted so far is done."""

    def __init__(self, workers: int = 8):
        super().__init__(max_workers=workers, thread_name_prefix="slack")
        self._futures: set = set()
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future) -> None:
        with self._lock:
            self._futures.discard(future)

    def drain(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = list(self._futures)
            if not pending:
                return True
            wait(pending, timeout=max(0.0, deadline - time.monotonic()))
        return False


# --- conversation identity ---------------------------------------------------------------
def conversation_of(channel: str, thread_ts: str | None) -> str:
    """A Slack channel, or one thread in it: the same for the message and for a later click."""
    return f"{channel}:{thread_ts}" if thread_ts else channel


_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>|<([^<>|]+)>")


def plain_text(slack_text: str) -> str:
    """What the user typed: mentions dropped, links to their labels, entities decoded."""
    text = _MENTION.sub("", slack_text or "")
    text = _LINK.sub(lambda m: m.group(2) or m.group(3), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


# --- Block Kit ---------------------------------------------------------------------------
def esc(text: object) -> str:
    """Slack's mrkdwn reserves only &, < and >."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _split(line: str, room: int) -> list[str]:
    """An escaped line as pieces of at most `room` characters: at a space when one is near, never
    inside an entity."""
    out = []
    while len(line) > room:
        cut = room
        amp = line.rfind("&", max(0, cut - 4), cut)
        if amp != -1 and ";" not in line[amp:cut]:
            cut = amp  # "&amp;" would be cut in two
        space = line.rfind(" ", 0, cut + 1)
        if space > cut // 2:
            cut = space
        cut = max(cut, 1)
        out.append(line[:cut])
        line = line[cut:].lstrip(" ")
    return out + [line]


def _fit(text: str, limit: int) -> str:
    """An escaped text cut to `limit` characters, with an ellipsis when something was left out."""
    pieces = _split(text, limit - 1)
    return pieces[0] + ("…" if len(pieces) > 1 else "")


def _chunks(lines: list[str], limit: int = SECTION_LIMIT, wrap: tuple[str, str] = ("", "")) -> list[str]:
    """Escaped lines packed into texts of at most `limit` characters (wrapper included)."""
    out, cur = [], ""
    room = limit - len(wrap[0]) - len(wrap[1])
    for line in (piece for ln in lines for piece in _split(ln, room)):
        if cur and len(cur) + 1 + len(line) > room:
            out.append(wrap[0] + cur + wrap[1])
            cur = line
        else:
            cur = f"{cur}\n{line}" if cur else line
    if cur.strip():
        out.append(wrap[0] + cur + wrap[1])
    return out


def table_mrkdwn(table: Table) -> list[str]:
    """A table as mrkdwn sections that read on a phone: aligned columns in a code block when
    they fit its width, else one short card per row (first cell bold, then `column: value`)."""
    shown = Table([str(c) for c in table.columns], [[str(c) for c in r] for r in table.rows[:MAX_TABLE_ROWS]])
    head = [f"*{esc(table.title)}*"] if table.title else []
    more = len(table.rows) - len(shown.rows)
    tail = [f"_…and {more} more_"] if more > 0 else []
    if render.aligned_width(shown) <= PHONE_WIDTH:
        body = [esc(line) for line in render.aligned_lines(shown)]
        return _chunks(head) + _chunks(body, wrap=("```\n", "\n```")) + _chunks(tail)
    cards = []
    for r in shown.rows:
        rest = " · ".join(f"{esc(c)}: {esc(v)}" for c, v in zip(shown.columns[1:], r[1:]) if not render.is_blank(v))
        cards.append(f"*{esc(r[0]) or '–'}*" + (f"\n{rest}" if rest else ""))
    return _chunks(head + cards + tail)


def _field(label: str, value: str) -> dict:
    text = f"*{esc(label)}*\n{esc(value)}"
    return {"type": "mrkdwn", "text": _fit(text, FIELD_LIMIT)}


def table_blocks(table: Table) -> list[dict]:
    """A table as blocks: a few rows of a few columns as sections with fields (a label over each
    value, two columns of them), anything else as the sections of `table_mrkdwn`."""
    narrow = render.aligned_width(table) <= PHONE_WIDTH
    if narrow or len(table.rows) > FIELDS_ROWS or len(table.columns) > MAX_FIELDS + 1:
        return [_section(c) for c in table_mrkdwn(table)]
    blocks = [_section(f"*{esc(table.title)}*")] if table.title else []
    for r in table.rows:
        key = str(r[0]) if r and not render.is_blank(r[0]) else "–"
        block = _section(f"*{_fit(esc(key), SECTION_LIMIT - 2)}*")
        fields = [_field(c, v) for c, v in zip(table.columns[1:], map(str, r[1:])) if not render.is_blank(v)]
        if fields:
            block["fields"] = fields
        blocks.append(block)
    return blocks


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(action_id: str, label: str, value: str, style: str | None = None) -> dict:
    b = {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label}, "value": value}
    if style:
        b["style"] = style
    return b


_STYLE = {"confirm": "primary", "approve": "primary", "reject": "danger"}


def fallback_text(text: str) -> str:
    """The message's `text` (notifications, screen readers): the reply's text, escaped, within the limit."""
    return _fit(esc(text or ""), TEXT_LIMIT)


def render_reply(reply: Reply) -> tuple[str, list[dict]]:
    """The fallback text and the blocks of a reply: its text as written, then the rows of its table
    that the text does not already tell (channels/render.py), then its buttons; at most 50 blocks."""
    blocks = [_section(c) for c in _chunks([esc(ln) for ln in (reply.text or "").split("\n")])]
    table = render.untold_table(reply)
    if table is not None:
        blocks += table_blocks(table)
    actions = (
        [
            {
                "type": "actions",
                "block_id": "dms_actions",
                "elements": [_button(f"dms_{a.id}", a.label, a.value, _STYLE.get(a.id)) for a in reply.actions[:25]],
            }
        ]
        if reply.actions
        else []
    )
    room = MAX_BLOCKS - len(actions)
    if len(blocks) > room:  # the buttons always stay
        blocks = blocks[: room - 1] + [_section("_…the rest does not fit in one Slack message._")]
    return fallback_text(reply.text), blocks + actions


OUTLET = "outlet:"  # a decision button's value for an outlet request, beside an order's number


def _decision_blocks(text: str, order_no: str) -> list[dict]:
    return [
        _section(esc(text)),
        {
            "type": "actions",
            "block_id": "dms_decision",
            "elements": [
                _button("dms_approve", "Approve", order_no, "primary"),
                _button("dms_reject", "Reject", order_no, "danger"),
            ],
        },
    ]


def _settled(blocks: list[dict] | None, note: str) -> list[dict]:
    """A message's blocks with its buttons replaced by what happened."""
    kept = [b for b in (blocks or []) if b.get("type") != "actions"]
    return kept + [{"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}]


# --- the channel -------------------------------------------------------------------------
class SlackChannel:
    def __init__(self, assistant: Assistant, engine: Engine, clock: Clock, config: SlackSettings):
        if not config.enabled:
            raise ValueError("Slack needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
        self.assistant, self.engine, self.clock, self.config = assistant, engine, clock, config
        base_url = config.api_url or "https://slack.com/api/"
        self.client = WebClient(token=_secret(config.bot_token), base_url=base_url.rstrip("/") + "/")
        self.executor = _TrackedExecutor()
        self.limiter = RateLimiter(config.rate_per_minute)
        # Token verification off: building the app must not need Slack to be reachable; Bolt
        # still calls auth.test on the first request. process_before_response: the ack functions
        # run before the HTTP answer (so a modal's validation errors can be returned), the work
        # runs in lazy listeners on the executor.
        self.app = App(
            signing_secret=_secret(config.signing_secret),
            client=self.client,
            token_verification_enabled=False,
            process_before_response=True,
            listener_executor=self.executor,
        )
        self._register()
        self.router = self._make_router()

    # wiring
    def _register(self) -> None:
        app = self.app

        def ack(ack):
            ack()

        app.event("app_mention")(ack=ack, lazy=[self._on_mention])
        app.event("message")(ack=ack, lazy=[self._on_message])
        app.command("/dms")(ack=ack, lazy=[self._on_command])
        app.action("dms_confirm")(ack=ack, lazy=[self._on_confirm])
        app.action("dms_cancel")(ack=ack, lazy=[self._on_cancel])
        app.action("dms_approve")(ack=ack, lazy=[self._on_approve])
        # a modal needs the click's trigger_id, valid for 3 seconds: open it in the ack function
        app.action("dms_reject")(ack=self._open_reject_modal, lazy=[])
        app.view("dms_reject_reason")(ack=self._ack_reject_reason, lazy=[self._on_reject_reason])

    def _make_router(self) -> APIRouter:
        router = APIRouter()
        app = self.app

        @router.post("/slack/events", include_in_schema=False)
        async def slack_events(request: Request):
            # the SDK's signature check does int() on it and would fail with a 500
            timestamp = request.headers.get("x-slack-request-timestamp")
            if timestamp is not None and not _TIMESTAMP.fullmatch(timestamp):
                return JSONResponse(
                    {"detail": "X-Slack-Request-Timestamp must be a Unix time in seconds."}, status_code=400
                )
            body = await request.body()
            if len(body) > MAX_BODY:
                return Response(status_code=413)
            # Bolt's dispatch is synchronous (it verifies the signature and runs the ack
            # function): keep it off the event loop that also serves the rest of the web app.
            resp = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
            return to_starlette_response(resp)

        return router

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait for the lazy work started so far (tests; graceful shutdown)."""
        return self.executor.drain(timeout)

    # identity
    def _user_id(self, slack_id: str | None) -> str | None:
        if not slack_id:
            return None
        with Session(self.engine) as s:
            user = user_for_slack(s, slack_id)
            return user.id if user else None

    def _first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        with transaction(self.engine) as s:
            return store.first_time(s, CHANNEL, event_id, self.clock.now())

    # messages
    def _on_mention(self, body, event, client):
        channel, thread = event["channel"], event.get("thread_ts") or event["ts"]

        def post(text, blocks=None):
            client.chat_postMessage(channel=channel, thread_ts=thread, text=text, blocks=blocks)

        def upload(files):
            self._upload(client, channel, thread, files, post)

        self._converse(body.get("event_id"), event.get("user"), channel, thread, event.get("text", ""), post, upload)

    def _on_message(self, body, event, client):
        # direct messages only; edits, joins and bot posts (our own replies included) are not turns
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        channel, thread = event["channel"], event.get("thread_ts")

        def post(text, blocks=None):
            client.chat_postMessage(channel=channel, thread_ts=thread, text=text, blocks=blocks)

        def upload(files):
            self._upload(client, channel, thread, files, post)

        self._converse(body.get("event_id"), event.get("user"), channel, thread, event.get("text", ""), post, upload)

    def _on_command(self, command, respond, client):
        def post(text, blocks=None):  # ephemeral through the response URL: works in any channel
            respond(text=text, blocks=blocks, response_type="ephemeral")

        def upload(files):
            # the answer is for the asker alone, and a file in the channel would be everyone's: it
            # goes to the asker's direct messages with the app
            dm = client.conversations_open(users=command["user_id"])["channel"]["id"]
            self._upload(client, dm, None, files, post)
            post(f"I sent {'the file' if len(files) == 1 else 'the files'} to our direct messages.")

        self._converse(None, command.get("user_id"), command["channel_id"], None, command.get("text", ""), post, upload)

    @staticmethod
    def _upload(client, channel: str, thread: str | None, files: list[Attachment], post) -> None:
        """A reply's files into the conversation (files_upload_v2: an upload URL per file, the
        bytes, then one completion that shares them in the channel or thread)."""
        for f in files:
            try:
                client.files_upload_v2(
                    channel=channel, thread_ts=thread, content=f.content, filename=f.filename, title=f.filename
                )
            except SlackApiError as e:
                why = (e.response.get("error") if e.response is not None else None) or "error"
                log.warning("slack upload failed: %s", why)
                post(f"Sorry, I could not send the file {f.filename} here ({why}).")

    def _converse(self, event_id, slack_id, channel, thread, raw_text, post, upload=None) -> None:
        try:
            if not self._first_time(event_id):  # a Slack retry of an event already handled
                return
            if not self.limiter.allow(slack_id or "?"):
                return post(SLOW_DOWN)
            text = plain_text(raw_text)
            if len(text) > MAX_MESSAGE:
                return post(TOO_LONG)
            user_id = self._user_id(slack_id)
            if user_id is None:
                return post(UNKNOWN_USER)
            reply = self.assistant.handle(Turn(user_id, CHANNEL, conversation_of(channel, thread)), text)
            post(*render_reply(reply))
            if reply.attachments and upload is not None:
                upload(reply.attachments)
        except Exception:
            log.exception("slack turn failed")

    # confirmations
    def _on_confirm(self, body, action, client, respond):
        self._settle_pending(body, action, client, respond, confirm=True)

    def _on_cancel(self, body, action, client, respond):
        self._settle_pending(body, action, client, respond, confirm=False)

    def _settle_pending(self, body, action, client, respond, confirm: bool) -> None:
        try:
            slack_id = body["user"]["id"]
            container = body.get("container") or {}
            channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
            message = body.get("message") or {}
            ephemeral = bool(container.get("is_ephemeral"))
            user_id = self._user_id(slack_id)
            if user_id is None:
                return self._whisper(client, respond, channel, slack_id, ephemeral, UNKNOWN_USER)
            if not self.limiter.allow(slack_id):
                return self._whisper(client, respond, channel, slack_id, ephemeral, SLOW_DOWN)
            with Session(self.engine) as s:
                pending = s.get(PendingAction, action.get("value") or "")
                owner = pending.user_id if pending else None
            if owner is not None and owner != user_id:  # the buttons are the asker's alone
                return self._whisper(client, respond, channel, slack_id, ephemeral, NOT_YOURS)
            thread = message.get("thread_ts")
            assert channel is not None  # a button's payload names its channel
            turn = Turn(user_id, CHANNEL, conversation_of(channel, thread))
            reply = (self.assistant.confirm if confirm else self.assistant.cancel)(turn, action.get("value"))
            text, blocks = render_reply(reply)
            if ephemeral:
                respond(text=text, blocks=blocks, replace_original=True, response_type="ephemeral")
                return
            note = {"done": f"Confirmed by <@{slack_id}>", "dropped": f"Cancelled by <@{slack_id}>"}
            client.chat_update(
                channel=channel,
                ts=message.get("ts"),
                text=message.get("text") or text,
                blocks=_settled(message.get("blocks"), note.get(reply.outcome, "Closed")),
            )
            client.chat_postMessage(channel=channel, thread_ts=thread, text=text, blocks=blocks)
        except Exception:
            log.exception("slack confirmation failed")

    def _whisper(self, client, respond, channel, slack_id, ephemeral, text) -> None:
        if ephemeral:
            respond(text=text, replace_original=False, response_type="ephemeral")
        else:
            client.chat_postEphemeral(channel=channel, user=slack_id, text=text)

    # approvals
    def _decide(self, slack_id: str, order_no: str, approve: bool, reason: str | None = None) -> tuple[bool, str]:
        """The clicking user's decision through the core (its scope and role checks apply): an
        order's approval, or a rep's outlet request (a button value `outlet:OR-…`)."""
        user_id = self._user_id(slack_id)
        if user_id is None:
            return False, UNKNOWN_USER
        if not self.limiter.allow(slack_id):
            return False, SLOW_DOWN
        request = order_no.removeprefix(OUTLET) if order_no.startswith(OUTLET) else None
        try:
            with transaction(self.engine) as s:
                actor = load_actor(s, user_id, CHANNEL)
                if request is not None:
                    decide_outlet_request(s, actor, self.clock, request, approve, reason)
                else:
                    decide(s, actor, self.clock, order_no, approve, reason)
        except DomainError as e:
            return False, e.message
        if request is not None:
            return True, (
                f"Outlet request {request} approved by <@{slack_id}>: the change is applied."
                if approve
                else f'Outlet request {request} rejected by <@{slack_id}> ("{esc(reason)}").'
            )
        if approve:
            return True, f"Order {order_no} approved by <@{slack_id}>: it is now confirmed."
        return True, f'Order {order_no} rejected by <@{slack_id}> ("{esc(reason)}"); its stock is released.'

    def _on_approve(self, body, action, client):
        try:
            self._announce(client, body, *self._decide(body["user"]["id"], action["value"], True))
        except Exception:
            log.exception("slack approval failed")

    def _announce(self, client, body, done: bool, result: str, where: dict | None = None) -> None:
        """Settle the request message if the decision was taken, else tell the clicker why not."""
        where = where or {
            "channel": (body.get("channel") or {}).get("id"),
            "ts": (body.get("message") or {}).get("ts"),
            "blocks": (body.get("message") or {}).get("blocks"),
        }
        slack_id = body["user"]["id"]
        if done and where.get("ts"):
            client.chat_update(
                channel=where["channel"], ts=where["ts"], text=result, blocks=_settled(where.get("blocks"), result)
            )
        elif where.get("channel"):
            client.chat_postEphemeral(channel=where["channel"], user=slack_id, text=result)
        else:
            client.chat_postMessage(channel=slack_id, text=result)

    def _open_reject_modal(self, ack, body, action, client):
        ack()
        message = body.get("message") or {}
        first = next((b for b in message.get("blocks") or [] if b.get("type") == "section"), None)
        meta = {
            "order_no": action["value"],
            "channel": (body.get("channel") or {}).get("id"),
            "ts": message.get("ts"),
            "blocks": [first] if first else None,
        }  # to settle the request message after the modal
        client.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "dms_reject_reason",
                "private_metadata": json.dumps(meta),
                "title": {
                    "type": "plain_text",
                    "text": "Reject request" if action["value"].startswith(OUTLET) else "Reject order",
                },
                "submit": {"type": "plain_text", "text": "Reject"},
                "close": {"type": "plain_text", "text": "Back"},
                "blocks": [
                    {
                        "type": "input",
                        "block_id": "reason",
                        "label": {"type": "plain_text", "text": f"Why reject {action['value'].removeprefix(OUTLET)}?"},
                        "element": {"type": "plain_text_input", "action_id": "reason", "multiline": True},
                    }
                ],
            },
        )

    @staticmethod
    def _reason(view) -> str:
        value = ((view.get("state") or {}).get("values") or {}).get("reason", {}).get("reason", {}).get("value")
        return (value or "").strip()

    def _ack_reject_reason(self, ack, view):
        if not self._reason(view):
            return ack(response_action="errors", errors={"reason": REASON_NEEDED})
        ack()

    def _on_reject_reason(self, body, view, client):
        reason = self._reason(view)
        if not reason:
            return
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            done, result = self._decide(body["user"]["id"], meta["order_no"], False, reason)
            self._announce(client, body, done, result, meta)
        except Exception:
            log.exception("slack rejection failed")

    # notifications (the outbox's sender)
    def send(self, message: OutboxMessage, user: User) -> None:
        """Deliver one outbox row to the user's Slack; raises when it could not be delivered."""
        if not user.slack_id:
            raise ValueError(f"User {user.id} has no Slack id.")
        text, blocks = self.render_notification(message)
        self.client.chat_postMessage(channel=user.slack_id, text=text, blocks=blocks)  # SlackApiError if not ok

    def render_notification(self, message: OutboxMessage) -> tuple[str, list[dict]]:
        """The text (the words are channels/notices.py's) and its blocks: approvals get the buttons."""
        if message.event in ("approval_requested", "approval_escalated"):
            order_no = json.loads(message.payload or "{}").get("order_no", "")
            text = notice_text(message, "slack", why=self._why(order_no))
            return text, _decision_blocks(text, order_no)
        if message.event == "outlet_request":  # a rep's outlet update or new outlet: the same buttons
            request = json.loads(message.payload or "{}").get("request", "")
            text = notice_text(message, "slack")
            return text, _decision_blocks(text, OUTLET + request)
        text = notice_text(message, "slack")
        return text, [_section(esc(text))]

    def _why(self, order_no: str) -> str:
        with Session(self.engine) as s:  # the same wording the assistant uses
            return approval_why(s, order_no)


def build_slack(
    assistant: Assistant, engine: Engine, clock: Clock, settings=None
) -> tuple[APIRouter, Callable[[OutboxMessage, User], None]] | None:
    """The /slack/events router and the outbox sender; None when Slack is not configured."""
    config = slack_settings(settings)
    if not config.enabled:
        return None
    channel = SlackChannel(assistant, engine, clock, config)
    return channel.router, channel.send
