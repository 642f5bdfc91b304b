"""What a message asks for: keyword and pattern scores per intent, typo-tolerant.

Scores are 0..1 and comparable across intents; `classify` returns every intent that
scored, best first. Entities (which product, which customer) are not decided here:
see `agent.nlu.lexicon`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from agent.nlu.numbers import parse_quantities

INTENTS = ("order", "modify_pending", "cancel_order", "order_status", "list_orders",
           "pending_approvals", "approve", "reject", "approve_all", "dispatch", "deliver",
           "record_payment", "outstanding", "sales_report", "order_summary", "stock",
           "low_stock", "price", "schemes", "find_product", "knowledge", "help",
           "admin_change")


@dataclass(frozen=True)
class IntentGuess:
    intent: str
    score: float


_DOC = r"\b[a-z]{1,6}[-/]?\d{2,}\b"   # an order/document number after lower-casing
_VERB_ORDER = (r"\b(order|orders|ordering|place|book|need|needs|want|wants|send|get|buy|"
               r"purchase|require|supply|deliver me|give me|i'll take|ill take|take)\b")

# (intent, pattern, weight). Several matches of one intent add up, capped at 1.
_RULES: list[tuple[str, str, float]] = [
    # ordering
    ("order", r"\b(place|book|make|create|raise|put)\s+(an?\s+|the\s+|my\s+|new\s+)?order\b", 0.85),
    ("order", r"^(please\s+)?(order|book|send|buy|get)\b", 0.55),
    ("order", r"\border\s+for\b", 0.45),
    ("order", r"\b(i|we)\s+(need|want|would like|wanna|require)\b", 0.45),
    ("order", r"\b(send|get|give)\s+(me|us)\b", 0.45),
    ("order", r"\breorder\s+(the\s+)?(same|last)\b", 0.7),
    # modify what awaits confirmation
    ("modify_pending", r"\bmake\s+(it|that|them)\b", 0.8),
    ("modify_pending", r"\bchange\s+(it\s+|that\s+|the\s+\w+\s+|qty\s+|quantity\s+)?to\b", 0.8),
    ("modify_pending", r"\b(instead|actually)\b", 0.45),
    ("modify_pending", r"\b(also|too|as well|additionally)\b", 0.3),
    ("modify_pending", r"^(and\s+)?(also\s+)?add\b|\badd\b.*\b(too|also|as well)\b", 0.75),
    ("modify_pending", r"^(please\s+)?(remove|drop|delete|exclude)\b|\bwithout\b", 0.75),
    ("modify_pending", r"\b(increase|reduce|decrease|lower|raise)\b.*\b(to|by)\s+\d", 0.55),
    ("modify_pending", r"\bonly\s+\d", 0.35),
    # cancel an existing order
    ("cancel_order", rf"\bcancel\b.*{_DOC}", 0.95),
    ("cancel_order", r"\bcancel\s+(my\s+|the\s+|this\s+|that\s+|last\s+)*(order|booking)\b", 0.8),
    ("cancel_order", r"\b(withdraw|revoke|call off)\b.*\border\b", 0.6),
    # orders: one, or a list
    ("order_status", rf"\b(status|track|tracking|where|when|progress|update)\b.*{_DOC}", 0.9),
    ("order_status", rf"{_DOC}.*\b(status|where|when|arrive|reach|delivered\?)", 0.85),
    ("order_status", r"\b(where|status)\b.*\b(my|the)\s+order\b", 0.8),
    ("order_status", r"\btrack\b", 0.5),
    ("order_status", rf"^\s*(show|details?|open|view)?\s*(of\s+)?(order\s+)?{_DOC}\s*\??$", 0.7),
    ("list_orders", r"\b(show|list|see|view|display|get|give|what are|which are|any|all|check)\b.*\borders\b", 0.8),
    ("list_orders", r"\b(my|pending|open|recent|last|past|today's|todays|confirmed|dispatched|delivered|cancelled|undelivered)\s+orders\b", 0.75),
    ("list_orders", r"\borders\s+(of|from|for|by|in|placed)\b", 0.65),
    ("list_orders", r"\border history\b", 0.8),
    # approvals
    ("pending_approvals", r"\b(wait|waiting|await|awaiting|pending|need|needs|needing|require|requires)\b.*\bapprov", 0.9),
    ("pending_approvals", r"\bapprovals?\b.*\b(pending|queue|inbox|list)\b|\bpending approvals?\b", 0.9),
    ("pending_approvals", r"\b(anything|what|which|orders?)\b.*\bto approve\b", 0.85),
    ("approve", r"\b(approve|approved|sanction|authori[sz]e|greenlight)\b", 0.75),
    ("approve", r"^\s*(approve|sanction)\s+(it|this|that|the order|order|them)?\b", 0.15),
    ("approve_all", r"\bapprove\s+(all|every|everything|each)\b|\b(all|every)\b.*\bapprove\b", 0.95),
    ("approve_all", r"\bapprove\s+(my|the|these|those|pending)\s+(\w+\s+)?orders\b", 0.85),
    ("reject", r"\b(reject|rejected|decline|deny|disapprove|refuse)\b", 0.8),
    # warehouse moves
    ("dispatch", r"\b(dispatch|dispatched|ship|shipped|send out|sent out|load|loaded)\b", 0.75),
    ("dispatch", rf"\bmark\b.*\b(dispatched|shipped)\b|{_DOC}.*\b(dispatched|shipped)\b", 0.9),
    ("deliver", rf"\bmark\b.*\bdelivered\b|{_DOC}.*\bdelivered\b|\bdelivered\b.*{_DOC}", 0.9),
    ("deliver", rf"\bdeliver\b.*{_DOC}|\b(has been|was|got) delivered\b|\bproof of delivery\b", 0.75),
    # money
    ("record_payment", r"\b(record|log|note|enter|add|register|capture|post)\b.*\b(payment|collection|receipt)\b", 0.9),
    ("record_payment", r"\b(paid|received|collected|got|deposited)\b.*\d", 0.7),
    ("record_payment", r"\bpayment of\b.*\d|\b\d[\d,.]*\s*(rs|inr|rupees)?\s*(by|via|in|through)?\s*(cash|upi|cheque|check|neft|rtgs|imps|bank transfer|gpay|phonepe|paytm)\b", 0.75),
    ("record_payment", r"\b(ref|reference|utr|txn|transaction id|cheque no)\b", 0.3),
    ("outstanding", r"\b(owe|owed|owing|outstanding|dues|due amount|amount due|overdue|arrears|receivables?)\b", 0.9),
    ("outstanding", r"\b(balance|pending (amount|payments?|bills?|invoices?)|unpaid|credit (left|available|remaining|balance|used)|how much .* (pay|payable))\b", 0.8),
    ("outstanding", r"\bdue\b", 0.45),
    # reports
    ("sales_report", r"\b(sales|sale|revenue|turnover|sold|sell|selling|business done|performance)\b", 0.75),
    ("sales_report", r"\b(report|reports|top\s+\d*\s*(customers|products|skus|brands|items|sellers|regions)|best sellers?|best selling)\b", 0.55),
    ("sales_report", r"\b(by|per|wise|breakdown|split)\b.*\b(customer|sku|product|brand|region|area|category|month|week|day|rep)\b", 0.3),
    ("order_summary", r"\b(summary|summari[sz]e|overview|recap|digest)\b", 0.7),
    ("order_summary", r"\b(how many|number of|count of|total)\s+orders\b", 0.8),
    # stock
    ("stock", r"\bin stock\b|\bstock (of|for|level|levels|position|status|available)\b|\bstocks?\b", 0.7),
    ("stock", r"\b(inventory|on hand|in hand|availability|available qty|quantity available)\b", 0.75),
    ("stock", r"\bhow (many|much)\b.*\b(do (we|you) have|have (we|you) got|left|remaining|available|in (the )?warehouse)\b", 0.85),
    ("stock", r"\b(is|are)\b.*\bavailable\b", 0.6),
    ("low_stock", r"\b(low|short|shortage|running (low|out)|out of stock|stock ?out|below reorder|reorder|replenish|restock|about to finish|finishing)\b", 0.9),
    # prices and offers
    ("price", r"\b(price|prices|pricing|rate|rates|mrp|cost|costs|tariff|price list|ptr)\b", 0.8),
    ("price", r"\bhow much (is|are|does|do|for|would)\b(?!.*\b(i|we)\s+owe\b)", 0.7),
    ("schemes", r"\b(offers?|schemes?|discounts?|deals?|promos?|promotions?|free goods|freebies?|cashback|buy \d+ get)\b", 0.85),
    ("schemes", r"\bfree\b", 0.35),
    # catalogue
    ("find_product", r"\bdo you (have|sell|carry|stock|keep)\b|\b(search|find|look up|lookup|look for)\b", 0.75),
    ("find_product", r"\b(list|show|browse)\b.*\b(products|items|skus|catalogue|catalog|range|variants|brands|categories)\b|\bcatalogue\b|\bcatalog\b", 0.75),
    ("find_product", r"^\s*(list|show)\s+(all\s+)?[a-z]+s\s*$", 0.5),
    ("find_product", r"\bwhat\b.*\b(products|items|brands|variants|sizes)\b", 0.6),
    # policies and FAQs
    ("knowledge", r"\b(policy|policies|terms|conditions|faq|rules|procedure|process|guideline|guidelines)\b", 0.7),
    ("knowledge", r"\b(return|returns|refund|refunds|replace|replacement|exchange|damaged|expired|expiry|warranty|complaint|complain|grievance)\b", 0.65),
    ("knowledge", r"\b(delivery (time|charges?|days|schedule|slot|fee)|when will .* deliver|minimum order|moq|cut ?off|credit period|payment terms|working hours|holiday)\b", 0.7),
    ("knowledge", r"^(can|may|could)\s+(i|we)\b|^(how|what|why|when)\s+(do|does|can|is|are|should)\s+(i|we)\b", 0.45),
    ("knowledge", r"\bwhat (is|are) (the|your)\b", 0.25),
    # help and smalltalk
    ("help", r"^\s*(hi|hello|hey|hii+|namaste|good (morning|afternoon|evening)|yo|help|start|menu)\b[\s!.?]*$", 0.9),
    ("help", r"\bwhat can (you|i) do\b|\bhow (do|can) i use\b|\bwhat do you do\b|\bhelp me\b|\bcommands?\b|\bwho are you\b|\bhow does this work\b", 0.85),
    # configuration changes the assistant never makes
    ("admin_change", r"\b(set|change|update|increase|raise|reduce|lower|modify|edit|extend|remove|waive|bump)\b.{0,30}\b(credit limit|limit|credit|price|prices|rate|rates|mrp|tax|role|permissions?|access|password|reorder level|payment terms|threshold|approval rules?)\b", 0.85),
    ("admin_change", r"\b(make|promote|give|grant|add)\s+(me|him|her|them|user|\w+)\b.{0,20}\b(admin|administrator|manager|superuser|owner|access|permissions?|role)\b", 0.9),
    ("admin_change", r"\b(create|add|delete|remove|deactivate|unblock|block)\s+(a\s+|the\s+|new\s+)?(user|customer|product|sku|scheme|discount|warehouse|region)\b", 0.75),
    ("admin_change", r"\b(give|apply|set)\s+(me\s+|us\s+)?(a\s+)?\d+\s*%?\s*(discount|off)\b", 0.6),
]
_COMPILED = [(i, re.compile(p), w) for i, p, w in _RULES]

# Words worth correcting when mistyped ("ordr", "stok", "aprove", "outstandng").
_VOCAB = sorted({
    "order", "orders", "place", "book", "cancel", "approve", "approval", "approvals", "reject",
    "dispatch", "dispatched", "deliver", "delivered", "payment", "paid", "outstanding",
    "balance", "sales", "report", "summary", "stock", "inventory", "available", "price",
    "rate", "offers", "offer", "scheme", "schemes", "discount", "discounts", "search",
    "products", "catalogue", "return", "refund", "policy", "pending", "status", "track",
    "reorder", "running", "shortage", "remove", "change", "instead", "record", "received",
    "collected", "credit", "limit", "waiting", "invoice", "dues", "revenue", "replace",
    "damaged", "expired", "delivery", "minimum", "terms", "cheque", "transfer", "summarise",
})
_KEEP = set(_VOCAB) | {"orange", "cream", "creme", "brown", "bread", "cards", "range", "prize",
                       "pricey", "stick", "stack", "stuck", "proper", "polish", "power",
                       "powder", "parcel", "person", "limits", "lemon", "credits", "balm"}


def correct_typos(text: str) -> str:
    """Replace mistyped command words with the word meant; other words stay as typed."""
    def fix(m: re.Match) -> str:
        w = m.group(0)
        if len(w) < 4 or w in _KEEP or w.isdigit():
            return w
        best = process.extractOne(w, _VOCAB, scorer=fuzz.ratio, score_cutoff=80)
        if best and best[0][0] == w[0] and abs(len(best[0]) - len(w)) <= 2:
            return best[0]
        return w
    return re.sub(r"[a-z]+", fix, text)


def _norm(text: str) -> str:
    t = text.lower().replace("’", "'")
    t = re.sub(r"\s+", " ", t).strip()
    return correct_typos(t)


def classify(text: str, *, has_pending: bool = False,
             unit_words: frozenset[str] | set[str] = frozenset()) -> list[IntentGuess]:
    """Intents the message may express, best first (empty = not understood).

    `has_pending`: an action awaits confirmation in this conversation, which makes
    "make it 2 cartons" / "add 2 boxes of X too" edits of it rather than new orders.
    `unit_words`: the world's unit names (`Lexicon.unit_words`) so "3 trays" counts.
    """
    t = _norm(text)
    scores: dict[str, float] = {}
    for intent, rx, w in _COMPILED:
        if rx.search(t):
            scores[intent] = min(1.0, scores.get(intent, 0.0) + w)
    qtys = [q for q in parse_quantities(t, unit_words)]
    with_unit = [q for q in qtys if q.unit_word]
    has_doc = bool(re.search(_DOC, t))
    if with_unit:
        base = 0.6 + (0.3 if re.search(_VERB_ORDER, t) else 0.0)
        scores["order"] = max(scores.get("order", 0.0), base)
    elif qtys and re.search(_VERB_ORDER, t) and not has_doc:
        scores["order"] = max(scores.get("order", 0.0), 0.7)
    # Corrections between intents that share words.
    lead = re.match(r"^\s*(please\s+|pls\s+|kindly\s+)?(approve|reject|decline|cancel|dispatch|deliver)\b", t)
    if lead:  # the leading verb is the request; later words are its object or reason
        verb = {"approve": "approve", "reject": "reject", "decline": "reject",
                "cancel": "cancel_order", "dispatch": "dispatch", "deliver": "deliver"}[lead.group(2)]
        if verb == "approve" and "approve_all" in scores:
            verb = "approve_all"
        if verb in scores:
            scores[verb] = max(scores[verb], 0.95)
            for other in ("outstanding", "list_orders", "order", "knowledge", "order_status"):
                if other in scores:
                    scores[other] = min(scores[other], 0.5)
    if "approve_all" in scores:
        scores["approve"] = min(scores.get("approve", 0), 0.5)
    if ("approve_all" in scores or "approve" in scores or "reject" in scores) and "list_orders" in scores:
        scores["list_orders"] = min(scores["list_orders"], 0.5)
    if "pending_approvals" in scores and not re.search(rf"^\s*approve\b|{_DOC}", t):
        scores["approve"] = min(scores.get("approve", 0), 0.4)
    if "cancel_order" in scores and not has_doc and re.fullmatch(r"(no,? )?cancel( it| that| this)?[.!]?", t):
        scores["cancel_order"] = 0.3  # "cancel that" answers a preview
    if "outstanding" in scores:
        scores.pop("price", None) if re.search(r"\bhow much\b", t) else None
        if "record_payment" in scores and re.search(r"\b(record|log|received|collected|paid)\b", t):
            scores["outstanding"] = 0.3
    if "low_stock" in scores:
        scores["stock"] = min(scores.get("stock", 0), 0.5)
        if re.search(r"\breorder\s+(the\s+)?(same|last)\b", t):
            scores["low_stock"] = 0.3
    if "list_orders" in scores and "order_summary" in scores and re.search(r"\b(how many|count|number of)\b", t):
        scores["list_orders"] = 0.5
    if "order" in scores and ("list_orders" in scores or "order_status" in scores) and not with_unit:
        scores["order"] = min(scores["order"], 0.4)
    if "order" in scores and "stock" in scores and re.search(r"\bhow many\b", t):
        scores["order"] = 0.3
    if "record_payment" in scores and "order" in scores and not with_unit:
        scores["order"] = 0.2
    if "admin_change" in scores:
        for other in ("price", "modify_pending", "stock", "outstanding"):
            if other in scores:
                scores[other] = min(scores[other], scores["admin_change"] - 0.2)
    if has_pending and ("modify_pending" in scores or (with_unit and not re.search(
            r"\b(place|book|new)\b.*\border\b", t))):
        scores["modify_pending"] = max(scores.get("modify_pending", 0), 0.9)
    elif not has_pending and "modify_pending" in scores:
        scores["modify_pending"] *= 0.6
    if "knowledge" in scores and len(scores) > 1 and scores["knowledge"] < 0.6:
        scores["knowledge"] *= 0.8
    ranked = sorted(((round(s, 3), i) for i, s in scores.items() if s > 0.05), reverse=True)
    return [IntentGuess(i, s) for s, i in ranked]


# -- details some intents carry ----------------------------------------------------

_REASON_RE = re.compile(
    r"\b(?:because|since|as|due to|reason(?:\s+is)?\s*[:\-]?|for|coz|cause|bcoz|bcz)\s+(.+)$|[:\-–]\s+(.+)$",
    re.I)


def extract_reason(text: str) -> str | None:
    """'reject SO-123 because credit is overdue' -> 'credit is overdue'."""
    rest = re.split(r"\b(?:reject|rejected|decline|deny|disapprove|refuse)\b", text, maxsplit=1, flags=re.I)
    tail = rest[1] if len(rest) > 1 else text
    m = _REASON_RE.search(tail)
    if not m:
        return None
    reason = (m.group(1) or m.group(2) or "").strip().rstrip(".!")
    return reason or None


_DIMENSIONS = {
    "customer": ("customer", "customers", "retailer", "retailers", "outlet", "outlets", "party", "parties", "store", "stores", "shop", "shops", "client", "clients"),
    "sku": ("sku", "skus", "item", "items", "variant", "variants", "pack size"),
    "product": ("product", "products"),
    "brand": ("brand", "brands"),
    "region": ("region", "regions", "area", "areas", "city", "cities", "state", "states", "territory", "territories", "zone", "zones", "location", "locations"),
    "category": ("category", "categories", "segment", "segments"),
    "rep": ("rep", "reps", "salesman", "salesmen", "salesperson", "sales rep", "sales reps", "executive", "executives"),
    "period": ("month", "months", "monthly", "week", "weeks", "weekly", "day", "days", "daily", "date", "dates", "period", "trend"),
}


def report_dimension(text: str) -> str | None:
    """The breakdown asked for: 'sales by brand', 'brand-wise', 'top customers', 'daily'."""
    t = text.lower()
    for dim, words in _DIMENSIONS.items():
        alt = "|".join(re.escape(w) for w in words)
        if re.search(rf"\b(by|per|each|every|across|wise|breakdown|split|top\s*\d*|best|bottom|worst)\s+(the\s+)?({alt})\b"
                     rf"|\b({alt})[\s-]?wise\b|\b({alt})\s+(breakdown|split|ranking)\b", t):
            return dim
    if re.search(r"\b(daily|weekly|monthly|trend|day by day|month by month)\b", t):
        return "period"
    return None


_INJECTION = [
    ("ignore_instructions", r"\b(ignore|disregard|forget|override|bypass|skip)\b.{0,30}\b(previous|prior|above|earlier|all|your|the|system|safety)?\s*(instructions?|rules|prompts?|guidelines|restrictions|policies|checks|context)\b"),
    ("persona_switch", r"\byou are now\b|\bfrom now on,? you\b|\bact as\b|\bpretend (to be|you are|you're)\b|\brole-?play\b|\bjailbreak\b|\bdan mode\b|\bdeveloper mode\b|\bgod mode\b"),
    ("role_claim", r"\b(i am|i'm|im|this is)\s+(the\s+|an?\s+|your\s+)?(admin|administrator|manager|owner|ceo|boss|developer|superuser|root|sysadmin|system)\b(?!\s+of\b)|\bas (an? |the )?(admin|administrator|superuser)\b|\b(admin|sudo|root) (mode|access|override|privileges?)\b"),
    ("system_prompt", r"\bsystem prompt\b|\b(reveal|show|print|repeat|leak)\b.{0,20}\b(prompt|instructions|system message|hidden)\b|\bnew instructions?\b|<\s*/?\s*system\s*>|\[\s*system\s*\]"),
]
_INJECTION_RX = [(n, re.compile(p, re.I)) for n, p in _INJECTION]


def injection_signals(text: str) -> list[str]:
    """Names of prompt-injection / privilege-claim patterns present in the message."""
    t = re.sub(r"\s+", " ", text.replace("’", "'"))
    return [name for name, rx in _INJECTION_RX if rx.search(t)]
