"""The REST API's request and response bodies. Money is a decimal string ("1234.50"), never a
float; dates are ISO 8601; quantities whole base units unless a unit is named."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Money = str  # a decimal as text, two places


def money(value: Decimal | None) -> Money | None:
    return None if value is None else str(value)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is a 422 naming it

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        # PostgreSQL text cannot hold NUL, and no code or reason has one
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain a NUL character")
        return value


# --- catalogue, prices, schemes, stock --------------------------------------------------------


class Unit(BaseModel):
    unit: str
    factor: int = Field(description="Base units in one of this unit.")


class SkuOut(BaseModel):
    code: str
    name: str
    product: str
    product_name: str
    units: list[Unit]
    tax_rate: str
    mrp: Money | None
    barcode: str | None


class SkuPage(BaseModel):
    items: list[SkuOut]
    next: str | None


class PriceOut(BaseModel):
    sku: str
    customer: str | None
    price: Money | None
    per: str = Field(description="The base unit the price is for.")
    scope: str | None = Field(description="customer | region | customer_type | default; null when not sold.")
    reason: str


class PricePage(BaseModel):
    items: list[PriceOut]
    next: str | None


class SchemeOut(BaseModel):
    code: str
    name: str
    kind: str
    description: str
    valid_from: date | None
    valid_to: date | None


class SchemePage(BaseModel):
    items: list[SchemeOut]
    next: str | None


class StockOut(BaseModel):
    warehouse: str
    sku: str
    sku_name: str
    in_stock: bool
    available: int | None = Field(description="Null for a caller who may only know in or out of stock.")
    reserved: int | None
    damaged: int | None
    expired: int | None


class StockPage(BaseModel):
    items: list[StockOut]
    next: str | None


# --- orders and approvals ----------------------------------------------------------------------


class ItemIn(In):
    sku: str = Field(min_length=1, max_length=100, description="A SKU code.")
    qty: int = Field(gt=0, le=2_147_483_647)
    unit: str | None = Field(default=None, max_length=50, description="One of the SKU's units; base unit if omitted.")


class AdvanceIn(In):
    amount: Decimal = Field(gt=0, max_digits=17, decimal_places=2, description='e.g. "5000.00"')
    method: Literal["cash", "upi", "bank_transfer", "cheque"]
    reference: str | None = Field(default=None, max_length=200)


class OrderPaymentIn(In):
    terms: Literal["credit", "cash_on_delivery", "advance"] = Field(
        default="credit", description="credit (due by the customer's terms), cash_on_delivery, or advance"
    )
    advance: AdvanceIn | None = Field(default=None, description="With terms 'advance': what was paid with the order.")


class OrderIn(In):
    customer: str | None = Field(
        default=None, max_length=100, description="A customer code; a retailer's own if omitted."
    )
    items: list[ItemIn] = Field(min_length=1, max_length=200)
    warehouse: str | None = Field(
        default=None, max_length=100, description="A warehouse code; the customer's if omitted."
    )
    payment: OrderPaymentIn | None = Field(default=None, description="How it is paid; on credit if omitted.")


class LineOut(BaseModel):
    sku: str
    sku_name: str
    qty: int
    free_qty: int
    unit_price: Money
    gross: Money
    discount: Money
    tax: Money
    line_total: Money


class SchemeApplied(BaseModel):
    code: str
    benefit: Money
    description: str


class PreviewOut(BaseModel):
    customer: str
    customer_name: str
    warehouse: str
    status: str = Field(description="What the order would be: confirmed or pending_approval.")
    lines: list[LineOut]
    schemes: list[SchemeApplied]
    notes: list[str]
    approval_reasons: list[str]
    gross: Money
    discount: Money
    tax: Money
    total: Money
    payment: str = Field(description="credit, cash_on_delivery or advance")
    advance: Money | None = None


class OrderSummary(BaseModel):
    order_no: str
    customer: str
    warehouse: str
    status: str
    created_at: datetime
    total: Money
    payment: str = Field(description="credit, cash_on_delivery or advance")


class OrderOut(OrderSummary):
    gross: Money
    discount: Money
    tax: Money
    lines: list[LineOut]
    schemes: list[SchemeApplied]


class OrderPage(BaseModel):
    items: list[OrderSummary]
    next: str | None


class CancelIn(In):
    reason: str | None = Field(default=None, max_length=500)


class RejectIn(In):
    reason: str = Field(min_length=1, max_length=500)


class StatusOut(BaseModel):
    order_no: str
    status: str
    invoice_no: str | None = None


class ApprovalOut(BaseModel):
    order_no: str
    customer: str
    customer_name: str
    total: Money
    why: str
    requested_at: datetime


class ApprovalPage(BaseModel):
    items: list[ApprovalOut]
    next: str | None


# --- payments and outstanding -----------------------------------------------------------------


class PaymentIn(In):
    customer: str | None = Field(
        default=None, max_length=100, description="A customer code; a rep's open visit's outlet if omitted."
    )
    amount: Decimal = Field(gt=0, max_digits=17, decimal_places=2, description='e.g. "1500.00"')
    method: str = Field(min_length=1, max_length=50, description="cash, upi, cheque, … (the core's list)")
    reference: str | None = Field(default=None, max_length=200)


class PaymentOut(BaseModel):
    id: int
    customer: str
    amount: Money
    method: str | None
    reference: str | None
    paid_on: date


class OutstandingOut(BaseModel):
    customer: str
    name: str
    credit_limit: Money | None
    outstanding: Money
    invoiced_unpaid: Money
    overdue: Money
    buckets: dict[str, Money]


class OutstandingPage(BaseModel):
    items: list[OutstandingOut]
    next: str | None


# --- field work -----------------------------------------------------------------------------------


class Location(In):
    latitude: Decimal | None = Field(default=None, ge=-90, le=90)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180)


class VisitIn(Location):
    customer: str = Field(min_length=1, max_length=100)


class VisitEndIn(In):
    outcome: Literal["order", "no_order"] | None = None
    reason: (
        Literal["stock_sufficient", "shop_closed", "owner_absent", "credit_issue", "price_issue", "competitor", "other"]
        | None
    ) = None


class PlanOut(BaseModel):
    position: int
    beat: str
    customer: str
    name: str
    visited: bool
    outcome: str | None


class DayOut(BaseModel):
    day: date
    check_in: datetime
    check_out: datetime | None


class VisitOut(BaseModel):
    id: str
    customer: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    reason: str | None
    off_site: bool
    distance_m: str | None


class ComplianceOut(BaseModel):
    rep: str
    rep_name: str
    start: date
    end: date
    planned: int
    covered: int
    missed: int
    unplanned: int
    off_site: int
    calls: int
    productive: int
    lines: int
    compliance_pct: str | None
    productive_pct: str | None
    lines_per_call: str | None


class TargetOut(BaseModel):
    kind: str
    owner: str
    name: str
    month: str
    target: Money
    achieved: Money
    pct: str | None


class OutletRequestOut(BaseModel):
    id: str
    kind: str
    customer: str
    changes: dict[str, str | None]
    status: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decision_reason: str | None


class OutletRequestPage(BaseModel):
    items: list[OutletRequestOut]
    next: str | None


# --- reports ------------------------------------------------------------------------------------


class ReportInfo(BaseModel):
    name: str
    title: str
    filters: list[str] = Field(description="The query parameters it reads, besides format, sort and limit.")


class ReportList(BaseModel):
    items: list[ReportInfo]
    next: str | None = None


class ReportColumn(BaseModel):
    key: str = Field(description="The key of the column's cells in `rows` and the CSV header.")
    title: str
    kind: Literal["text", "int", "money", "quantity", "date", "percent"] = Field(
        description="money and percent cells are decimal strings; int and quantity numbers; dates ISO 8601."
    )


Cell = str | int | None


class ReportOut(BaseModel):
    name: str
    title: str
    start: date | None
    end: date | None
    columns: list[ReportColumn]
    rows: list[dict[str, Cell]]
    totals: dict[str, Cell] | None = Field(description="The totals row, keyed like the rows; null where none.")
