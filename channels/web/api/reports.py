"""The named reports (`core.report_catalog`): their list, and one report as JSON, CSV or XLSX,
streamed from an open session (`base.read_streamed`), as the caller (its scope and role)."""

from collections.abc import Iterator
from dataclasses import fields
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from core import exports
from core.access import Actor
from core.clock import Clock
from core.errors import InvalidInput
from core.report_catalog import REPORTS, ReportQuery, run_report
from core.tabular import Table

from . import models as m
from .base import Caller, ReaderDep, read, read_streamed
from .paging import in_range

router = APIRouter(tags=["reports"])
Format = Literal["json", "csv", "xlsx"]
Name = Annotated[str | None, Field(default=None, max_length=100)]

FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report: JSON (the schema below), CSV (a header of column keys, plain values) or XLSX.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            exports.MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


class ReportParams(BaseModel):
    """The query of `GET /reports/{name}`: `core.report_catalog.ReportQuery`'s fields and the
    format. A report refuses a filter it does not read (422), it never ignores one."""

    model_config = ConfigDict(extra="forbid")  # a misspelt filter is a 422 naming it

    format: Format = Field("json", description="json (default), csv or xlsx (a file to download).")
    start: date | None = Field(None, description="First day (business time zone), inclusive.")
    end: date | None = Field(None, description="Last day, inclusive.")
    by: Name = Field(None, description="A dimension to group by (sales: customer, sku, brand, region, month, …).")
    region: Name = Field(None, description="A region code or name: it and every region under it.")
    customer: Name = Field(None, description="A customer code (or name) in your scope.")
    customer_type: Name = None
    distributor: Name = None
    brand: Name = None
    category: Name = None
    sku: Name = Field(None, description="A SKU code, or a product's name (all its SKUs).")
    warehouse: Name = None
    sales_rep: Name = None
    status: Name = Field(None, description="An order status, or pending/open/all.")
    sort: Name = Field(None, description="A column key; -key sorts descending.")
    limit: int | None = Field(None, ge=1, le=2_147_483_647, description="Only the first N rows after sorting.")
    days: int | None = Field(None, ge=0, le=3650, description="A window in days, for reports that read one.")
    method: Name = Field(None, description="A payment method (collections): cash, upi, bank_transfer, cheque.")

    def query(self) -> ReportQuery:
        given = {f.name: getattr(self, f.name, None) for f in fields(ReportQuery)}  # test_api_reports: all
        given = {k: v.strip() if isinstance(v, str) else v for k, v in given.items()}
        q = ReportQuery(**{k: (None if v == "" else v) for k, v in given.items()})
        in_range("start", q.start)
        in_range("end", q.end)
        if q.start and q.end and q.start > q.end:
            raise InvalidInput(f"start: {q.start} is after end {q.end}.")
        return q


@router.get("/reports", response_model=m.ReportList, summary="The reports you can ask for, with their filters")
def list_reports(who: Caller = ReaderDep):
    def go(s: Session, actor: Actor, clock: Clock) -> m.ReportList:
        return m.ReportList(
            items=[m.ReportInfo(name=r.name, title=r.title, filters=sorted(r.filters)) for r in REPORTS.values()]
        )

    return read(who, go)


@router.get(
    "/reports/{name}",
    response_model=m.ReportOut,
    responses=FILES,
    summary="One report as JSON, CSV or XLSX (format=), streamed",
)
def get_report(
    params: Annotated[ReportParams, Query()],
    name: str = Path(max_length=100, description="A report's name (GET /reports lists them).", examples=list(REPORTS)),
    who: Caller = ReaderDep,
):
    q = params.query()
    fmt = params.format

    def go(s: Session, actor: Actor, clock: Clock) -> tuple[Table, Iterator[bytes]]:
        table = run_report(s, actor, clock, name, q)
        return table, exports.chunks(table, fmt)

    table, body = read_streamed(who, go)
    headers = {}
    if fmt != "json":
        headers["Content-Disposition"] = f'attachment; filename="{exports.filename(table, fmt)}"'
    return StreamingResponse(body, media_type=exports.MEDIA_TYPES[fmt], headers=headers)
