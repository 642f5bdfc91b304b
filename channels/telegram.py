"""Telegram channel (python-telegram-bot): updates in, assistant replies out.

Translation only: a verified Telegram user id is mapped to a user, messages go to
`agent.runtime.Assistant`, replies come back as escaped HTML with Confirm/Cancel buttons.
The webhook (`POST /telegram/webhook`, secret-token header) and the outbox sender share one
initialised `Application` that lives on its own event loop thread, so neither depends on
which loop (or thread) the web server or the outbox delivery runs on.
"""

import asyncio
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from agent.reply import Reply
from agent.runtime import MAX_MESSAGE, Assistant, Turn
from agent.store import PendingAction
from core import linking as link
from core.clock import Clock
from core.db import transaction
from core.identities import user_for_telegram
from core.settings import Settings, TelegramSettings, read
from core.settings import secret_value as _secret
from core.tables.audit import OutboxMessage
from core.tables.parties import User

from .notices import Markup, notice_text
from .ratelimit import RateLimiter
from .store import first_time
from .telegram_format import esc, parse_callback, render

log = logging.getLogger("dms.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000  # bytes; real updates are a few kB
CALL_TIMEOUT = 120  # seconds a webhook or a notification waits for the bot loop

HELP = (
    "I am the order assistant. Ask me in plain words, for example:\n"
    "• 20 boxes of <product>\n• show my orders\n• what is my outstanding?\n• is <product> in stock?\n"
    "Orders are shown as a preview first; nothing changes until you press Confirm."
)
ASK_PHONE = (
    "Hello! I don't know this Telegram account yet, so I can't show or change anything. "
    "To link it, please share your phone number with the button below; a manager will review it."
)
WAITING = (
    "Your request to link this Telegram account is waiting for a manager's approval. "
    "I can't show or change anything until then."
)
RECEIVED = (
    "Thank you. If this number belongs to one of our customers, a manager will review your request; "
    "I'll be able to help you once it is approved."
)
UNKNOWN_BUTTON = "I don't know this Telegram account yet. Send /start to link it."
NOT_OWN = "Please share your own number with the button below."
PRIVATE_ONLY = "Please talk to me in a private chat."
TOO_FAST = "You are sending messages too fast. Please wait a minute and try again."
SHARE_LOCATION = "To record where you are, share your location with the button below (or just confirm)."
LOCATION_TTL = 15 * 60  # seconds a shared location goes with a rep's next check-in, visit or check-out


def telegram_settings(settings: Any = None) -> TelegramSettings:
    """The Telegram section of `settings` (the whole settings or the section itself); given
    anything else, the section as the environment says now."""
    if isinstance(settings, Settings):
        return settings.telegram
    return settings if isinstance(settings, TelegramSettings) else read(TelegramSettings)


class _BotLoop:
    """One event loop thread owning the Application: callable from sync code and from any other loop."""

    def __init__(self, application: Application):
        self.application = application
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = False
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name="telegram-bot", daemon=True)
                self._thread.start()
            if not self._started:  # getMe at start-up; retried on the next call if the API was down
                asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(CALL_TIMEOUT)
                self._started = True
            return self._loop

    async def _start(self) -> None:
        await self.application.initialize()
        await self.application.start()

    def call(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        return asyncio.run_coroutine_threadsafe(make(), self._ensure()).result(CALL_TIMEOUT)

    async def acall(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        loop = await asyncio.to_thread(self._ensure)
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(make(), loop))

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
            if loop is None:
                return
            if self._started:

                async def stop():
                    await self.application.stop()
                    await self.application.shutdown()

                try:
                    asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
                except Exception:  # closing anyway
                    log.exception("telegram shutdown failed")
            self._started = False
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:  # (started with the loop)
                self._thread.join(10)
            loop.close()


class TelegramBot:
    """The handlers (webhook and polling alike), the webhook's Application and the notification sender."""

    def __init__(self, assistant: Assistant, engine: Engine, clock: Clock, config: TelegramSettings):
        self.assistant, self.engine, self.clock, self.config = assistant, engine, clock, config
        self.limiter = RateLimiter(config.rate_limit)
        self._warned: set[int] = set()  # users told to slow down: later refusals stay silent
        self._locations: dict[str, tuple[float, tuple[str, str]]] = {}  # user id -> (when, where) shared last
        self.runner = _BotLoop(self.application(polling=False))

    # --- wiring ----------------------------------------------------------------------------
    def application(self, polling: bool) -> Application:
        builder = Application.builder().token(_secret(self.config.bot_token)).concurrent_updates(16)
        if self.config.api_url:
            builder = builder.base_url(self.config.api_url + "/bot").base_file_url(self.config.api_url + "/file/bot")
        if not polling:
            builder = builder.updater(None)  # updates come from our webhook route
        app = builder.build()
        app.add_handler(TypeHandler(Update, self._gate), group=-1)
        app.add_handler(CommandHandler("start", self._start))
        app.add_handler(CommandHandler("help", self._help))
        app.add_handler(MessageHandler(filters.CONTACT, self._contact))
        app.add_handler(MessageHandler(filters.LOCATION, self._location))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self._text))
        app.add_handler(CallbackQueryHandler(self._button))
        app.add_handler(MessageHandler(filters.ALL, self._other))
        app.add_error_handler(self._error)
        return app

    async def process(self, data: dict) -> None:
        """One webhook update, processed to the end (handlers included) before the route answers."""
        app = self.runner.application

        async def run():
            await app.process_update(Update.de_json(data, app.bot))

        await self.runner.acall(run)

    def run_polling(self) -> None:
        """Long polling against the configured Bot API (deletes any webhook first); blocks until Ctrl-C."""
        self.application(polling=True).run_polling(allowed_updates=Update.ALL_TYPES)

    def close(self) -> None:
        self.runner.close()

    # --- sync helpers (run in a worker thread) ----------------------------------------------
    def _first_time(self, update_id: int) -> bool:
        with transaction(self.engine) as s:
            return first_time(s, "telegram", str(update_id), self.clock.now())

    def _lookup(self, telegram_id: int) -> tuple[User | None, bool]:
        with Session(self.engine, expire_on_commit=False) as s:
            user = user_for_telegram(s, telegram_id)
            return user, user is None and link.pending_request(s, telegram_id) is not None

    def _request_link(self, telegram_id: int, phone: str) -> None:
        with transaction(self.engine) as s:
            link.request_link(s, telegram_id, phone, self.clock.now())

    def _pending_owner(self, action_id: str) -> str | None:
        with Session(self.engine) as s:
            row = s.get(PendingAction, action_id)
            return row.user_id if row else None

    # --- handlers -----------------------------------------------------------------------------
    async def _gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Before any handler: each update id once, private chats only, a rate limit per user."""
        if not await asyncio.to_thread(self._first_time, update.update_id):
            raise ApplicationHandlerStop
        chat, who = update.effective_chat, update.effective_user
        if who is None or chat is None:
            raise ApplicationHandlerStop  # channel posts, polls, …: nothing for us
        if chat.type != ChatType.PRIVATE:  # a group would show one customer's data to everyone in it
            if update.callback_query:
                await update.callback_query.answer(PRIVATE_ONLY)
            elif update.message:
                await update.message.reply_text(PRIVATE_ONLY)
            raise ApplicationHandlerStop
        if self.limiter.allow(str(who.id)):
            self._warned.discard(who.id)
        else:
            if who.id not in self._warned:
                self._warned.add(who.id)
                if update.callback_query:
                    await update.callback_query.answer(TOO_FAST, show_alert=True)
                elif update.message:
                    await update.message.reply_text(TOO_FAST)
            raise ApplicationHandlerStop

    async def _known(self, update: Update) -> User | None:
        """The linked user, or None after a polite explanation (and no data)."""
        # the handlers' filters guarantee the parts of an update they use (PTB types them all optional)
        assert update.effective_user is not None
        user, waiting = await asyncio.to_thread(self._lookup, update.effective_user.id)
        if user is not None:
            return user
        if update.callback_query:
            await update.callback_query.answer(WAITING if waiting else UNKNOWN_BUTTON, show_alert=True)
        elif waiting:
            assert update.effective_message is not None  # not a button: a message
            await update.effective_message.reply_text(WAITING)
        else:
            assert update.effective_message is not None
            await update.effective_message.reply_text(ASK_PHONE, reply_markup=_contact_keyboard())
        return None

    async def _start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        user = await self._known(update)
        if user is not None:
            await update.message.reply_text(f"Hello {user.name}!\n\n{HELP}")  # plain text: no markup

    async def _help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        if await self._known(update) is not None:
            await update.message.reply_text(HELP)

    async def _contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.contact is not None and update.effective_user is not None
        contact, who = update.message.contact, update.effective_user
        user, waiting = await asyncio.to_thread(self._lookup, who.id)
        if user is not None:
            await update.message.reply_text(
                f"This account is already linked to {user.name}.", reply_markup=ReplyKeyboardRemove()
            )
        elif waiting:
            await update.message.reply_text(WAITING, reply_markup=ReplyKeyboardRemove())
        elif contact.user_id != who.id:  # a forwarded contact card is someone else's number
            await update.message.reply_text(NOT_OWN, reply_markup=_contact_keyboard())
        else:
            await asyncio.to_thread(self._request_link, who.id, contact.phone_number)
            # the same answer whether or not the number matched: nothing leaks about who is a customer
            await update.message.reply_text(RECEIVED, reply_markup=ReplyKeyboardRemove())

    async def _text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.effective_chat is not None
        user = await self._known(update)
        if user is None:
            return
        text = update.message.text or ""
        if len(text) > MAX_MESSAGE:
            await update.message.reply_text(
                f"That message is too long ({len(text)} characters; the limit is {MAX_MESSAGE}). Nothing was done."
            )
            return
        turn = Turn(user.id, "telegram", str(update.effective_chat.id), self._recent_location(user.id))
        reply = await asyncio.to_thread(self.assistant.handle, turn, text)
        await send_reply(context.bot, update.effective_chat.id, reply)
        if _asks_where(reply) and turn.location is None:  # a check-in or visit: offer the location button
            await context.bot.send_message(
                chat_id=update.effective_chat.id, text=SHARE_LOCATION, reply_markup=_location_keyboard()
            )

    async def _location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location: it goes with the check-in, visit or check-out waiting for confirmation,
        or with the next one said within LOCATION_TTL."""
        assert update.message is not None and update.message.location is not None
        assert update.effective_chat is not None
        user = await self._known(update)
        if user is None:
            return
        where = (str(update.message.location.latitude), str(update.message.location.longitude))
        self._locations[user.id] = (time.monotonic(), where)
        turn = Turn(user.id, "telegram", str(update.effective_chat.id), where)
        reply = await asyncio.to_thread(self.assistant.share_location, turn, *where)
        await send_reply(context.bot, update.effective_chat.id, reply)

    def _recent_location(self, user_id: str) -> tuple[str, str] | None:
        # a monotonic clock, not the business clock: a fixed DMS_NOW must not keep a location fresh
        seen = self._locations.get(user_id)
        return seen[1] if seen is not None and time.monotonic() - seen[0] < LOCATION_TTL else None

    async def _button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and update.effective_user is not None
        parsed = parse_callback(query.data)
        if parsed is None:
            await query.answer("This button is no longer valid.")
            return
        user = await self._known(update)
        if user is None:
            return
        kind, action_id = parsed
        owner = await asyncio.to_thread(self._pending_owner, action_id)
        if owner is not None and owner != user.id:
            await query.answer("This button is not for you.", show_alert=True)
            return
        await query.answer()  # stop the button's spinner before the (slower) confirmation
        chat_id = query.message.chat.id if query.message else update.effective_user.id
        turn = Turn(user.id, "telegram", str(chat_id))
        act = self.assistant.confirm if kind == "confirm" else self.assistant.cancel
        reply = await asyncio.to_thread(act, turn, action_id)
        if query.message:
            try:  # the buttons are single use: take them off the preview
                await query.edit_message_reply_markup(reply_markup=None)
            except TelegramError as e:
                log.info("could not remove buttons: %s", e)
        await send_reply(context.bot, chat_id, reply)

    async def _other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message and await self._known(update) is not None:
            await update.message.reply_text("I can read text messages only. /help shows what you can ask.")

    async def _error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed", exc_info=context.error)

    # --- notifications ---------------------------------------------------------------------------
    def send_notification(self, message: OutboxMessage, user: User) -> None:
        """The outbox sender: one message to the user's Telegram; raises when it cannot be delivered."""
        if not user.telegram_id:
            raise ValueError(f"user {user.id} has no linked Telegram account")
        text = notification_html(message)
        bot, chat_id = self.runner.application.bot, int(user.telegram_id)
        self.runner.call(lambda: bot.send_message(chat_id=chat_id, text=text, parse_mode=ParseMode.HTML))


async def send_reply(bot, chat_id: int, reply: Reply) -> None:
    """A reply as one or more HTML messages; the Confirm/Cancel buttons go on the last one; then
    its files, each as a document."""
    messages, buttons = render(reply)
    markup = (
        InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in buttons]])
        if buttons
        else None
    )
    for i, html in enumerate(messages):
        await bot.send_message(
            chat_id=chat_id,
            text=html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if i == len(messages) - 1 else None,
        )
    for f in reply.attachments:
        try:
            await bot.send_document(chat_id=chat_id, document=f.content, filename=f.filename)
        except TelegramError as e:
            log.warning("telegram document failed: %s", e)
            await bot.send_message(chat_id=chat_id, text=f"Sorry, I could not send the file {f.filename} here.")


def _asks_where(reply: Reply) -> bool:
    """A preview of a change that records where it happens (check-in, visit, check-out, outlet details)."""
    return reply.awaiting_confirmation and any(c.name in LOCATED for c in reply.tool_calls[-1:])


LOCATED = ("start_day", "end_day", "start_visit")


def _location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton("Share my location", request_location=True)]], one_time_keyboard=True, resize_keyboard=True
    )


def _contact_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton("Share my phone number", request_contact=True)]], one_time_keyboard=True, resize_keyboard=True
    )


HTML = Markup(esc=esc, bold=lambda text: f"<b>{text}</b>")


def notification_html(message: OutboxMessage) -> str:
    """An outbox event as a short HTML message (the words are channels/notices.py's)."""
    return notice_text(message, "telegram", HTML)


def build_bot(assistant: Assistant, engine: Engine, clock: Clock, settings: Any = None) -> TelegramBot | None:
    config = telegram_settings(settings)
    return TelegramBot(assistant, engine, clock, config) if config.enabled else None


def make_router(bot: TelegramBot) -> APIRouter:
    @asynccontextmanager
    async def lifespan(_app):
        yield
        await asyncio.to_thread(bot.close)

    router = APIRouter(lifespan=lifespan)
    secret = (bot.config.webhook_secret.get_secret_value() if bot.config.webhook_secret else "").encode()
    if not secret:
        log.warning("TELEGRAM_WEBHOOK_SECRET is not set: the Telegram webhook refuses every request")

    @router.post("/telegram/webhook", include_in_schema=False)
    async def telegram_webhook(request: Request):
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not secret or not hmac.compare_digest(given, secret):
            return JSONResponse({"ok": False, "error": "unauthorized"}, status_code=401)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"ok": False, "error": "too large"}, status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            return JSONResponse({"ok": False, "error": "not a Telegram update"}, status_code=400)
        try:
            await bot.process(data)
        except Exception:  # the Bot API is down at start-up: Telegram retries the update later
            log.exception("telegram webhook failed")
            return JSONResponse({"ok": False, "error": "unavailable"}, status_code=503)
        return {"ok": True}

    router.telegram_bot = bot  # type: ignore[attr-defined]  # for the app builder and tests
    return router


def build_telegram(
    assistant: Assistant, engine: Engine, clock: Clock, settings: Any = None
) -> tuple[APIRouter, Callable[[OutboxMessage, User], None]] | None:
    """The webhook router and the outbox sender, or None when TELEGRAM_BOT_TOKEN is not set."""
    bot = build_bot(assistant, engine, clock, settings)
    if bot is None:
        return None
    return make_router(bot), bot.send_notification
