"""The conversation loop: the model proposes tool calls, the runtime decides.

Reads run at once; a change is previewed by the core, stored as a pending action bound to
the user and conversation, and runs only when that same user confirms (single use,
expiring, re-validated). Identity comes from the channel, never from the message.
"""

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel, Field, ValidationError, create_model
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.access import Actor, load_actor
from core.attendance import day_status
from core.clock import Clock
from core.db import transaction
from core.errors import Ambiguous, DomainError, InvalidInput, NotAllowed, NotFound
from core.parties import customer_names
from core.settings import OpenAISettings, get_settings
from core.visits import visiting
from tools.base import PERMISSION_WORDS, ToolContext
from tools.registry import ALL_TOOLS, get_tool, tools_for

from . import store
from .confirm import parse_confirmation
from .models import looks_like_json, recover_text_calls
from .reply import Action, Evidence, Reply, Table, ToolCall, ground

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger("dms.agent")
POLICY = (Path(__file__).parent / "policy.md").read_text()
MAX_STEPS = 5
MAX_MESSAGE = 4000  # characters of one message; every channel refuses longer ones with this limit

# How a model works with this runtime; with the policy, the static head of every prompt. The
# per-user, per-day line comes after the tools (see `_prompt`), so a local server's prompt cache
# keeps the instructions and the tool block for every user and every day.
RULES = """
How you work here (the system enforces it):
- Call tools only through the tool-calling interface. Never write a tool call, JSON or code in your reply.
- Pass what the user said as they said it: product names (even misspelt), units ("cartons", "peti", "boxes"), customer
  names, order numbers (SO-0905). The tools resolve them and say when something is unclear. Dates are YYYY-MM-DD.
- Tool results are the truth: copy order numbers, invoice numbers and amounts exactly from them; never state one that no
  tool gave you.
- Never say that something was placed, cancelled, approved, paid or changed: a change is previewed and confirmed by the
  system, and the system tells the user what happened.
- If no tool does what the user asks (credit limits, prices, roles…) or their role may not do it, call `refuse`.
- If only the user can say something you need (which product, how many, which customer), call `ask_user` with one
  short question and the choices.
- Never repeat a call with the same arguments: answer from the result you have.
- Reply in short plain sentences."""


class Refuse(BaseModel):
    reason: str = Field(
        description="why, in a few words: 'no tool for this' (credit limits, prices, roles…), "
        "'not allowed for the user's role' or 'unsafe request'; not shown to the user"
    )


class AskUser(BaseModel):
    question: str = Field(min_length=1, description="one short question to the user")
    choices: list[str] = Field(
        default_factory=list,
        max_length=12,
        description="the possible answers (e.g. product names from a tool result); empty when the answer is open",
    )


# The runtime's own tools: a structured way for a model to decline or to ask. The runtime answers
# them itself (outcome `refused` or `clarify`); the model's words never state a refusal.
RUNTIME_TOOLS: dict[str, tuple[type[BaseModel], str]] = {
    "refuse": (
        Refuse,
        "Decline a request that no tool can do or that the user's role may not do. The system tells "
        "the user, in its own words, and nothing is changed.",
    ),
    "ask_user": (
        AskUser,
        "Ask the user one short question when only they can say what is needed (which product, "
        "which customer, how many), with the choices when there are some. Their answer comes as "
        "the next message.",
    ),
}

# Arguments a role can never use, so its models are never offered them (the tools still check
# whatever arrives): a retailer sees only its own account and its own warehouse.
HIDDEN_ARGS: dict[str, frozenset[str]] = {
    "retailer": frozenset({"customer", "region", "beat", "sales_rep", "distributor", "warehouse"}),
    "distributor": frozenset({"distributor"}),
}

# What a role can ask about, in words, for the runtime's own refusals.
_CAN = (
    ("orders.view", "orders"),
    ("orders.approve", "approvals"),
    ("orders.dispatch", "dispatch"),
    ("catalogue", "products"),
    ("prices", "prices"),
    ("prices", "offers"),
    ("stock.view", "stock"),
    ("stock.adjust", "stock corrections"),
    ("payments.view", "invoices"),
    ("payments.view", "payments"),
)

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
    location: tuple[str, str] | None = None  # (latitude, longitude) the channel shared lately, if any


class Assistant:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        model: str = "offline",
        knowledge=None,
        preview_ttl_minutes: int | None = None,
        backend: OpenAISettings | None = None,
    ):
        self.engine = engine
        self.clock = clock
        self.model_spec = model
        self.backend = backend  # an OpenAI-compatible backend's settings (agent.models.make_model)
        self.knowledge = knowledge  # agent.knowledge.KnowledgeBase or None
        self.ttl = preview_ttl_minutes or get_settings().preview_ttl_minutes
        self._model: BaseChatModel | None = None

    # --- model ---------------------------------------------------------------------------
    def model(self):
        if self._model is None and not isinstance(self.model_spec, str):
            self._model = self.model_spec  # an already built chat model (e.g. a recording wrapper)
        if self._model is None:
            from .models import make_model
            from .world import WorldView

            self._model = make_model(
                self.model_spec,
                world=WorldView(self.engine, knowledge=self.knowledge),
                clock=self.clock,
                backend=self.backend,
            )
        return self._model

    def warm(self) -> None:
        """Build now what the first turn would otherwise build: the world's names and their index,
        and the planner's example embeddings. A server calls it before it accepts anyone."""
        world = getattr(self.model(), "world", None)
        if world is not None and hasattr(world, "get"):
            world.get().lexicon  # noqa: B018  (built on first use)
        if self.model_spec == "offline":
            from .planner.intent_scores import warm

            warm()

    def _knowledge(self, query: str) -> str | None:
        return self.knowledge.answer(query) if self.knowledge else None

    # --- entry points --------------------------------------------------------------------
    def handle(self, turn: Turn, text: str) -> Reply:
        """One message from a user; never raises, never returns a stack trace."""
        try:
            return self._handle(turn, text)
        except Exception:  # the user gets a plain reply; the log gets the trace
            log.exception("turn failed", extra={"user": turn.user_id, "channel": turn.channel})
            return Reply(
                "Sorry, something went wrong on my side and nothing was changed. Please try again.", outcome="error"
            )

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

    def share_location(self, turn: Turn, latitude: str, longitude: str) -> Reply:
        """A location the channel shares (Telegram's location message) goes with the check-in, visit or
        check-out waiting for confirmation: previewed again with it. Otherwise it is only noted (the
        channel passes it with the user's next messages, see Turn.location)."""
        try:
            with Session(self.engine) as s:
                actor = load_actor(s, turn.user_id, turn.channel)
                pending = store.current_pending(s, turn.user_id, turn.channel, turn.conversation, self.clock.now())
            tool = get_tool(pending.tool) if pending is not None else None
            if pending is None or tool is None or "latitude" not in tool.args_model.model_fields:
                return Reply(
                    "Got your location: it goes with your next check-in, visit or check-out.", outcome="answered"
                )
            args = tool.parse({**json.loads(pending.args), "latitude": latitude, "longitude": longitude})
            with Session(self.engine) as s:
                try:
                    preview = tool.preview(ToolContext(s, actor, self.clock, self._knowledge), args)
                except DomainError as e:
                    return Reply(e.message, outcome="refused" if isinstance(e, REFUSALS) else "answered")
                finally:
                    s.rollback()
            with transaction(self.engine) as s:
                row = self._hold(s, turn, tool, args, preview, self.clock.now())
                self._remember(s, turn, [said(preview.text)])
                return self._preview_reply(preview.text, preview, row.id)
        except NotFound:
            return Reply("I don't know you yet, so I can't do anything for you.", outcome="refused")
        except Exception:
            log.exception("location failed")
            return Reply("Sorry, something went wrong and nothing was changed.", outcome="error")

    def cancel(self, turn: Turn, action_id: str | None = None) -> Reply:
        with transaction(self.engine) as s:
            pending = store.current_pending(s, turn.user_id, turn.channel, turn.conversation, self.clock.now())
            if pending is None or (action_id and pending.id != action_id):
                return Reply("There is nothing waiting for your confirmation.", outcome="answered")
            store.claim(s, pending.id, turn.user_id, to="dropped")
            self._remember(s, turn, [said("Dropped: nothing was changed.")])
        return Reply("OK, dropped. Nothing was changed.", outcome="dropped")

    # --- internals -----------------------------------------------------------------------
    def _handle(self, turn: Turn, text: str) -> Reply:
        with Session(self.engine) as s:
            try:
                actor = load_actor(s, turn.user_id, turn.channel)
            except NotFound:
                return Reply(
                    "I don't know you yet, so I can't help with that. Please ask your manager to link your account.",
                    outcome="refused",
                )
        text = (text or "").strip()
        if not text:
            return Reply("Please type a message.", outcome="not_understood")
        if len(text) > MAX_MESSAGE:
            return Reply(
                f"That message is too long ({len(text)} characters; the limit is {MAX_MESSAGE}).", outcome="refused"
            )
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
                return Reply(
                    "There is nothing waiting for your confirmation (it may have expired or been done already).",
                    outcome="answered",
                )
            if not store.claim(s, pending.id, turn.user_id):
                return Reply("That was already done.", outcome="answered")
            tool = get_tool(pending.tool)
            args = tool.args_model.model_validate(json.loads(pending.args))
            ctx = ToolContext(s, actor, self.clock, self._knowledge)
            if tool.permission and not actor.can(tool.permission):
                # the role changed since the preview (e.g. a demotion): a refusal, never a failure
                msg = (
                    f"You may no longer {PERMISSION_WORDS.get(tool.permission, 'do that')} (your role is now "
                    f"{actor.role.replace('_', ' ')}), so I did not do it. Nothing was changed."
                )
                store._set_status(s, pending.id, "done", "failed")
                self._remember(s, turn, [said(msg)])
                return Reply(
                    msg,
                    outcome="refused",
                    tool_calls=[ToolCall(tool.name, args.model_dump(mode="json"), False, "not allowed")],
                )
            try:
                with s.begin_nested():
                    result = tool.execute(ctx, args, pending.fingerprint)
            except DomainError as e:
                fresh = getattr(e, "preview", None)
                if fresh is not None:
                    # prices, stock or credit moved: show the new preview instead of running something else
                    new = tool.preview(ctx, args)
                    row = self._hold(s, turn, tool, args, new, now)
                    return self._preview_reply(e.message + "\n\n" + new.text, new, row.id)
                store._set_status(s, pending.id, "done", "failed")
                self._remember(s, turn, [said(e.message)])
                return Reply(
                    e.message,
                    outcome="refused" if isinstance(e, REFUSALS) else "answered",
                    tool_calls=[ToolCall(tool.name, args.model_dump(mode="json"), False, e.message)],
                )
            self._remember(s, turn, [said(result.text)])
            return Reply(
                result.text,
                outcome="done",
                table=_table(result.table),
                tool_calls=[ToolCall(tool.name, args.model_dump(mode="json"))],
            )

    def _prompt(self, s: Session, actor: Actor, turn: Turn) -> list[SystemMessage]:
        """The static part first (policy, rules; the server renders the tools right after it), then
        the user and the day, so every user and every day share the cached head of the prompt. A
        sales rep's day and visit are said too: an order or payment they give without a customer is
        for the outlet they are visiting. So is a preview waiting for the user's yes: more lines
        said now belong to it, not to an order of their own."""
        field = ""
        if actor.role == "sales_rep":
            field = f" Their working day is {'started' if day_status(s, actor).open else 'not started'}."
            if (code := visiting(s, actor)) is not None:
                field += f" They are visiting {customer_names(s, [code]).get(code, code)} ({code}) now."
        if (
            waiting := store.current_pending(s, turn.user_id, turn.channel, turn.conversation, self.clock.now())
        ) is not None:
            field += f" A preview of {waiting.tool} is waiting for their yes or no."
        return [
            SystemMessage(content=POLICY + RULES),
            SystemMessage(
                content=f"The user is {actor.name} ({actor.role.replace('_', ' ')}). "
                f"Today is {self.clock.today().isoformat()}.{field}"
            ),
        ]

    def _converse(self, turn: Turn, actor: Actor, text: str) -> Reply:
        allowed = tools_for(actor)
        names = {t.name for t in allowed}
        model = self.model()
        # The offline planner composes its answers from the tools' own texts: it needs no hints on how
        # to fix a call, and its words are the tools' (checked all the same, see _answer).
        offline = _is_offline(model)
        scoped = getattr(model, "for_actor", None)  # the offline planner knows only names in scope
        if callable(scoped):
            model = scoped(actor)
        model = model.bind_tools(bound_tools(allowed, actor))
        with Session(self.engine) as s:
            history = store.load_messages(s, turn.channel, turn.conversation, turn.user_id)
            prompt = self._prompt(s, actor, turn)
        t = _TurnState(turn, actor, names, history, [HumanMessage(content=text)], offline)
        retry: list = []  # a correction for the next request only, never kept in the conversation
        for _ in range(MAX_STEPS):
            try:
                ai = model.invoke([*prompt, *history, *t.new, *retry])
            except Exception as e:  # noqa: BLE001 - model down, timeout (the SDK has retried), bad response
                log.warning("model failed: %s", e)
                return Reply(
                    "The assistant's model is not answering right now, so nothing was changed. "
                    "Please try again in a moment.",
                    outcome="error",
                    tool_calls=t.calls,
                    tokens=t.tokens,
                )
            t.tokens += _tokens(ai)
            retry = []
            ai = recover_text_calls(ai) or ai  # calls written as text become calls, validated like any other
            if not ai.tool_calls and not ai.invalid_tool_calls:
                if looks_like_json(str(ai.text)) and not offline:
                    # JSON that is no call: never shown to a person; the model is asked once more
                    t.json_answers += 1
                    if t.json_answers == 1:
                        retry = [ai, SystemMessage(content=JSON_AGAIN)]
                        continue
                    ai = ai.model_copy(update={"content": ""})
                t.new.append(ai)
                return self._answer(t, ai)
            t.new.append(ai)
            # malformed calls (bad JSON) become error results the model can correct, never a silent stop
            for bad in ai.invalid_tool_calls or []:
                t.calls.append(ToolCall(bad.get("name") or "?", {}, False, "malformed arguments"))
                t.new.append(
                    ToolMessage(
                        content=f"Malformed tool call: {bad.get('error') or 'the arguments are not valid JSON'}. Call "
                        f"{bad.get('name') or 'the tool'} again through the tool-calling interface, with its "
                        "arguments as one JSON object of the parameters it lists.",
                        tool_call_id=bad.get("id") or "invalid",
                        status="error",
                    )
                )
            fresh = False
            for call in ai.tool_calls:
                name = canonical_name(call["name"])
                if name in RUNTIME_TOOLS:
                    return self._runtime_tool(t, ai, call, name)
                key = name + json.dumps(call.get("args", {}), sort_keys=True)
                if key in t.seen:  # identical calls in one turn run once
                    t.new.append(ToolMessage(content="(same call as above)", tool_call_id=call["id"]))
                    continue
                t.seen.add(key)
                fresh = True
                if name not in ALL_TOOLS:
                    # a capability that does not exist: a refusal in the runtime's words, the turn ends here
                    t.calls.append(ToolCall(call["name"], call.get("args", {}), False, "unknown tool"))
                    t.new.append(
                        ToolMessage(
                            content=f"There is no tool named {call['name']!r}.", tool_call_id=call["id"], status="error"
                        )
                    )
                    return self._end(t, ai, self._cannot(t), "refused")
                if name not in names:
                    # the model was never shown this tool: the gate refuses, in the runtime's words, and the
                    # turn ends here so no model text can claim otherwise
                    tool = get_tool(name)
                    msg = (
                        f"A {actor.role.replace('_', ' ')} may not "
                        f"{PERMISSION_WORDS.get(tool.permission, 'use ' + name)}. Nothing was changed."
                    )
                    t.calls.append(ToolCall(name, call.get("args", {}), False, "not allowed"))
                    t.new.append(ToolMessage(content=msg, tool_call_id=call["id"], status="error"))
                    return self._end(t, ai, msg, "refused")
                tool = get_tool(name)
                try:
                    args = tool.args_model.model_validate(call.get("args") or {})
                except ValidationError as e:
                    msg = invalid_arguments(tool, e)
                    t.calls.append(ToolCall(name, call.get("args", {}), False, msg))
                    t.new.append(ToolMessage(content=msg, tool_call_id=call["id"], status="error"))
                    t.results.append((msg, False))
                    continue
                if tool.mutating:
                    reply = self._propose(t, tool, args, ai, call)
                    if reply is None:  # an argument to fix: the model has the error and a hint
                        continue
                    return reply
                refused = self._read(t, tool, args, call)
                if refused and not offline:
                    # the core refused: its words end the turn, whatever the model would add
                    return self._end(t, ai, t.compose(), "refused")
            if not fresh and not ai.invalid_tool_calls:
                # the model asked again for what it already has: answer from the results in hand
                return self._end(t, ai, t.compose(), t.outcome)
        if t.results:
            return self._end(t, None, t.compose(), t.outcome)
        return Reply(
            "I could not finish that; nothing was changed. Could you rephrase?",
            outcome="not_understood",
            tool_calls=t.calls,
            tokens=t.tokens,
        )

    def _read(self, t: "_TurnState", tool, args, call) -> bool:
        """Run a read with the caller's identity; True when the core refused it."""
        with Session(self.engine) as s:
            try:
                result = tool.run(ToolContext(s, t.actor, self.clock, self._knowledge), args)
                t.calls.append(ToolCall(tool.name, args.model_dump(mode="json")))
                t.new.append(ToolMessage(content=result.text, tool_call_id=call["id"], artifact=result.data))
                t.results.append((result.text, True))
                if result.table:
                    t.tables.append(_table(result.table))
                t.attachments.extend(result.attachments)
                if result.outcome == "refused":
                    t.outcome = "refused"
                    return True
                return False
            except DomainError as e:
                t.calls.append(ToolCall(tool.name, args.model_dump(mode="json"), False, e.message))
                t.new.append(
                    ToolMessage(
                        content="Error: " + e.message + ("" if t.offline else fix_hint(tool, e)),
                        tool_call_id=call["id"],
                        status="error",
                        artifact={"frame": _asked(tool, args, e)},
                    )
                )
                t.results.append((e.message, False))
                if isinstance(e, REFUSALS):
                    t.outcome = "refused"
                    t.refusals.append(e.message)
                    return True
                return False
            finally:
                s.rollback()  # reads never write

    def _propose(self, t: "_TurnState", tool, args, ai, call) -> Reply | None:
        """Preview a change through the core (no writes) and hold it for confirmation. None when the
        core found an argument to fix and the model may try again (LLM backends)."""
        now = self.clock.now()
        turn = t.turn
        args = _located(tool, args, turn.location)
        with Session(self.engine) as s:
            try:
                preview = tool.preview(ToolContext(s, t.actor, self.clock, self._knowledge), args)
                error = None
            except DomainError as e:
                preview, error = None, e
            finally:
                s.rollback()
        if error is not None:
            t.calls.append(ToolCall(tool.name, args.model_dump(mode="json"), False, error.message))
            refused = isinstance(error, REFUSALS)
            if not t.offline and isinstance(error, InvalidInput) and not refused:
                t.new.append(
                    ToolMessage(
                        content="Error: " + error.message + fix_hint(tool, error),
                        tool_call_id=call["id"],
                        status="error",
                    )
                )
                t.results.append((error.message, False))
                return None
            t.new.append(ToolMessage(content=f"Error: {error.message}", tool_call_id=call["id"], status="error"))
            asked = _asked(tool, args, error)
            with transaction(self.engine) as s:
                self._remember(s, turn, _answered_only(t.new, ai) + [said(error.message, asked)])
            return Reply(
                error.message,
                outcome="refused" if refused else "clarify" if asked else "answered",
                tool_calls=t.calls,
                tokens=t.tokens,
            )
        t.calls.append(ToolCall(tool.name, args.model_dump(mode="json")))
        # one pause per turn: calls after this one in the same message are dropped, unrun
        t.new.append(
            ToolMessage(
                content="Preview shown; waiting for the user's confirmation.\n" + preview.text, tool_call_id=call["id"]
            )
        )
        msgs = _answered_only(t.new, ai)
        with transaction(self.engine) as s:
            row = self._hold(s, turn, tool, args, preview, now)
            self._remember(s, turn, msgs)
            action_id = row.id
        # the offline planner's note says what it read into the request ("SO-0905 can't be changed
        # once placed; this would be a new order:"); a model's own words never stand before a preview
        note = str(ai.content).strip() if t.offline and isinstance(ai.content, str) else ""
        reply = self._preview_reply((note + "\n" if note else "") + preview.text, preview, action_id)
        reply.tool_calls, reply.tokens, reply.attachments = t.calls, t.tokens, list(t.attachments)
        return reply

    def _runtime_tool(self, t: "_TurnState", ai: AIMessage, call: Mapping[str, Any], name: str) -> Reply:
        """`refuse` or `ask_user`: the turn ends with the runtime's refusal or the model's question."""
        model, _ = RUNTIME_TOOLS[name]
        try:
            args = model.model_validate(call.get("args") or {})
        except ValidationError:
            args = None
        t.calls.append(ToolCall(name, call.get("args") or {}))
        if name == "refuse" or args is None and not (call.get("args") or {}).get("question"):
            t.new.append(ToolMessage(content="Refused; the system told the user.", tool_call_id=call["id"]))
            return self._end(t, ai, self._cannot(t), "refused")
        question = args.question if isinstance(args, AskUser) else str(call["args"]["question"])
        evidence = t.evidence()
        asked = ground(question, evidence).text or "Could you say a little more about what you need?"
        choices = [str(c).strip() for c in (args.choices if isinstance(args, AskUser) else []) if str(c).strip()]
        choices = [c for c in choices if not evidence.unsupported(c + "?")]
        text = asked + ("".join(f"\n- {c}" for c in choices) if choices else "")
        t.new.append(ToolMessage(content="Asked; the user's answer is their next message.", tool_call_id=call["id"]))
        return self._end(t, ai, text, "clarify", by_runtime=False)

    def _cannot(self, t: "_TurnState") -> str:
        can = [words for permission, words in _CAN if t.actor.can(permission)]
        offer = (
            " I can help with " + (", ".join(can[:-1]) + " and " + can[-1] if len(can) > 1 else can[0]) + "."
            if can
            else ""
        )
        return "I can't do that here, so nothing was changed." + offer

    def _end(self, t: "_TurnState", ai: AIMessage | None, text: str, outcome: str, by_runtime: bool = True) -> Reply:
        """End the turn with `text` (the runtime's, or a checked question), keeping the history valid."""
        msgs = _answered_only(t.new, ai) if ai is not None else list(t.new)
        final = said(text) if by_runtime else AIMessage(content=text)
        with transaction(self.engine) as s:
            self._remember(s, t.turn, msgs + [final])
        return Reply(
            text,
            outcome=outcome,
            tool_calls=t.calls,
            tokens=t.tokens,
            table=t.tables[-1] if t.tables and outcome != "clarify" else None,
            attachments=list(t.attachments),
        )

    def _answer(self, t: "_TurnState", ai: AIMessage) -> Reply:
        """The model's final words, shown only as far as the records bear them out."""
        meta = ai.response_metadata or {}
        outcome = meta.get("outcome", t.outcome)
        answer = str(ai.text).strip()  # content may come as a list of parts
        if not t.offline:  # chat-template markup a small model echoes (Qwen's <tool_response>) is no text
            answer = TEMPLATE_TAGS.sub("", answer).strip()
        succeeded = any(ok for _, ok in t.results)
        if not t.offline and answer and not succeeded and REFUSAL_WORDS.search(answer):
            # a refusal in the model's words: the runtime says it, in its own
            answer, outcome = self._cannot(t), "refused"
        elif not t.offline and t.refusals and not all(r in answer for r in t.refusals):
            answer, outcome = t.compose(), "refused"
        else:
            checked = ground(answer, t.evidence())
            if checked.dropped:
                log.info("ungrounded model text dropped: %s", checked.dropped)
                if checked.text:
                    answer = checked.text + "\n\n(" + UNCHECKED + ")"
                elif t.results:
                    answer = t.compose() + "\n\n(That is what the records show. " + UNCHECKED + ")"
                else:
                    answer = "I can't confirm that from the records, so I won't say it. Nothing was changed."
                    outcome = "not_understood" if outcome == "answered" else outcome
        if not answer:  # an empty answer must not read as success
            answer = "I have no answer to that; nothing was changed. Could you rephrase?"
            outcome = "not_understood" if outcome == "answered" else outcome
        if not t.offline and outcome == "answered" and is_question(answer):
            outcome = "clarify"
        if outcome == "not_understood" and self.awaiting_confirmation(t.turn):
            # a change to a waiting preview that was not understood: "yes" next must not surprise
            answer += "\n\nYour earlier preview is still waiting as it was shown: reply yes to confirm it, no to drop it, or say the change again."
        if answer != str(ai.text).strip():
            t.new[-1] = ai.model_copy(update={"content": answer})  # what the user saw is what is remembered
        with transaction(self.engine) as s:
            self._remember(s, t.turn, t.new)
        return Reply(
            answer,
            outcome=outcome,
            tool_calls=t.calls,
            tokens=t.tokens,
            table=t.tables[-1] if t.tables else None,
            attachments=list(t.attachments),
        )

    def _hold(self, s: Session, turn: Turn, tool, args, preview, now) -> store.PendingAction:
        """Keep a change's preview as this conversation's one action waiting for confirmation."""
        return store.put_pending(
            s,
            user_id=turn.user_id,
            channel=turn.channel,
            conversation=turn.conversation,
            tool=tool.name,
            args=args.model_dump(mode="json"),
            fingerprint=preview.fingerprint,
            preview=preview.text,
            now=now,
            ttl_minutes=self.ttl,
        )

    def _preview_reply(self, text: str, preview, action_id: str) -> Reply:
        return Reply(
            text + "\n\nReply yes to confirm or no to cancel.",
            outcome="preview",
            table=_table(preview.table),
            awaiting_confirmation=True,
            actions=[Action("confirm", "Confirm", action_id), Action("cancel", "Cancel", action_id)],
        )

    def _remember(self, session: Session, turn: Turn, messages: list) -> None:
        store.save_messages(session, turn.channel, turn.conversation, turn.user_id, messages, self.clock.now())


def _located(tool, args, location: tuple[str, str] | None):
    """A change that records where it happens (check-in, visit, check-out) takes the location the
    channel shared, when the words gave none."""
    fields = tool.args_model.model_fields
    if location is None or "latitude" not in fields or getattr(args, "latitude", None) is not None:
        return args
    return args.model_copy(update={"latitude": location[0], "longitude": location[1]})


def _table(t) -> Table | None:
    if t is None:
        return None
    return Table(columns=list(t.columns), rows=[[str(c) for c in r] for r in t.rows], title=t.title)


def _answered_only(new: list, ai: AIMessage) -> list:
    """The turn's messages with `ai` keeping only the tool calls that got a result: a call left
    unanswered would make every later request to an OpenAI-style API fail."""
    at = next(i for i, m in enumerate(new) if m is ai)
    answered = {m.tool_call_id for m in new[at + 1 :] if isinstance(m, ToolMessage)}
    kept = ai.model_copy(
        update={
            "tool_calls": [c for c in ai.tool_calls if c.get("id") in answered],
            "invalid_tool_calls": [c for c in (ai.invalid_tool_calls or []) if c.get("id") in answered],
        }
    )
    return new[:at] + [kept] + new[at + 1 :]


def _tokens(ai: AIMessage) -> int:
    usage = getattr(ai, "usage_metadata", None) or {}
    return int(usage.get("total_tokens", 0) or 0)


# --- what the runtime says itself, and how it reads a model ---------------------------------------

TEMPLATE_TAGS = re.compile(r"</?tool_response>|</?tool_call>|<\|im_(?:start|end)\|>|<\|endoftext\|>")
UNCHECKED = "I left out what I could not check against the records."
JSON_AGAIN = (
    "Your last reply was JSON or code, which the user would see as it is. To call a tool, use the "
    "tool-calling interface; to answer, write plain sentences."
)
REFUSAL_WORDS = re.compile(
    r"^\W*(?:(?:i'?m |i am )?(?:sorry|unfortunately|apologies)[,.!]?\s*(?:but\s*)?)?(?:i|we)\s*(?:can ?not|can't|"
    r"cannot|am unable|'m unable|am not able|'m not able|am not allowed|'m not allowed|(?:do not|don't) have (?:the )?"
    r"(?:ability|access|permission)|won't be able|will not be able)\b|\bnot something I can (?:do|help with)\b",
    re.I,
)
_QUESTION_CUE = re.compile(
    r"\b(?:which|how many|how much|what (?:quantity|product|customer|unit|size|date|period|amount|order|reason|"
    r"method)|do you mean|did you mean|(?:please|could you|can you)(?: please)? (?:specify|confirm|tell|give|choose|"
    r"pick|clarify|say))\b",
    re.I,
)


def said(text: str, frame: dict | None = None) -> AIMessage:
    """A message the runtime wrote from the records (a tool's result, a refusal): it counts as
    evidence for later turns, unlike a model's words. `frame`: the question it asks, as data."""
    return AIMessage(
        content=text, response_metadata={"author": "runtime"}, additional_kwargs={"frame": frame} if frame else {}
    )


def _asked(tool, args, error: DomainError) -> dict | None:
    """ "Which warehouse? It could be WH-KOL, WH-SLG": the question a tool asked, as a frame whose
    answer ("kolkata") fills that argument of the same call (agent.planner.frames)."""
    if not getattr(error, "candidates", None):
        return None
    given = args.model_dump(mode="json")
    field = getattr(error, "field", None) or next(  # "'traders' could be ...": the argument that said it
        (k for k, v in given.items() if isinstance(v, str) and v.strip() and f"'{v.strip()}'" in error.message), None
    )
    if not field:
        return None
    return {
        "slot": "arg",
        "tool": tool.name,
        "args": given,
        "arg": field,
        "choices": [list(c) for c in getattr(error, "candidates", [])],
    }


def is_question(text: str) -> bool:
    """A short reply that asks the user to choose or to say something the assistant needs."""
    last = text.strip().splitlines()[-1].strip() if text.strip() else ""
    return len(text) <= 400 and last.endswith("?") and bool(_QUESTION_CUE.search(last))


def canonical_name(name: str) -> str:
    """The tool a model meant when it spelt a name loosely: "functions.get_order", "Get-Order"."""
    n = (name or "").strip()
    if n in ALL_TOOLS or n in RUNTIME_TOOLS:
        return n
    folded = re.sub(r"[\s\-.]+", "_", n.lower().removeprefix("functions.").removeprefix("tools.")).strip("_")
    return folded if folded in ALL_TOOLS or folded in RUNTIME_TOOLS else n


def _is_offline(model) -> bool:
    """The offline planner (or a wrapper of it, or a replay of its recording)."""
    for _ in range(4):
        if getattr(model, "_llm_type", "") == "dms-offline-planner":
            return True
        if getattr(model, "inner", None) is None:
            break
        model = model.inner
    try:
        return getattr(model, "recorded_model", None) == "offline"
    except Exception:  # noqa: BLE001 - a wrapper whose attribute lookup fails is not a recording of the offline model
        return False


def _unbound(name: str):
    def refuse(**_):
        raise RuntimeError(f"{name} is run by the assistant runtime, not by LangChain.")

    return refuse


@lru_cache(maxsize=512)
def _schema(model: type[BaseModel], hidden: frozenset[str]) -> type[BaseModel]:
    """`model` without the arguments in `hidden` (same field definitions, constraints and docs)."""
    if not hidden & set(model.model_fields):
        return model
    fields: dict[str, Any] = {n: (f.annotation, f) for n, f in model.model_fields.items() if n not in hidden}
    return create_model(model.__name__, __doc__=model.__doc__, **fields)


def bound_tools(allowed: list, actor: Actor) -> list:
    """What a model is offered: the role's tools, each with only the arguments the role can use,
    and the runtime's `refuse` and `ask_user`."""
    from langchain_core.tools import StructuredTool

    hidden = HIDDEN_ARGS.get(actor.role, frozenset())
    out = [
        StructuredTool.from_function(
            func=_unbound(t.name), name=t.name, description=t.description, args_schema=_schema(t.args_model, hidden)
        )
        for t in allowed
    ]
    out += [
        StructuredTool.from_function(func=_unbound(n), name=n, description=d, args_schema=m)
        for n, (m, d) in RUNTIME_TOOLS.items()
    ]
    return out


def _field_doc(model: type[BaseModel], loc: tuple) -> str | None:
    """The description of the argument at `loc` ("items", 0, "unit"), from the tool's schema."""
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        f = model.model_fields.get(str(part))
        if f is None:
            return None
        inner = _model_in(f.annotation)
        if part == loc[-1] or inner is None:
            return f.description
        model = inner
    return None


def _model_in(annotation) -> type[BaseModel] | None:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for a in get_args(annotation):
        found = _model_in(a)
        if found is not None:
            return found
    return None


def invalid_arguments(tool, error: ValidationError) -> str:
    """A validation error as the model can act on it: which argument, what came, what is accepted."""
    lines = [f"Invalid arguments for {tool.name}; it was not run."]
    for x in error.errors():
        loc = tuple(x["loc"])
        where = ".".join(map(str, loc)) or "arguments"
        got = "missing" if x["type"] == "missing" else f"got {json.dumps(x.get('input'), default=str)[:80]}"
        doc = _field_doc(tool.args_model, loc) if loc else None
        lines.append(f"- {where}: {x['msg']} ({got})." + (f" {where} is {doc}." if doc else ""))
    lines.append(
        f"Call {tool.name} again with these arguments corrected (pass the user's own words for products, "
        "units and customers), or call ask_user if only the user can say."
    )
    return "\n".join(lines)


def fix_hint(tool, error: DomainError) -> str:
    """What the model can do about a tool's error (LLM backends)."""
    if isinstance(error, Ambiguous):
        choices = "; ".join(f"{name} ({code})" for code, name in error.candidates[:8])
        return (
            f"\nUnless the user's words already say which (then call {tool.name} again with that code), call "
            f"ask_user with these choices: {choices}."
        )
    if isinstance(error, InvalidInput):
        return (
            f"\nCorrect the argument this names and call {tool.name} again (the accepted values are listed "
            "above when there are some), or call ask_user if only the user can say."
        )
    return ""


@dataclass
class _TurnState:
    """One turn of a conversation as it goes: what ran, what came back, what the records said."""

    turn: Turn
    actor: Actor
    names: set
    history: list
    new: list
    offline: bool
    calls: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    attachments: list = field(default_factory=list)  # files of this turn's tool results, in order
    results: list = field(default_factory=list)  # (text, ok) of every tool this turn, in order
    refusals: list = field(default_factory=list)
    seen: set = field(default_factory=set)
    outcome: str = "answered"
    tokens: int = 0
    json_answers: int = 0

    def compose(self) -> str:
        """The tools' own texts of this turn, each once: the answer when the model's may not stand."""
        out: list[str] = []
        for text, _ in self.results:
            first = text.strip().splitlines()[0] if text.strip() else ""
            if text.strip() and text.strip() not in out and not first.startswith("Invalid arguments for"):
                out.append(text.strip())
        return "\n\n".join(out) or "I could not finish that; nothing was changed. Could you rephrase?"

    def evidence(self) -> Evidence:
        texts, asked = [], []
        for m in [*self.history, *self.new]:
            if isinstance(m, ToolMessage):
                texts.append(str(m.content))
            elif isinstance(m, AIMessage) and (m.response_metadata or {}).get("author") == "runtime":
                texts.append(str(m.content))
            elif isinstance(m, HumanMessage):
                asked.append(str(m.content))
        return Evidence.of(texts, asked)
