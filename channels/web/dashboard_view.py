"""The dashboard as the web shows it: filters read from a query string, each tile's links (the
report behind it with the same filters, and its CSV/XLSX export), and the JSON shape of
`GET /api/v1/dashboard` (money as decimal strings, dates ISO)."""

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from core.dashboard import Dashboard, Filters, _month_back
from core.report_catalog import REPORTS

# Where a tile leads when its report is not (yet) in the catalogue: the page that shows the same
PAGES = {"low-stock": "/stock", "expiring": "/stock", "visit-compliance": None, "targets": None}


def filters_from(params: dict[str, str]) -> Filters:
    def given(key: str) -> str | None:
        v = (params.get(key) or "").strip()
        return v or None

    return Filters(region=given("region"), distributor=given("distributor"), period=given("period") or "today")


def filter_query(f: Filters) -> dict[str, str]:
    q = {"region": f.region, "distributor": f.distributor}
    return {k: v for k, v in q.items() if v}


def report_links(name: str, f: Filters, **query: Any) -> dict[str, str] | None:
    """The report page and its exports with the dashboard's filters (region, distributor) and the
    tile's own span; None when the catalogue has no such report (then a page may stand in)."""
    params = {
        **filter_query(f),
        **{k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in query.items() if v is not None},
    }
    if name not in REPORTS:
        page = PAGES.get(name)
        return {"report": page + ("?" + urlencode(filter_query(f)) if filter_query(f) else "")} if page else None
    qs = urlencode(params)
    sep = "&" if qs else ""
    return {
        "report": f"/reports/{name}" + (f"?{qs}" if qs else ""),
        "csv": f"/api/v1/reports/{name}?format=csv{sep}{qs}",
        "xlsx": f"/api/v1/reports/{name}?format=xlsx{sep}{qs}",
    }


def links(d: Dashboard) -> dict[str, dict[str, str] | None]:
    f, today = d.filters, d.today
    out: dict[str, dict[str, str] | None] = {
        "orders": report_links("orders", f, start=d.orders.span.start, end=d.orders.span.end),
        "statuses": report_links("orders", f, start=d.orders.span.start, end=d.orders.span.end),
        "approvals": {"report": "/approvals"},
    }
    if d.revenue is not None:
        out["revenue"] = report_links("sales", f, start=d.revenue.span.start, end=d.revenue.span.end)
        out["daily"] = report_links("sales", f, by="day", start=today - timedelta(days=29), end=today)
        first = today.replace(day=1)
        for _ in range(11):
            first = _month_back(first)
        out["monthly"] = report_links("sales", f, by="month", start=first, end=today)
    if d.stock is not None:
        out["low_stock"] = report_links("low-stock", f)
        out["expiring"] = report_links("expiring", f, days=d.stock.expiry_days)
    if d.field is not None:
        out["field"] = report_links("visit-compliance", Filters(), start=today, end=today)
    if d.targets is not None:
        out["targets"] = report_links("targets", Filters(), start=today.replace(day=1))
    return out


def plain(value: Any) -> Any:
    """Dataclasses to JSON-ready values: money as exact decimal strings, dates and times ISO."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def to_json(d: Dashboard) -> dict[str, Any]:
    body = plain(d)
    body["links"] = links(d)
    return body
