"""A report as a file, in the planner's words, where the report words (agent/planner/reports.py)
do not already name one: "send that as Excel", "xlsx bhejo" after a report take the last read;
"sales by brand for Priya's customers in a spreadsheet" is read without its file words, as any
request is, and a read whose answer a report of the catalogue (`core.report_catalog`) gives
becomes `export_report` with the same period and filters. A request no report answers is answered
in the chat, saying so."""

from __future__ import annotations

import re

from core.report_catalog import REPORTS

from .plan import Plan

_FORMAT = r"(?:excel|xlsx|xls|spreadsheet|csv)"
_ASKS = re.compile(rf"\b{_FORMAT}\b|\bexport\b|\bdownload(?:able)?\b|\bas an? file\b", re.I)
# the file words with the little words that carry them ("as an Excel sheet", "csv mein", "in a spreadsheet")
_FILE_WORDS = [
    rf"\b(?:(?:as|in|into|to|on|via)\s+)?(?:an?\s+)?(?:the\s+)?{_FORMAT}(?:\s+(?:sheet|file|format|workbook))?"
    rf"(?:\s+(?:mein|me|main|pe|par|format))?\b",
    r"\b(?:as|in)\s+an?\s+file\b",
    r"\b(?:export(?:ed)?|download(?:able)?)\b(?:\s+(?:it|this|that))?",
    r"\b(?:please\s+)?(?:send|mail|share|give)\s+(?:it\s+|this\s+|that\s+)?(?:to\s+)?(?:me|us)?\b",
    r"\bbhej(?:o|do|\s+do|iye|ein|na|\s+dijiye|\s+dena)?\b",
]
_LEFT = re.compile(r"\b(?:it|this|that|same|the|report|file|please|pls|plz|kar|karo|do|de|dedo|ye|yeh|woh|wo)\b", re.I)

# The tools whose answer a report of the catalogue gives as a file, and that report's name; any
# other tool is tried by its own name ("stock_levels" -> "stock-levels"), should the catalogue
# hold a report of that name.
TOOL_REPORTS = {"sales_report": "sales", "order_summary": "orders", "list_orders": "order-lines"}
ARG_FILTERS = {"product": "sku"}  # a tool's argument -> the report's filter of the same meaning
NOT_GIVEN: tuple[object, ...] = (None, "", [], {}, False)


def file_format(text: str) -> str | None:
    """The file asked for: csv when said, else xlsx; None when no file is asked for."""
    if not _ASKS.search(text):
        return None
    return "csv" if re.search(r"\bcsv\b", text, re.I) else "xlsx"


def without_file_words(text: str) -> str:
    for rx in _FILE_WORDS:
        text = re.sub(rx, " ", text, flags=re.I)
    return " ".join(text.split()).strip(" ,.;:!?-")


def names_nothing(text: str) -> bool:
    """ "it", "that one please", "": the request is the one before."""
    return not re.sub(r"[\W_]+", " ", _LEFT.sub(" ", text)).strip()


def report_for(tool: str) -> str | None:
    name = TOOL_REPORTS.get(tool, tool.replace("_", "-"))
    return name if name in REPORTS else None


def as_export(plan: Plan, fmt: str) -> Plan | None:
    """The plan's one read as `export_report`, when a report answers it with every filter it
    carries (a filter the report cannot apply would widen the file: then None)."""
    if len(plan.calls) != 1 or plan.outcome in ("refused", "clarify"):
        return None
    tool, args = plan.calls[0]
    if tool in ("show_report", "export_report"):  # a catalogue report already: the same, as a file
        return Plan([("export_report", {**args, "format": fmt})], note=plan.note)
    name = report_for(tool)
    if name is None:
        return None
    spec = REPORTS[name]
    out: dict = {"report": name, "format": fmt}
    for key, value in args.items():
        if any(value is v or value == v for v in NOT_GIVEN):
            continue
        if key == "period":
            if not {"start", "end"} <= spec.filters:
                return None
        elif ARG_FILTERS.get(key, key) not in spec.filters | {"sort", "limit"}:
            return None
        out[key] = value
    return Plan([("export_report", out)], note=plan.note)


def cannot_send(plan: Plan) -> Plan:
    """No report gives this answer as a file: the answer in the chat, and what can be sent."""
    names = ", ".join(n.replace("-", " ") for n in REPORTS)
    plan.note = (plan.note + " " if plan.note else "") + (
        f"I can send these reports as a file: {names}. This one I can only show here."
    )
    return plan
