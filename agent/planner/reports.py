"""The catalogue's reports in people's words (core.report_catalog through the `show_report` and
`export_report` tools): collections, stock movement and value, distributor performance, shares
of sales, orders per day, and any report asked for as a file ("send me last month's sales as
Excel", "outstanding in csv"). Sales, outstanding, low and expiring stock keep their own tools
where no file is asked for. A report that cannot be told from the words is a question."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from agent.nlu.numbers import parse_amounts
from core.report_catalog import REPORTS

from .plan import Plan

# Which report; the first that matches wins (stock movement before stock, distributors' growth
# before sales).
_REPORTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx, re.I))
    for name, rx in (
        (
            "inventory-movement",
            r"\b(?:stock|inventory|goods|item|sku|product)s?\s+(?:movements?|moved|ledger|flow|in\s*(?:and|&|/|n)\s*out)\b"
            r"|\bmovements?\s+(?:of|in)\s+(?:the\s+)?(?:stock|goods|inventory)\b|\binward\w*\s*(?:and|&|/)\s*outward\w*\b"
            r"|\bopening\s+(?:and|&|/)\s+closing\b|\b(?:came|come|went|gone)\s+in\s+and\s+(?:went|gone|came)\s+out\b",
        ),
        (
            "distributor-performance",
            r"\bdistributors?['’]?s?\s+(?:performance|growth|business|numbers|doing|perform\w*)\b"
            r"|\b(?:how|hows|how's)\s+(?:are|is|did)?\s*(?:my\s+|our\s+|the\s+)?distributors?\b"
            r"|\bperformance\s+of\s+(?:my\s+|our\s+|the\s+|each\s+|all\s+)?distributors?\b|\bdistributor[- ]wise\b",
        ),
        (
            "collections",
            r"\bcollections?\b|\bhow\s+much\b[^.?!]{0,30}\bcollect\w*\b|\bcollect(?:ed)?\s+(?:so\s+far|till|until|this|last|today|yesterday)\b"
            r"|\bpayments?\s+(?:received|collected|came\s+in|receipts?)\b|\bmoney\s+(?:came\s+in|collected|received)\b"
            r"|\bvasool\w*|\bwasool\w*|\brecover(?:y|ies)\b",
        ),
        (
            "stock",
            r"\b(?:stock|inventory)\s+(?:summary|value|valuation|report|worth|position|statement)\b"
            r"|\bvalue\s+of\s+(?:my\s+|our\s+|the\s+|all\s+)?(?:stock|inventory)\b|\b(?:stock|inventory)\s+(?:is\s+)?worth\b"
            r"|\bwhat\s+is\s+(?:the\s+|our\s+|my\s+)?(?:stock|inventory)\s+worth\b"
            r"|\b(?:stock|inventory|maal)\s+(?:ki|ka|ke)\s+(?:value|valuation|keemat|kimat|worth)\b",
        ),
    )
)
_SHARE = re.compile(
    r"\b(?:share|contribution|contributes?|percent(?:age)?|%)\b[^.?!]{0,25}\b(?:sales|revenue|business|total)\b"
    r"|\b(?:sales|revenue)\s+(?:share|contribution|mix)\b|\bshare\s+of\b|\bcontribut\w+\b",
    re.I,
)
_PER_DAY = re.compile(
    r"\borders?\s+(?:per|each|every|by)\s+day\b|\bdaily\s+orders?\b|\borders?\s+day[- ]?wise\b|\bday[- ]?wise\s+orders?\b",
    re.I,
)
# a file asked for: its format
_FILE = re.compile(
    r"\b(?:excel|xlsx|xls|spread\s*sheet|csv|download(?:able)?|export\w*|as\s+a\s+file|in\s+a\s+file|attach\w*)\b", re.I
)
_CSV = re.compile(r"\bcsv\b", re.I)
# what a file holds when no catalogue report's words were said: the reports that have tools of their own
_FILE_OF = (
    (
        "outstanding",
        re.compile(r"\b(?:outstanding|dues?|owes?|owed|owing|receivables?|balances?|ageing|aging)\b", re.I),
    ),
    ("low-stock", re.compile(r"\blow\s+stock\b|\brunning\s+(?:low|out)\b|\breorder\b", re.I)),
    ("expiring", re.compile(r"\bexpir\w*\b", re.I)),
    ("stock", re.compile(r"\b(?:stock|inventory)\b", re.I)),
    ("order-lines", re.compile(r"\b(?:order\s+lines|line\s+items|lines)\b", re.I)),
    ("sales", re.compile(r"\b(?:sales|sold|revenue|turnover)\b", re.I)),
    ("orders", re.compile(r"\borders?\b", re.I)),
)
_TYPES = (
    ("modern_trade", r"modern[- ]trade|supermarkets?|chains?"),
    ("distributor", r"distributors?"),
    ("wholesaler", r"wholesalers?|wholesale"),
    ("retailer", r"retailers?|retail\s+(?:shops?|outlets?|customers?)|kirana\w*"),
)
_TYPE_SAID = re.compile(
    r"\b(?:only|just)\s+(?P<a>[a-z -]+?)(?:\s+(?:only|customers?))?\b|\b(?:for|of|from|by|to)\s+(?:all\s+|the\s+|my\s+|our\s+)?"
    r"(?P<b>modern[- ]trade|wholesalers?|retailers?|distributors?)(?:\s+(?:only|customers?))?\b",
    re.I,
)
_COLLECTION_BY = (
    ("method", r"methods?|modes?|(?:payment\s+)?types?|cash\s+(?:vs|and|or)\s+\w+|upi\s+(?:vs|and|or)\s+\w+"),
    ("collector", r"collectors?|who\s+collected|reps?|salesm[ae]n|staff|(?:sales\s+)?persons?|people|users?"),
    ("customer", r"customers?|retailers?|shops?|outlets?|parties|party"),
    ("day", r"days?|daily|date"),
    ("week", r"weeks?|weekly"),
    ("month", r"months?|monthly"),
)
_WHICH_REPORTS = re.compile(
    r"\b(?:what|which)\s+(?:all\s+|kinds?\s+of\s+|types?\s+of\s+)?reports\b|\blist\s+(?:of\s+)?(?:all\s+)?(?:the\s+)?reports\b"
    r"|\breports?\s+(?:can|do|could)\s+(?:i|you|we)\b|\b(?:available|all)\s+reports\b|\breports\s+(?:available|list)\b",
    re.I,
)
_TOP = re.compile(r"\b(top|bottom|best|worst|highest|lowest|biggest|smallest|least)\s+(\d{1,3})\b", re.I)

if TYPE_CHECKING:
    from .context import Context

    _Base = Any
else:
    _Base = object


class ReportIntents(_Base):
    """Mixed into the Planner: `_catalogue_report` is asked before the reports with tools of their own."""

    ctx: Context

    def _catalogue_report(self, text: str, low: str, cust: str | None, period: dict | None) -> Plan | None:
        if _WHICH_REPORTS.search(low) and self._can("show_report"):
            listed = "\n".join(f"- {name}: {spec.title}" for name, spec in REPORTS.items())
            return Plan(
                text="Reports you can ask for (with a period, a region, a customer and other filters), in the "
                f"chat or as an Excel or CSV file:\n{listed}",
                outcome="answered",
            )
        name = next((n for n, rx in _REPORTS if rx.search(low)), None)
        if name == "collections" and re.search(r"\b(?:gst|tax|taxes|vat|cess)\b", low):
            name = None  # "how much GST did we collect": the tax on sales
        if (
            name == "collections"
            and parse_amounts(text)
            and not re.search(r"\b(?:how much|total|report|summary)\b", low)
        ):
            name = None  # "collected 5000 from X": a payment to record, not a report
        if name is None and _SHARE.search(low) and re.search(r"\b(?:sales|revenue|business|sold|contribut\w+)\b", low):
            name = "sales"
        if name is None and _PER_DAY.search(low):
            name = "orders"
        as_file = _FILE.search(low)
        if as_file:
            name = name or next((n for n, rx in _FILE_OF if rx.search(low)), None)
            if not self._can("export_report"):
                return None
            if name is None:
                return Plan(
                    text="Which report shall I send as a file? For example sales, orders, outstanding, stock, "
                    "collections or inventory movement, with a period.",
                    outcome="clarify",
                )
        elif name is None or not self._can("show_report"):
            return None
        args: dict[str, Any] = {"report": name}
        if period:
            args["period"] = period
        if cust and name not in ("stock", "inventory-movement", "low-stock", "expiring"):
            args["customer"] = cust
        elif name not in ("stock", "inventory-movement", "low-stock", "expiring") and (r := self._region(text)):
            args["region"] = r
        if name in ("stock", "inventory-movement", "low-stock", "expiring") and (wh := self._warehouse(text)):
            args["warehouse"] = wh
        if name in ("sales", "orders", "outstanding", "collections", "order-lines") and (
            kind := customer_type_said(low)
        ):
            args["customer_type"] = kind
        by = self._report_by(name, low)
        if by:
            args["by"] = by
        if top := _TOP.search(low):
            args["limit"] = int(top[2])
            small = top[1].lower() in ("bottom", "worst", "lowest", "smallest", "least")
            args["sort"] = "total" if small else "-total"
        if name == "sales" and "by" not in args and _SHARE.search(low):
            args["by"] = "product"
        if as_file:
            args["format"] = "csv" if _CSV.search(low) else "xlsx"
            return Plan([("export_report", args)])
        return Plan([("show_report", args)])

    def _report_by(self, name: str, low: str) -> str | None:
        if name == "collections":
            for dim, rx in _COLLECTION_BY:
                if re.search(rf"\b(?:by|per|each|wise|every)\s+(?:{rx})\b|\b(?:{rx})[- ]?wise\b", low):
                    return dim
            return None
        if name == "orders" and _PER_DAY.search(low):
            return "day"
        if name == "sales":
            for dim, rx in (
                ("customer", r"customers?|retailers?|shops?|outlets?|parties"),
                ("sku", r"skus?|items?"),
                ("product", r"products?"),
                ("brand", r"brands?"),
                ("category", r"categor(?:y|ies)"),
                ("region", r"regions?|areas?|cities|city|territor\w*"),
                ("day", r"days?|daily"),
                ("week", r"weeks?|weekly"),
                ("month", r"months?|monthly"),
            ):
                if re.search(rf"\b(?:by|per|each|wise|of\s+each|which)\s+(?:{rx})\b|\b(?:{rx})[- ]?wise\b", low):
                    return dim
        return None


def customer_type_said(low: str) -> str | None:
    """A customer type said as a filter ("retailers only", "for wholesalers"), never a customer's name."""
    m = _TYPE_SAID.search(low)
    if not m:
        return None
    said = m["a"] or m["b"] or ""
    return next((code for code, rx in _TYPES if re.fullmatch(rf"(?:{rx})", said.strip(), re.I)), None)
