"""Field work in people's words: a rep's day ("start my day", "din khatam"), the plan ("aaj ka
beat"), visits ("I'm at Sharma Stores", "no order, shop was closed"), suggested orders, outlet
proposals ("their new number is …", "add a new shop …"), and a manager's view of the team
(compliance, missed beats, attendance, targets, unvisited outlets, outlet requests).

Each reading needs words that say it; a field word the rules cannot place is a question, never a
default (a "no order" without a reason is asked about, a new shop without a name or area too)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from agent.nlu.periods import period_args

from .context import Context
from .plan import Plan

_DAY = r"(?:my\s+|the\s+)?(?:day|work(?:ing)?(?:\s+day)?|shift|duty|field\s*work)"
_START_DAY = re.compile(
    rf"\b(?:start(?:ing|ed)?|begin(?:ning)?|began|commenc\w*)\s+{_DAY}\b"
    r"|\b(?:check(?:ing|ed)?|punch(?:ing|ed)?|clock(?:ing|ed)?|sign(?:ing|ed)?|log(?:ging|ged)?)[- ]?in\b"
    r"(?!\s+(?:at|to|into|the stock|stock|inventory)\b)"
    r"|\bmark\w*\s+(?:my\s+)?attendance\b|\battendance\s+(?:laga\w*|mark\w*|de\s*do)\b"
    r"|\b(?:din|kaam|duty|day)\s+(?:shuru|start|chalu|on)\b|\bon\s+duty\b"
    r"|^\s*(?:i\s+am\s+|i'?m\s+|mark\s+(?:me\s+)?)?present\b(?:\s+(?:sir|madam|maam|today|ji))?\s*[.!]*\s*$",
    re.I,
)
_END_DAY = re.compile(
    rf"\b(?:end(?:ing|ed)?|finish(?:ing|ed)?|clos(?:e|ing|ed)|wrap(?:ping|ped)?(?:\s+up)?|stop(?:ping)?)"
    rf"\s+{_DAY}\b"
    r"|\b(?:check(?:ing|ed)?|punch(?:ing|ed)?|clock(?:ing|ed)?|sign(?:ing|ed)?|log(?:ging|ged)?)[- ]?out\b"
    r"(?!\s+(?:of|from)\b)|\bdone for (?:the |to)?day\b|\bcalling it a day\b"
    r"|\bwrap(?:ping)?\s+up\s+(?:for\s+)?(?:the\s+|to)?day\b|^\s*(?:signing|logging)\s+off\b"
    r"|\b(?:din|kaam|duty|day)\s+(?:khatam|khtm|band|over|off|samapt)\b|\boff\s+duty\b",
    re.I,
)
_PLAN = re.compile(
    r"\b(?:beat|route|pjp|journey plan|visit plan|plan)\b[^.?!]{0,25}\b(?:today|aaj|todays?|for today)\b"
    r"|\b(?:today'?s|todays|aaj ka|aaj ki|aaj ke|my)\s+(?:beat|route|pjp|plan|visits?|outlets?|shops?|"
    r"stores?|calls|parties)(?:\s+list)?\b"
    r"|\b(?:which|what|kaun\w*|kis|konsi)\s+(?:all\s+)?(?:shops?|outlets?|stores?|dukaan\w*|retailers?|parties)\b"
    r"[^.?!]{0,25}\b(?:visit|cover|go|jana|jaana)\b"
    r"|\b(?:where|kaha|kahan|kidhar)\b[^.?!]{0,20}\b(?:should|do|shall|have to|jana|jaana|go)\b[^.?!]{0,15}"
    r"\b(?:go|visit|today|aaj|hai)\b|\b(?:beat|route)\s+(?:kya|batao|dikhao)\b",
    re.I,
)
_AT = re.compile(
    r"\b(?:i'?m|i\s+am|im|we'?re|we\s+are)\s+(?:now\s+|just\s+|currently\s+)?(?:at|in)\s+(?P<a>.+)"
    r"|\b(?:reached|arrived(?:\s+at)?|just\s+reached|visiting|check(?:ing|ed)?[- ]?in\s+(?:at|to)|"
    r"start(?:ing|ed)?\s+(?:a\s+|the\s+)?visit\s+(?:at|to|for)|now\s+at|entered)\s+(?P<b>.+)"
    r"|^(?P<c>.+?)\s+(?:pe|par|pr|me|mein)\s+(?:hoon|hu|hun|pahunch\w*|aa\s+gaya|aa\s+gayi|aaya|aayi)\b"
    r"|^\s*(?:at|in|@)\s+(?P<d>.+?)(?:\s+(?:now|right now|abhi))?\s*[.!]*$",
    re.I,
)
_VISIT_SIGNAL = re.compile(
    r"\b(?:visit(?:ing|ed)?|reach(?:ed|ing)?|arriv(?:ed|ing)|check(?:ed|ing)?[- ]?in(?:\s+(?:at|to))?|entered|"
    r"pahunch\w*|aa\s+gay[aie]|aaya|aayi|(?:i'?m|i\s+am|im|am|we'?re|we\s+are)\s+(?:now\s+)?(?:at|in)|"
    r"here\s+at|now\s+at|started|start)\b",
    re.I,
)
# words that make a message about an outlet something other than being there
_NOT_A_VISIT = re.compile(
    r"\b(?:orders?|balance|owes?|outstanding|dues?|prices?|rates?|stock|offers?|schemes?|invoices?|bills?|sales|report|"
    r"pending|payments?|collected|paid|deliver\w*|dispatch\w*|approve|reject|how|what|which|when|who|why|where|plan|"
    r"beat|target|compliance|missed|tomorrow|next|later|schedule\w*|last|yesterday|number|phone|contact|class|"
    r"location|add|register|onboard|suggest\w*|day|work|duty|shift)\b",
    re.I,
)
_NO_ORDER = re.compile(
    r"\bno\s+(?:order|sale|business|orders)\b|\b(?:didn'?t|did not|won'?t|will not|not going to)\s+"
    r"(?:order|buy|take|place)\b|\bnot\s+ordering\b|\bnothing\s+(?:ordered|to order|today|booked)\b"
    r"|\border\s+(?:nahi|nhi|nahin|na)\b|\b(?:nahi|nhi)\s+(?:liya|diya|mila|hua)\b|\bzero\s+order\b"
    r"|\bempty[- ]handed\b|\bkhali\s+haath\b",
    re.I,
)
_VISIT_DONE = re.compile(
    r"\b(?:done here|leaving (?:now|the shop|here)|left the shop|visit\s+(?:done|over|complete\w*|"
    r"finished|ended|khatam)|(?:end|finish|close|complete)\s+(?:the\s+|my\s+|this\s+)?visit|"
    r"check(?:ing|ed)?[- ]?out\s+(?:of|from)|nikal\s+(?:raha|rahi|gaya|gayi))\b",
    re.I,
)
REASONS: list[tuple[str, re.Pattern[str]]] = [
    ("shop_closed", re.compile(r"\b(?:closed|shut|shutters?|band|bandh|locked|holiday|chutti)\b", re.I)),
    (
        "owner_absent",
        re.compile(
            r"\b(?:owner|malik|maalik|seth|sethji|proprietor|decision[- ]maker|boss)\b[^.?!,]{0,25}"
            r"\b(?:not|absent|away|out|nahi|nhi|gone|unavailable|missing|tha nahi)\b"
            r"|\b(?:owner|malik|maalik|seth)\s+(?:absent|away|out)\b|\bnobody to (?:decide|order)\b",
            re.I,
        ),
    ),
    (
        "stock_sufficient",
        re.compile(
            r"\b(?:enough|sufficient|plenty of|full of|over ?stock\w*|already (?:has|have|got|"
            r"stocked|full))\b|\bstock\s+(?:hai|pada|full|available|bhara|is (?:enough|full|"
            r"there)|is still (?:there|left|lying|full)|(?:still\s+)?(?:left|lying|remaining|not (?:sold|finished)))\b"
            r"|\b(?:has|have|got)\s+(?:old\s+)?stock\b|\bmaal\s+(?:hai|pada|bhara|bacha)\b"
            r"|\b(?:old|previous|last)\s+(?:stock|order|maal)\s+(?:not|nahi|still)\b",
            re.I,
        ),
    ),
    (
        "credit_issue",
        re.compile(
            r"\b(?:credit|udhaar|udhar|dues?|outstanding|over (?:the )?limit|payment\s+(?:pending|"
            r"due|issue|problem)|paisa\s+(?:baaki|nahi|pending)|pending payment)\b",
            re.I,
        ),
    ),
    (
        "price_issue",
        re.compile(
            r"\b(?:price|prices|pricing|rates?|costly|expensive|mehe?nga|margin|too high|"
            r"cheaper)\b",
            re.I,
        ),
    ),
    (
        "competitor",
        re.compile(
            r"\b(?:competitor\w*|competition|other (?:company|brand|supplier|distributor)|"
            r"(?:dusri|doosri|another) (?:company|brand|supplier)|buys? from (?:someone|others?))\b",
            re.I,
        ),
    ),
]
_ASKING = re.compile(r"^\s*(?:who|which|how|did|has|have|is|are|am|was|were|when|kya|kisne|kaun)\b|\?\s*$", re.I)
REASON_LIST = "stock sufficient, shop closed, owner absent, credit issue, price issue, competitor or other"
_SUGGEST = re.compile(
    r"\bsuggest\w*\b|\brecommend\w*\b|\bwhat\s+(?:should|shall|can|must)\s+(?:[\w&.'-]+\s+){1,5}?"
    r"(?:order|buy|take|push|sell)\b|\busual\s+order\b|\bwhat\s+(?:do|does)\s+(?:they|he|she|it)\s+"
    r"(?:usually|normally|generally)\s+(?:buy|order|take)\b|\bkya\s+(?:order|lena|mangwana|bhejna)\s+"
    r"chahiye\b",
    re.I,
)
_PHONE = re.compile(r"(?<![\w.])(\+?\d[\d -]{7,14}\d)(?![\w.])")
_UPDATE = re.compile(r"\b(?:new|changed?|update\w*|correct\w*|is now|now|naya|nayi|badal\w*|different)\b", re.I)
_PHONE_WORD = re.compile(r"\b(?:phone|mobile|number|no\.?|ph|contact no|cell|whatsapp)\b", re.I)
_CONTACT = re.compile(
    r"\b(?:contact(?:\s+person)?|owner|in[- ]?charge|manager|malik)(?:'?s\s+name)?\s*"
    r"(?:is\s+now|is|now|ab|=|:|-)?\s+(?:now\s+)?(?:mr\.?|mrs\.?|ms\.?|shri|smt\.?)?\s*([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3})"
)
_CLASS = re.compile(
    r"\bclass\s*(?:to|as|=|:|is|->|now)?\s*([abc])\b|\b([abc])[- ]class\b"
    r"|\b(?:upgrade|downgrade|make|change|move|mark)\b[^.?!]{0,25}\bto\s+(?:class\s+)?([abc])\b",
    re.I,
)
_LOCATION = re.compile(r"(-?\d{1,2}\.\d{3,})\s*[,/ ]\s*(-?\d{1,3}\.\d{3,})")
_LOCATION_WORD = re.compile(r"\b(?:location|gps|coordinates|lat(?:itude)?|pin)\b", re.I)
_NEW_OUTLET = re.compile(
    r"\b(?:add|register|onboard|create|open|sign(?:ed)?\s+up|new)\b[^.?!]{0,20}\b(?:new\s+)?"
    r"(?:shop|outlet|store|retailer|customer|dukaan|dukan|kirana|counter|party)\b",
    re.I,
)
_OUTLET_NAME = re.compile(
    r"\b(?:shop|outlet|store|retailer|customer|dukaan|dukan|kirana|counter|party)\s*"
    r"(?:called|named|name|naam|:|-|–)?\s*['\"“]?(?P<n>[A-Z0-9][\w&.'-]*(?:\s+(?:&\s+)?[A-Z0-9&][\w&.'-]*){0,5})"
)
_QUOTED = re.compile(r"['\"“]([^'\"”]{2,60})['\"”]")
_IN_AREA = re.compile(r"\b(?:in|at|area|locality|near|located in)\s+(?P<r>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2})")
_TYPES = [
    ("wholesaler", r"\bwholesale\w*\b"),
    ("modern_trade", r"\bmodern trade\b|\bsupermarket\b|\bmall\b|\bchain\b"),
    ("distributor", r"\bdistributor\b"),
    ("retailer", r"\bretail\w*\b|\bkirana\b|\bshop\b|\bstore\b"),
]
_COMPLIANCE = re.compile(
    r"\bcompliance\b|\bcoverage\b|\bproductive\s+calls?\b|\bproductivity\b|\blines?\s+per\s+call\b"
    r"|\bstrike\s+rate\b|\bfield\s+(?:report|performance|work|summary)\b"
    r"|\bhow\s+(?:did|has|have|is|are|was|were)\s+(?:my\s+|the\s+)?(?:team|reps?|sales\s*men|salesmen|"
    r"boys|field\s+staff|i)\b[^.?!]{0,30}\b(?:visits?|beats?|calls?|field|do|doing|perform\w*)\b"
    r"|\bhow\b[^.?!]{0,40}\b(?:doing|did|do|perform\w*|going)\b[^.?!]{0,30}\b(?:visits?|beats?|calls?|"
    r"field|coverage|route)\b"
    r"|\bvisits?\s+(?:report|summary|status|performance)\b|\bhow many\s+(?:visits|calls|shops|outlets)\b"
    r"[^.?!]{0,30}\b(?:did|done|made|covered|visited|i|we|they)\b"
    r"|\b(?:team|reps?|salesm[ae]n|field\s+staff)(?:'s|s')?\s+(?:visits?|calls?|coverage)\b",
    re.I,
)
_MISSED = re.compile(
    r"\bmiss(?:ed|ing)?\b|\bskip(?:ped)?\b|\bnot\s+covered\b|\b(?:didn'?t|did not|not)\s+(?:visit|cover|go)"
    r"\w*\b|\bnot\s+visited\b",
    re.I,
)
_BEAT_WORDS = re.compile(r"\b(?:beats?|outlets?|shops?|visits?|stores?|route|plan|calls?)\b", re.I)
_IDLE = re.compile(
    r"\b(?:not|never|no one|nobody|haven'?t|hasn'?t|didn'?t|unvisited)\b[^.?!]{0,30}"
    r"(?:\bvisit\w*\b[^.?!]{0,25}\b(?P<n>\d+|a|one|two|three|four)\s*(?P<u>days?|din|weeks?|hafte|months?|mahine)\b"
    r"|\bunvisited\b|\bvisit\w*\b[^.?!]{0,15}\bthis\s+(?:week|month)\b)"
    r"|\bunvisited\s+(?:outlets?|shops?|stores?)\b",
    re.I,
)
_ATTENDANCE = re.compile(
    r"\battendance\b|\bwho\s+(?:all\s+)?(?:has\s+|have\s+)?(?:started|checked[- ]?in|punched[- ]?in|"
    r"logged[- ]?in|signed[- ]?in|(?:is|are)\s+(?:in|working|on\s+duty|in\s+the\s+field|out|present|absent)|came\s+(?:to\s+work\s+)?"
    r"today|reported)\b|\b(?:check[- ]?in|login|punch[- ]?in|start)\s+times?\b",
    re.I,
)
_TARGET = re.compile(
    r"\btargets?\b|\bachievement\b|\bachieved\b|\blakshya\b|\b(?:vs|versus|against)\s+(?:plan|budget)\b", re.I
)
_OUTLET_REQUEST = re.compile(
    r"\b(?:outlets?|shops?|stores?|updates?|changes?|requests?|details|phone|number|contact|"
    r"class|location|OR-?\d+)\b",
    re.I,
)
_REQUEST_ID = re.compile(r"\b(OR-?\d+)\b", re.I)
_POSSESSIVE = re.compile(r"\b([A-Z][a-z]+)(?:'s|’s|s')\s")
_REP_OF = re.compile(
    r"\b([A-Z][a-z]+)(?:'s|’s)\s+(?:beat|plan|route|visits?|attendance|day|target|calls?|coverage)\b"
    r"|\b(?:beat|plan|route|visits?|attendance|target|calls?|compliance)\s+(?:of|for|by)\s+([A-Z][a-z]+)\b"
    r"|\bhow\s+(?:is|did|was|has)\s+([A-Z][a-z]+)\b"
    r"|\b(?:for|of|by)\s+([A-Z][a-z]+)\s+(?:this|last|today|yesterday|in)\b"
)
_NOT_A_NAME = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday today yesterday this last "
    "the team my our all".split()
)
_REASON_AFTER = re.compile(r"(?:\bbecause\b|\breason(?:\s+is)?\b|\bsince\b|\bdue to\b|[,:;–—-])\s*(.+)$", re.I)


def _days(n: str, unit: str) -> int:
    count = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}.get(n.lower()) or int(n)
    return count * (7 if unit.lower().startswith(("week", "hafte")) else 30 if unit.lower().startswith("m") else 1)


def reason_of(text: str) -> list[str]:
    """The no-order reasons the words give (rules.md's list), in the list's order."""
    found = [code for code, rx in REASONS if rx.search(text)]
    if not found and re.search(r"\bother\b|\bkuch aur\b", text, re.I):
        found = ["other"]
    return found


class FieldIntents:
    """Mixed into the Planner (agent/planner/intents.py): `_field` is asked first, and answers only
    for field words."""

    ctx: Context
    lex: Any
    today: date

    if TYPE_CHECKING:  # the Planner's own

        def _can(self, tool: str) -> bool: ...
        def _refuse_role(self, what: str) -> Plan: ...
        def _customer(self, text: str) -> tuple[str | None, Plan | None, tuple[int, int] | None]: ...
        def _region(self, text: str) -> str | None: ...

    def _field(self, text: str, low: str) -> Plan | None:
        if (done := self._visit_end(text, low)) is not None:
            return done
        asking = bool(_ASKING.search(low))
        if _END_DAY.search(low) and not asking and not self.lex.find_order_numbers(text):
            return self._rep_only("end_day", {}, "end a working day")
        if (
            (m := _AT.search(text))
            and not _NO_ORDER.search(low)
            and self._can("start_visit")
            and not self.lex.find_order_numbers(text)
            and not re.search(r"\bdeliver", low)
        ):
            said = next(g for g in (m["a"], m["b"], m["c"], m["d"]) if g)
            plan = self._visit_start(said)
            if plan is not None:
                return plan
        if (
            _VISIT_SIGNAL.search(text)
            and not _NOT_A_VISIT.search(text)
            and not _NO_ORDER.search(low)
            and self._can("start_visit")
            and not self.lex.find_order_numbers(text)
        ):  # "<outlet> visit", "check-in <outlet>", "<outlet> aa gaya": an outlet named beside a visit word
            cust, ask, _ = self._customer(_VISIT_SIGNAL.sub(" ", text))
            if ask:
                return ask
            if cust:
                return Plan([("start_visit", {"customer": cust, **self._location(text)})])
        if _START_DAY.search(low) and not re.search(r"\b(?:order|stock)\b", low):
            if not asking:
                return self._rep_only("start_day", self._location(text), "start a working day")
            if self.ctx.role == "sales rep":  # "did I check in?": the day and the plan say
                return Plan([("todays_plan", {})])
        if _SUGGEST.search(low) and re.search(
            r"\b(?:order|buy|take|push|sell|lena|mangwana|bhejna|them|they|"
            r"him|her|for)\b",
            low,
        ):
            if not self._can("suggest_order"):
                return self._refuse_role("get order suggestions")
            cust, ask, _ = self._customer(text)
            if ask:
                return ask
            if not cust and not self.ctx.visiting and self.ctx.role not in ("retailer", "distributor"):
                return Plan(
                    text="Which outlet should I suggest an order for?",
                    outcome="clarify",
                    frame={"slot": "field_outlet", "tool": "suggest_order"},
                )
            return Plan([("suggest_order", {"customer": cust} if cust else {})])
        if (decision := self._outlet_decision(text, low)) is not None:
            return decision
        if (new := self._new_outlet(text, low)) is not None:
            return new
        if (update := self._outlet_update(text, low)) is not None:
            return update
        return self._team(text, low)

    # --- the rep ------------------------------------------------------------------------------
    def _rep_only(self, tool: str, args: dict, what: str) -> Plan:
        if not self._can(tool):
            return self._refuse_role(what)
        return Plan([(tool, args)])

    @staticmethod
    def _location(text: str) -> dict:
        m = _LOCATION.search(text)
        return {"latitude": m[1], "longitude": m[2]} if m else {}

    def _visit_start(self, said: str) -> Plan | None:
        """ "I'm at <outlet>": the outlet named; a place that is no outlet is not a visit."""
        said = re.split(r"[,.;!?]|\b(?:now|right now|abhi|just now)\b", said, maxsplit=1)[0].strip()
        if not said:
            return None
        cust, ask, _ = self._customer(said)
        if ask:
            return ask
        if cust is None:
            found = self.lex.find(said, ["customer"], threshold=80.0)
            cust = found[0].code if found and found[0].score >= 85 else None
        if cust is None:
            if re.fullmatch(r"[A-Z][\w&.'-]*(?:\s+[\w&.'-]+){0,4}|[A-Za-z]{1,4}-\d+", said):
                cust = said  # a name the world does not know (or not in scope): the core says so
            else:
                return None
        return Plan([("start_visit", {"customer": cust, **self._location(said)})])

    def _visit_end(self, text: str, low: str) -> Plan | None:
        """ "no order, owner not there", "done here", or a reason right after the question why."""
        no_order = _NO_ORDER.search(low)
        asked_why = re.search(r"\bno order\b|\bWhy was there no order\b", self.ctx.last_reply or "", re.I)
        reasons = reason_of(text)
        if not (no_order or _VISIT_DONE.search(low) or (asked_why and reasons and len(low.split()) <= 8)):
            return None
        if not self._can("end_visit") or self.lex.find_order_numbers(text):
            return None  # not a rep's visit ("SO-0908 nikal gaya" is a dispatch; a manager's "no order from X")
        named = self.lex.find(text, ["customer"], threshold=80.0)
        if named and not (self.ctx.visiting and named[0].entry.code in self.ctx.visiting):
            # "visited Lucky, no order": never closes the visit at another outlet, nor logs one unseen
            outlet = named[0].entry.name
            return Plan(
                text=(
                    f"You are checked in at {self.ctx.visiting}, not at {outlet}: say 'end visit' with how it "
                    f"went to close that visit first, then check in at {outlet}."
                    if self.ctx.visiting
                    else f"You are not checked in at {outlet}. Check in there first ('check in at {outlet}'), "
                    "then say how the visit went."
                ),
                outcome="clarify",
            )
        if len(reasons) > 1:
            return Plan(
                text="Which was the reason for no order: " + " or ".join(r.replace("_", " ") for r in reasons) + "?",
                outcome="clarify",
                frame={"slot": "field_reason"},
            )
        if no_order or (asked_why and reasons):
            if not reasons:
                return Plan(
                    text=f"Why was there no order? Say one of: {REASON_LIST}.",
                    outcome="clarify",
                    frame={"slot": "field_reason"},
                )
            return Plan([("end_visit", {"outcome": "no_order", "reason": reasons[0]})])
        return Plan([("end_visit", {"reason": reasons[0]} if reasons else {})])

    def _new_outlet(self, text: str, low: str) -> Plan | None:
        if not _NEW_OUTLET.search(text) or re.search(r"\border\b|\b(?:approv|reject|declin)\w*", low):
            return None
        if not self._can("propose_new_outlet"):
            return self._refuse_role("add new outlets")
        q = _QUOTED.search(text)
        named = q[1].strip() if q else None
        if named is None:
            for m in _OUTLET_NAME.finditer(text):
                words = m["n"].split()
                while words and words[-1].lower() in ("in", "at", "phone", "owner", "contact", "near", "area"):
                    words.pop()
                if words and words[0].lower() not in ("in", "at", "for", "with", "and", "is"):
                    named = " ".join(words)
                    break
        rest = text.replace(named, " ") if named else text
        area = None
        for m in _IN_AREA.finditer(rest):
            region = self._region(m["r"])
            if region:
                area = region
                break
        if area is None:  # "new shop: Sri Sai Traders, Bengaluru North, 98…": a part that is a region
            for part in re.split(r"[,;\n]", rest):
                if part.strip() and not _PHONE.search(part) and (region := self._region(part.strip())):
                    area = region
                    break
        if not named:
            return Plan(
                text="What is the new shop's name?",
                outcome="clarify",
                frame={"slot": "field_more", "request": text, "prefix": "called"},
            )
        if not area:
            return Plan(
                text=f"Which area is {named} in?",
                outcome="clarify",
                frame={"slot": "field_more", "request": text, "prefix": "in"},
            )
        args: dict = {"name": named, "region": area}
        if ph := _PHONE.search(rest):
            args["phone"] = ph[1].strip()
        if c := _CONTACT.search(rest):
            args["contact_person"] = c[1]
        if k := _CLASS.search(rest):
            args["outlet_class"] = next(g for g in k.groups() if g).upper()
        kind = next((t for t, rx in _TYPES if re.search(rx, low)), "retailer")
        args["type"] = kind
        return Plan([("propose_new_outlet", {**args, **self._location(rest)})])

    def _outlet_update(self, text: str, low: str) -> Plan | None:
        args: dict = {}
        if (ph := _PHONE.search(text)) and _PHONE_WORD.search(low) and _UPDATE.search(low):
            args["phone"] = ph[1].strip()
        if (c := _CONTACT.search(text)) and (_UPDATE.search(low) or re.search(r"\bcontact person\b", low)):
            args["contact_person"] = c[1]
        if (k := _CLASS.search(text)) and re.search(r"\bclass\b|\bupgrade|\bdowngrade", low):
            args["outlet_class"] = next(g for g in k.groups() if g).upper()
        if _LOCATION_WORD.search(low) and _UPDATE.search(low):
            loc = self._location(text)
            if not loc:
                return Plan(
                    text="Please share the location (Telegram's location button) or send it as latitude, longitude.",
                    outcome="clarify",
                )
            args.update(loc)
        if not args:
            return None
        if not self._can("propose_outlet_update"):
            return self._refuse_role("change outlet details")
        blanked = _PHONE.sub(" ", text)
        cust, ask, _ = self._customer(blanked)
        if ask:
            return ask
        if cust:
            args["customer"] = cust
        elif not self.ctx.visiting:
            return Plan(
                text="Which outlet is this for?",
                outcome="clarify",
                frame={"slot": "field_more", "request": text, "prefix": "for"},
            )
        return Plan([("propose_outlet_update", args)])

    # --- the manager --------------------------------------------------------------------------
    def _outlet_decision(self, text: str, low: str) -> Plan | None:
        approve = re.search(r"\b(?:approve\w*|accept\w*|ok\s+kar\w*|manzoor)\b", low)
        reject = re.search(r"\b(?:reject\w*|decline\w*|deny|denied|na\s*manzoor)\b", low)
        listing = re.search(
            r"\b(?:outlet|shop|store)\s+(?:requests?|updates?|changes?|proposals?)\b"
            r"|\bnew\s+(?:outlets?|shops?)\b[^.?!]{0,25}\b(?:approv\w*|pending|waiting)\b"
            r"|\b(?:pending|waiting)\b[^.?!]{0,20}\b(?:outlet|shop)\s+(?:requests?|updates?|changes?)\b",
            low,
        )
        ref = _REQUEST_ID.search(text)
        orders = [n for n in self.lex.find_order_numbers(text) if not (ref and n.upper() == ref[1].upper())]
        if not (approve or reject or listing) or orders:
            return None
        if not (ref or _OUTLET_REQUEST.search(text)) or re.search(r"\borders?\b", low):
            return None
        if not self._can("outlet_requests"):
            return self._refuse_role("decide outlet changes")
        if listing and (
            not (approve or reject) or _ASKING.search(low) or re.search(r"\b(?:any|list|show|pending)\b", low)
        ):
            return Plan([("outlet_requests", {})])
        who = _POSSESSIVE.search(text)
        cust, _, span = self._customer(text)
        kind = (
            "new"
            if re.search(r"\bnew\s+(?:shop|outlet|store|customer|retailer)s?\b", low)
            else "update"
            if re.search(r"\b(?:update|change|phone|number|contact|class|location)\b", low)
            else None
        )
        request = ref[1].upper() if ref else who[1] if who else cust or kind
        if not request:
            return Plan(
                [("outlet_requests", {})], note="Which one? Say approve or reject with its request id. Waiting:"
            )
        if approve and not reject:
            return Plan([("approve_outlet_request", {"request": request})])
        why = _REASON_AFTER.search(text[(who.end() if who else span[1] if span else 0) :])
        reason = why[1].strip(" .") if why else ""
        if not reason:
            return Plan(
                text="Why should it be rejected? Please give a reason.",
                outcome="clarify",
                frame={"slot": "field_reject", "request": request},
            )
        return Plan([("reject_outlet_request", {"request": request, "reason": reason})])

    def _team(self, text: str, low: str) -> Plan | None:
        if self._can("outlet_requests") and re.search(
            r"\b(?:pending|waiting|open)\s+(?:requests?|proposals?)\b|\b(?:requests?|proposals?)\s+from\s+(?:the\s+)?"
            r"(?:reps?|team|sales\s*(?:men|people|team))\b",
            low,
        ):  # order approvals and the reps' outlet requests: everything waiting for this manager
            return Plan([("pending_approvals", {}), ("outlet_requests", {})])
        if m := _IDLE.search(text):
            if not self._can("outlets_not_visited"):
                return self._refuse_role("see field work")
            days = _days(m["n"], m["u"]) if m["n"] else None
            if days is None and (since := re.search(r"\bthis\s+(week|month)\b", low)):
                days = self.today.weekday() + 1 if since[1] == "week" else self.today.day
            return Plan([("outlets_not_visited", {"days": days} if days else {})])
        missed = _MISSED.search(low) and _BEAT_WORDS.search(low) and not re.search(r"\b(?:order|payment|deliver)", low)
        if not (
            missed
            or _COMPLIANCE.search(low)
            or _ATTENDANCE.search(low)
            or _TARGET.search(low)
            or _PLAN.search(low)
            or re.search(r"\b(?:beat|route|plan)\b", low)
        ):
            return None  # no team question: the rep and the period are not read (every message passes here)
        rep = self._rep_named(text)
        period = period_args(text, self.today)
        if missed:
            if not self._can("missed_beats"):
                return self._refuse_role("see field work")
            if period and period["start"] != period["end"]:
                return Plan([("visit_compliance", {"period": period, **({"rep": rep} if rep else {})})])
            return Plan(
                [("missed_beats", {**({"date": period["start"]} if period else {}), **({"rep": rep} if rep else {})})]
            )
        if _COMPLIANCE.search(low):
            if not self._can("visit_compliance"):
                return self._refuse_role("see field work")
            by = (
                "week"
                if re.search(r"\bweek(?:ly|s)?\b", low) and period and period["start"] != period["end"]
                else "day"
            )
            args: dict = {"by": by}
            if period:
                args["period"] = period
            if rep:
                args["rep"] = rep
            return Plan([("visit_compliance", args)])
        if _ATTENDANCE.search(low):
            if not self._can("attendance_report"):
                return self._refuse_role("see attendance")
            return Plan(
                [("attendance_report", {**({"period": period} if period else {}), **({"rep": rep} if rep else {})})]
            )
        if _TARGET.search(low):
            if not self._can("target_report"):
                return self._refuse_role("see targets")
            start, end = (str(period["start"]), str(period["end"])) if period else ("", "")
            month = start[:7] if start and start[:7] == end[:7] else None
            return Plan([("target_report", {"month": month} if month else {})])
        if _PLAN.search(low) or (rep and re.search(r"\b(?:beat|route|plan)\b", low)):
            if not self._can("todays_plan"):
                return self._refuse_role("see beats")
            args = {"rep": rep} if rep else {}
            if period and period["start"] == period["end"]:
                args["date"] = period["start"]
            return Plan([("todays_plan", args)])
        return None

    def _rep_named(self, text: str) -> str | None:
        """A person named in a team question ("Ravi's beat", "how is Ravi doing"); the tool says
        when no rep of the team has that name."""
        for m in _REP_OF.finditer(text):
            name = next(g for g in m.groups() if g)
            if name.lower() not in _NOT_A_NAME and not self._customer(name)[0]:
                return name
        return None
