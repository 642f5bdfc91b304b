"""Dialogue state as data: a question the assistant asks is a frame naming the slot it waits
for and the request it belongs to ({"slot": "customer", "request": "2 boxes of X"}). It rides
on the question's message (additional_kwargs), so the next message can fill it: "Fresh Mart"
after "Which customer is this order for?" completes that order. A message that does not fill
the slot is a new request and the question is dropped."""

from __future__ import annotations

import re

from agent.nlu.confirm import parse_confirmation
from agent.nlu.numbers import parse_quantities, resolve_unit

from .field import reason_of
from .plan import Plan

MAX_ANSWER_WORDS = 8  # an answer to a short question is short; longer is a new request
# a message that opens as a request of its own, not as an answer
_NEW_REQUEST = re.compile(
    r"\s*(?:show|list|what|how|which|who|when|where|approve|reject|cancel|dispatch|deliver|order|send|check|"
    r"give|tell|find|search|price|stock\s+of|is\s+there|do\s+you|can\s+you)\b",
    re.I,
)


def fill(planner, frame: dict, text: str):
    """The plan for the request with the slot filled by `text`, or None (a new request)."""
    slot = frame.get("slot")
    words = re.findall(r"[\w'-]+", text)
    if not words or len(words) > MAX_ANSWER_WORDS:
        return None
    request = frame.get("request") or ""
    if parse_confirmation(text) == "no":  # "no", "leave it", "rehne do": the question is dropped
        return Plan(text="OK, left it. Nothing was changed.", outcome="answered")
    if slot == "unit":
        return _unit(planner, frame, text)
    if slot == "customer" and (chosen := _choice(frame.get("choices") or [], text)):
        return _replan(planner, f"{request} for {chosen}")
    if slot == "customer":
        if any(q.unit_word for q in parse_quantities(text, planner.lex.unit_words)):
            return None  # the order said again, with its customer: a request of its own, never added to
        found = planner.lex.find(text, ["customer"], threshold=75.0)
        named = found and found[0].score >= 80
        typed = re.fullmatch(r"\s*(?:for\s+|it'?s\s+|to\s+)?([A-Z][\w&.'-]*(?:\s+[\w&.'-]+){0,5})\s*[.!]?\s*", text)
        if not (named or (typed and not planner.keyword_in(text))):
            return None
        who = typed[1] if typed and not named else text.strip(" .!")
        return _replan(planner, f"{request} for {who}")
    if slot == "order":
        nums = planner.lex.find_order_numbers(text)
        if len(nums) != 1:
            return None
        return _replan(planner, f"{request} {nums[0]}")
    if slot == "arg":
        code = _choice(frame.get("choices") or [], text)
        if code is None:
            return None
        return Plan([(frame["tool"], {**(frame.get("args") or {}), frame["arg"]: code})])
    if slot == "method":
        return _replan(planner, f"{request} {text}")
    if slot and slot.startswith("field_"):
        return _field(planner, frame, text)
    if slot == "reason":
        # a reason names business things ("credit limit cross, pehle payment lo", "stock nahi hai"):
        # only a message that is plainly another request leaves the question
        nums = planner.lex.find_order_numbers(text)
        if (
            (nums and nums != [frame["order_no"]])
            or any(q.unit_word for q in parse_quantities(text, planner.lex.unit_words))
            or _NEW_REQUEST.match(text)
        ):
            return None
        reason = re.sub(r"^\s*(?:reason\s*(?:is)?\s*[:-]?|because|bcoz|kyunki|as)\s*", "", text.strip(), flags=re.I)
        return Plan([("reject_order", {"order_no": frame["order_no"], "reason": reason.strip(" .") or text.strip()})])
    return None


def _choice(choices: list, text: str) -> str | None:
    """The code of the one choice ((code, name) pairs) an answer names: its code, its name, a word
    only its name has ("kolkata"), or its place in the list ("the second one"); None otherwise."""
    said = (
        re.sub(
            r"(?i)\b(?:in|into|from|at|the|it'?s|its|one|please|pls|warehouse|godown|depot|batch|wala|wali|"
            r"waala|se|me|mein)\b",
            " ",
            text,
        )
        .strip(" .!?")
        .casefold()
    )
    if not said:
        return None
    for code, _ in choices:
        if said == str(code).casefold():
            return str(code)
    if (n := _ORDINAL.get(said.split()[0])) is not None and len(said.split()) == 1:
        return str(choices[n][0]) if n < len(choices) else None
    words = set(re.findall(r"\w+", said))
    fits = [
        str(code) for code, name in choices if words and words <= set(re.findall(r"\w+", f"{code} {name}".casefold()))
    ]
    return fits[0] if len(fits) == 1 else None


_ORDINAL = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "last": -1}


def _unit(planner, frame: dict, text: str):
    """ "box" after "What do you mean by 'dabba'?": the request again with that unit said."""
    units = planner.world.units.get(frame.get("sku", ""), [])
    word = frame.get("word") or ""
    answer = re.sub(r"(?i)\b(?:i mean|it'?s|its|a|an|the|in|by|mean|means|=|is)\b", " ", text).strip(" .!?")
    unit = resolve_unit(answer, units) if answer and len(answer.split()) <= 2 else None
    if unit is None:
        if re.search(r"(?i)\b(piece|pieces|pcs|pc|single|loose|units?)\b", answer) and units:
            unit = units[0]
        else:
            return None
    request = frame.get("request") or ""
    again = re.sub(rf"(?i)(?<![\w-]){re.escape(word)}(?![\w-])", unit[0], request, count=1)
    if again == request:
        return None
    plan = _replan(planner, again)
    if plan is not None:
        return plan
    return Plan(
        text=f"Sorry, I still could not read that order; please write it again with the unit, "
        f"for example '2 {unit[0]} {planner.world.sku_names.get(frame.get('sku', ''), '')}'.",
        outcome="clarify",
    )


def _replan(planner, request: str):
    plan = planner.plan_request(request)
    return None if plan.outcome == "not_understood" else plan


def _field(planner, frame: dict, text: str):
    """The answers to the field questions: the reason for no order, the outlet, a detail of a new
    outlet or an update, the reason for a rejection."""
    slot = frame["slot"]
    if slot == "field_reason":
        reasons = reason_of(text)
        return Plan([("end_visit", {"outcome": "no_order", "reason": reasons[0]})]) if len(reasons) == 1 else None
    if slot == "field_outlet":
        cust, ask, _ = planner._customer(text)
        if ask or not cust:
            return ask
        return Plan([(frame["tool"], {"customer": cust})])
    if slot == "field_more":
        return _replan(planner, f"{frame.get('request', '')} {frame.get('prefix', '')} {text.strip()}")
    if slot == "field_reject" and not planner.keyword_in(text):
        return Plan([("reject_outlet_request", {"request": frame["request"], "reason": text.strip()})])
    return None
