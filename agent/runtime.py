"""The conversation loop: the model proposes tool calls, the runtime decides.

Reads run at once; a change is previewed by the core, stored as a pending action bound to
the user and conversation, and runs only when that same user confirms (single use,
expiring, re-validated). Identity comes from the channel, never from the message.
"""
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.access import Actor, load_actor
from core.clock import Clock
from core.db import transaction
from core.errors import DomainError, NotAllowed, NotFound
from core.settings import get_settings
from tools.base import PERMISSION_WORDS, ToolContext
from tools.registry import ALL_TOOLS, get_tool, langchain_tools, tools_for

from . import store
from .confirm import parse_confirmation
from .reply import Action, Reply, Table, ToolCall

log = logging.getLogger("dms.agent")
POLICY = (Path(__file__).parent / "policy.md").read_text()
MAX_STEPS = 5
MAX_MESSAGE = 4000

# Refusals: not allowed, or not found. A thing outside the user's scope (OutOfScope) and one that
# does not exist (NotFound) read the same and end the same way, so neither words nor outcome
# tell them apart; that outcome is `refused` (shared/spec/scenarios.md: a request outside the
# user's scope is refused even where the words only say that nothing was found).
REFUSALS = (NotAllowed, NotFound)


@dataclass
class Turn:
    """Who is talking, where: derived by the channel from a verified identity."""

    user_id: str
    channel: str
    conversation: str


class Assistant:
    def __init__(self, engine: Engine, clock: Clock, model: str = "offline", knowledge=None,
                 preview_ttl_minutes: int | None = None):
        self.engine = engine
        self.clock = clock
        self.model_spec = model
        self.knowledge = knowledge  # agent.knowledge.KnowledgeBase or None
        self.ttl = preview_ttl_minutes or get_settings().preview_ttl_minutes
        self._model = None

    # --- model ---------------------------------------------------------------------------
    def model(self):
        if self._model is None and not isinstance(self.model_spec, str):
            self._model = self.model_spec  # an already built chat model (e.g. a recording wrapper)
        if self._model is None:
            from .models import make_model
            from .world import WorldView
            self._model = make_model(self.model_spec, world=WorldView(self.engine, knowledge=self.knowledge),
                                     clock=self.clock)
        return self._model

    def _knowledge(self, query: str) -> str | None:
        return self.knowledge.answer(query) if self.knowledge else None

    # --- entry points --------------------------------------------------------------------
    def handle(self, turn: Turn, text: str) -> Reply:
        """One message from a user; never raises, never returns a stack trace."""
        try:
            return self._handle(turn, text)
        except Exception:  # the user gets a plain reply; the log gets the trace
            log.exception("turn failed", extra={"user": turn.user_id, "channel": turn.channel})
            return Reply("Sorry, something went wrong on my side and nothing was changed. Please try again.",
                         outcome="error")

    def awaiting_confirmation(self, turn: Turn) -> bool:
        with Session(self.engine) as s:
            return store.current_pending(s, turn.user_id, turn.channel, turn.conversation, self.clock.now()) is not None

    def pending_action(self, turn: Turn):
        with Session(self.engine) as s:
            return store.current_pending(s, turn.user_id, turn.channel, turn.conversation, self.clock.now())

    def confirm(self, turn: Turn, action_id: str | None = None) -> Reply:
        """A Confirm button or a 'yes': run exactly the previewed action, at most once."""
        try:
            with Session(self.engine) as s:
                actor = load_actor(s, turn.user_id, turn.channel)
            return self._confirm(turn, actor, action_id)
        except NotFound:
            return Reply("I don't know you yet, so I can't do anything for you.", outcome="refused")
        except Exception:
            log.exception("confirmation failed")
            return Reply("Sorry, something went wrong and nothing was changed.", outcome="error")

    def cancel(self, turn: Turn, action_id: str | None = None) -> Reply:
        with transaction(self.engine) as s:
            pending = store.current_pending(s, turn.user_id, turn.channel, turn.conversation, self.clock.now())
            if pending is None or (action_id and pending.id != action_id):
                return Reply("There is nothing waiting for your confirmation.", outcome="answered")
            store.claim(s, pending.id, turn.user_id, to="dropped")
            self._remember(s, turn, [AIMessage(content="Dropped: nothing was changed.")])
        return Reply("OK, dropped. Nothing was changed.", outcome="dropped")

    # --- internals -----------------------------------------------------------------------
    def _handle(self, turn: Turn, text: str) -> Reply:
        with Session(self.engine) as s:
            try:
                actor = load_actor(s, turn.user_id, turn.channel)
            except NotFound:
                return Reply("I don't know you yet, so I can't help with that. Please ask your manager to link "
                             "your account.", outcome="refused")
        text = (text or "").strip()
        if not text:
            return Reply("Please type a message.", outcome="not_understood")
        if len(text) > MAX_MESSAGE:
            return Reply(f"That message is too long ({len(text)} characters; the limit is {MAX_MESSAGE}).",
                         outcome="refused")
        pending = self.pending_action(turn)
        answer = parse_confirmation(text)
        if answer == "yes":
            if pending is None:
                return Reply("There is nothing waiting for your confirmation.", outcome="answered")
            return self._confirm(turn, actor, pending.id)
        if answer == "no" and pending is not None:
            return self.cancel(turn, pending.id)
        return self._converse(turn, actor, text)

    def _confirm(self, turn: Turn, actor: Actor, action_id: str | None) -> Reply:
        now = self.clock.now()
        with transaction(self.engine) as s:
            pending = store.current_pending(s, turn.user_id, turn.channel, turn.conversation, now)
            if pending is None or (action_id and pending.id != action_id):
                return Reply("There is nothing waiting for your confirmation (it may have expired or been "
                             "done already).", outcome="answered")
            if not store.claim(s, pending.id, turn.user_id):
                return Reply("That was already done.", outcome="answered")
            tool = get_tool(pending.tool)
            args = tool.args_model.model_validate(json.loads(pending.args))
            ctx = ToolContext(s, actor, self.clock, self._knowledge)
            if tool.permission and not actor.can(tool.permission):
                # the role changed since the preview (e.g. a demotion): a refusal, never a failure
                msg = (f"You may no longer {PERMISSION_WORDS.get(tool.permission, 'do that')} (your role is now "
                       f"{actor.role.replace('_', ' ')}), so I did not do it. Nothing was changed.")
                store._set_status(s, pending.id, "done", "failed")
                self._remember(s, turn, [AIMessage(content=msg)])
                return Reply(msg, outcome="refused",
                             tool_calls=[ToolCall(tool.name, args.model_dump(mode="json"), False, "not allowed")])
            try:
                with s.begin_nested():
                    result = tool.execute(ctx, args, pending.fingerprint)
            except DomainError as e:
                fresh = getattr(e, "preview", None)
                if fresh is not None:
                    # prices, stock or credit moved: show the new preview instead of running something else
                    new = tool.preview(ctx, args)
                    row = store.put_pending(s, user_id=turn.user_id, channel=turn.channel,
                                            conversation=turn.conversation, tool=tool.name,
                                            args=args.model_dump(mode="json"), fingerprint=new.fingerprint,
                                            preview=new.text, now=now, ttl_minutes=self.ttl)
                    return self._preview_reply(e.message + "\n\n" + new.text, new, row.id)
                store._set_status(s, pending.id, "done", "failed")
                self._remember(s, turn, [AIMessage(content=e.message)])
                return Reply(e.message, outcome="refused" if isinstance(e, REFUSALS) else "answered",
                             tool_calls=[ToolCall(tool.name, args.model_dump(mode="json"), False, e.message)])
            self._remember(s, turn, [AIMessage(content=result.text)])
            return Reply(result.text, outcome="done", table=_table(result.table),
                         tool_calls=[ToolCall(tool.name, args.model_dump(mode="json"))])

    def _converse(self, turn: Turn, actor: Actor, text: str) -> Reply:
        allowed = tools_for(actor)
        names = {t.name for t in allowed}
        model = self.model()
        scoped = getattr(model, "for_actor", None)  # the offline planner knows only names in scope
        if callable(scoped):
            model = scoped(actor)
        model = model.bind_tools(langchain_tools(allowed))
        with Session(self.engine) as s:
            history = store.load_messages(s, turn.channel, turn.conversation, turn.user_id)
        system = SystemMessage(content=POLICY + f"\nThe user is {actor.name} ({actor.role.replace('_', ' ')}). "
                               f"Today is {self.clock.today().isoformat()}.")
        new: list = [HumanMessage(content=text)]
        calls: list[ToolCall] = []
        tables: list[Table] = []
        outcome = "answered"
        tokens = 0
        seen_calls: set[str] = set()
        for _ in range(MAX_STEPS):
            try:
                ai = model.invoke([system, *history, *new])
            except Exception as e:  # model down, timeout (the SDK has retried), bad response
                log.warning("model failed: %s", e)
                return Reply("The assistant's model is not answering right now, so nothing was changed. "
                             "Please try again in a moment.", outcome="error", tool_calls=calls, tokens=tokens)
            tokens += _tokens(ai)
            new.append(ai)
            # malformed calls (bad JSON) become error results the model can correct, never a silent stop
            for bad in getattr(ai, "invalid_tool_calls", None) or []:
                calls.append(ToolCall(bad.get("name") or "?", {}, False, "malformed arguments"))
                new.append(ToolMessage(content=f"Malformed tool call: {bad.get('error') or 'the arguments are not valid JSON'}",
                                       tool_call_id=bad.get("id") or "invalid", status="error"))
            if not ai.tool_calls:
                if getattr(ai, "invalid_tool_calls", None):
                    continue
                meta = ai.response_metadata or {}
                outcome = meta.get("outcome", outcome)
                answer = str(ai.text).strip()  # content may come as a list of parts
                if not answer:  # an empty answer must not read as success
                    answer = "I have no answer to that; nothing was changed. Could you rephrase?"
                    outcome = "not_understood" if outcome == "answered" else outcome
                reply = Reply(answer, outcome=outcome, tool_calls=calls, tokens=tokens,
                              table=tables[-1] if tables else None)
                with transaction(self.engine) as s:
                    self._remember(s, turn, new)
                return reply
            for call in ai.tool_calls:
                key = call["name"] + json.dumps(call.get("args", {}), sort_keys=True)
                if key in seen_calls:  # identical calls in one turn run once
                    new.append(ToolMessage(content="(same call as above)", tool_call_id=call["id"]))
                    continue
                seen_calls.add(key)
                name = call["name"]
                if name not in ALL_TOOLS:
                    calls.append(ToolCall(name, call.get("args", {}), False, "unknown tool"))
                    new.append(ToolMessage(content=f"There is no tool named {name!r}. Use only the tools given.",
                                           tool_call_id=call["id"], status="error"))
                    continue
                if name not in names:
                    # the model was never shown this tool: the gate refuses, in the runtime's words, and the
                    # turn ends here so no model text can claim otherwise
                    tool = get_tool(name)
                    msg = (f"A {actor.role.replace('_', ' ')} may not "
                           f"{PERMISSION_WORDS.get(tool.permission, 'use ' + name)}. Nothing was changed.")
                    calls.append(ToolCall(name, call.get("args", {}), False, "not allowed"))
                    new.append(ToolMessage(content=msg, tool_call_id=call["id"], status="error"))
                    with transaction(self.engine) as s:
                        self._remember(s, turn, _answered_only(new, ai) + [AIMessage(content=msg)])
                    return Reply(msg, outcome="refused", tool_calls=calls, tokens=tokens)
                tool = get_tool(name)
                try:
                    args = tool.args_model.model_validate(call.get("args") or {})
                except ValidationError as e:
                    msg = "Invalid arguments: " + "; ".join(f"{'.'.join(map(str, x['loc'])) or 'arguments'}: {x['msg']}"
                                                            for x in e.errors())
                    calls.append(ToolCall(name, call.get("args", {}), False, msg))
                    new.append(ToolMessage(content=msg, tool_call_id=call["id"], status="error"))
                    continue
                if tool.mutating:
                    return self._propose(turn, actor, tool, args, ai, call, new, calls, tokens)
                with Session(self.engine) as s:
                    try:
                        result = tool.run(ToolContext(s, actor, self.clock, self._knowledge), args)
                        calls.append(ToolCall(name, args.model_dump(mode="json")))
                        new.append(ToolMessage(content=result.text, tool_call_id=call["id"],
                                               artifact=result.data))
                        if result.outcome == "refused":
                            outcome = "refused"
                        if result.table:
                            tables.append(_table(result.table))
                    except DomainError as e:
                        calls.append(ToolCall(name, args.model_dump(mode="json"), False, e.message))
                        new.append(ToolMessage(content=f"Error: {e.message}", tool_call_id=call["id"], status="error"))
                        if isinstance(e, REFUSALS):
                            outcome = "refused"
                    finally:
                        s.rollback()  # reads never write
        return Reply("I could not finish that; nothing was changed. Could you rephrase?", outcome="not_understood",
                     tool_calls=calls, tokens=tokens)

    def _propose(self, turn, actor, tool, args, ai, call, new, calls, tokens) -> Reply:
        """Preview a change through the core (no writes) and hold it for confirmation."""
        now = self.clock.now()
        with Session(self.engine) as s:
            try:
                preview = tool.preview(ToolContext(s, actor, self.clock, self._knowledge), args)
                error = None
            except DomainError as e:
                preview, error = None, e
            finally:
                s.rollback()
        if error is not None:
            calls.append(ToolCall(tool.name, args.model_dump(mode="json"), False, error.message))
            new.append(ToolMessage(content=f"Error: {error.message}", tool_call_id=call["id"], status="error"))
            with transaction(self.engine) as s:
                self._remember(s, turn, _answered_only(new, ai) + [AIMessage(content=error.message)])
            refused = isinstance(error, REFUSALS)
            return Reply(error.message, outcome="refused" if refused else "answered", tool_calls=calls,
                         tokens=tokens)
        calls.append(ToolCall(tool.name, args.model_dump(mode="json")))
        # one pause per turn: calls after this one in the same message are dropped, unrun
        new.append(ToolMessage(content="Preview shown; waiting for the user's confirmation.\n" + preview.text,
                               tool_call_id=call["id"]))
        msgs = _answered_only(new, ai)
        with transaction(self.engine) as s:
            row = store.put_pending(s, user_id=turn.user_id, channel=turn.channel, conversation=turn.conversation,
                                    tool=tool.name, args=args.model_dump(mode="json"),
                                    fingerprint=preview.fingerprint, preview=preview.text, now=now,
                                    ttl_minutes=self.ttl)
            self._remember(s, turn, msgs)
            action_id = row.id
        reply = self._preview_reply(preview.text, preview, action_id)
        reply.tool_calls, reply.tokens = calls, tokens
        return reply

    def _preview_reply(self, text: str, preview, action_id: str) -> Reply:
        return Reply(text + "\n\nReply yes to confirm or no to cancel.", outcome="preview",
                     table=_table(preview.table), awaiting_confirmation=True,
                     actions=[Action("confirm", "Confirm", action_id), Action("cancel", "Cancel", action_id)])

    def _remember(self, session: Session, turn: Turn, messages: list) -> None:
        store.save_messages(session, turn.channel, turn.conversation, turn.user_id, messages, self.clock.now())


def _table(t) -> Table | None:
    if t is None:
        return None
    return Table(columns=list(t.columns), rows=[[str(c) for c in r] for r in t.rows], title=t.title)


def _answered_only(new: list, ai: AIMessage) -> list:
    """The turn's messages with `ai` keeping only the tool calls that got a result: a call left
    unanswered would make every later request to an OpenAI-style API fail."""
    at = next(i for i, m in enumerate(new) if m is ai)
    answered = {m.tool_call_id for m in new[at + 1:] if isinstance(m, ToolMessage)}
    kept = ai.model_copy(update={
        "tool_calls": [c for c in ai.tool_calls if c.get("id") in answered],
        "invalid_tool_calls": [c for c in (ai.invalid_tool_calls or []) if c.get("id") in answered]})
    return new[:at] + [kept] + new[at + 1:]


def _tokens(ai: AIMessage) -> int:
    usage = getattr(ai, "usage_metadata", None) or {}
    return int(usage.get("total_tokens", 0) or 0)

