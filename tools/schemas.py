"""The tools' argument models: the contract between a model (LLM or the offline planner) and
the tools. Product, customer, region and warehouse arguments take a code or a name as people
say it; the tool resolves it against the world and asks which one when it is ambiguous.
The acting user is never an argument: the runtime injects it."""

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from core.errors import InvalidInput
from core.quantities import parse_number, split_quantity

Dimension = Literal[
    "customer",
    "sku",
    "product",
    "brand",
    "category",
    "region",
    "area",
    "city",
    "district",
    "state",
    "day",
    "week",
    "month",
]
RankDimension = Literal[
    "customer", "sku", "product", "brand", "category", "region", "area", "city", "district", "state"
]
OrderStatusWord = Literal[
    "pending", "open", "pending_approval", "confirmed", "rejected", "cancelled", "dispatched", "delivered", "all"
]
Method = Literal["cash", "upi", "bank_transfer", "cheque"]


class Period(BaseModel):
    """A date range (inclusive), in the business's time zone."""

    start: str | None = Field(None, description="YYYY-MM-DD")
    end: str | None = Field(None, description="YYYY-MM-DD")
    label: str | None = Field(None, description="how the user said it, e.g. 'last month'")


class FindProducts(BaseModel):
    query: str = Field(
        description="the product as the user said it (misspellings are fine): name, alias, code, "
        "barcode or a description"
    )


class ProductDetails(BaseModel):
    product: str = Field(description="the product as the user said it (name, even misspelt, alias or SKU code)")
    customer: str | None = Field(
        None, description="customer name as the user typed it, or code, for prices on their behalf"
    )


class ListSchemes(BaseModel):
    product: str | None = Field(None, description="SKU code or name to filter offers by")
    customer: str | None = Field(None, description="customer code or name (default: the user's own)")


class StockQuery(BaseModel):
    product: str | None = Field(None, description="the product as the user said it (name or SKU code); empty = all")
    warehouse: str | None = Field(
        None, description="warehouse name or code as the user said it; empty = every warehouse I can see"
    )


class LowStock(BaseModel):
    warehouse: str | None = Field(
        None, description="warehouse name or code as the user said it; empty = every warehouse I can see"
    )


class ExpiringStock(BaseModel):
    within_days: int = Field(
        30,
        ge=0,
        le=3650,
        description="batches expiring within this many days from today (expired batches are always included)",
    )
    product: str | None = Field(None, description="the product as the user said it; empty = all")
    warehouse: str | None = Field(
        None, description="warehouse name or code as the user said it; empty = every warehouse I can see"
    )


class ListOrders(BaseModel):
    status: OrderStatusWord | None = Field(
        None, description="'pending'/'open' = not yet delivered, cancelled or rejected"
    )
    customer: str | None = Field(None, description="customer name as the user typed it, or code")
    region: str | None = Field(None, description="region name or code at any level (area, city, state)")
    period: Period | None = Field(None, description="order dates: start and end as YYYY-MM-DD")


class GetOrder(BaseModel):
    order_no: str = Field(description="the order number as the user gave it, e.g. SO-0905")


# Quantities and units as people say them: the core reads both through one vocabulary
# (core.units, core.quantities), so a call with unit="cartons", "peti" or "katte" reads the same
# as the offline planner does, and a quantity such as 1.5, "half" or "two dozen" comes to whole
# base units or is refused with the reason.
Quantity = int | Decimal | str
QTY_WORDS = (
    "how many, in `unit`: a number (12, 1.5) or as the user said it ('half', 'dedh', 'two dozen', "
    "'1,200'); it must come to a whole number of the base unit"
)
UNIT_WORDS = (
    "the unit as the user said it: one of the SKU's units or any word for it (BOX, cartons, peti, "
    "katte, dabba); empty = the base unit. Never guess: an unknown word is refused"
)


def checked_quantity(value, signed: bool = False):
    """A quantity argument that reads as a number (words and shorthand too), above zero unless
    `signed`; the message says how to fix the call."""
    if isinstance(value, bool):
        raise ValueError("give a number such as 12 or 1.5")
    text = value.strip() if isinstance(value, str) else value
    sign = 1
    if isinstance(text, str) and text[:1] in ("-", "+"):
        sign, text = (-1 if text[0] == "-" else 1), text[1:].strip()
    try:
        number = sign * parse_number(split_quantity(text)[0] if isinstance(text, str) else text)
    except InvalidInput:
        raise ValueError(
            "not a quantity: give a number (12, 1.5, 1,200) or words ('half', 'two dozen', 'dedh')"
        ) from None
    if number == 0 or (number < 0 and not signed):
        raise ValueError("must be greater than 0" if not signed else "must not be 0")
    return value


class OrderItem(BaseModel):
    product: str = Field(description="the product as the user said it (name, even misspelt, alias or SKU code)")
    qty: Quantity = Field(description=QTY_WORDS)
    unit: str | None = Field(None, description=UNIT_WORDS)

    @field_validator("qty", mode="before")
    @classmethod
    def _qty(cls, v):
        return checked_quantity(v)


class CreateOrder(BaseModel):
    items: list[OrderItem] = Field(min_length=1, description="one entry per product, each as the user said it")
    customer: str | None = Field(
        None, description="customer name as the user typed it, or code; empty = the user's own shop"
    )
    warehouse: str | None = Field(None, description="warehouse name or code; empty = the customer's own")
    payment: Literal["credit", "cash_on_delivery", "advance"] | None = Field(
        None, description="how the order is paid: credit (default), cash_on_delivery, or advance (give the advance)"
    )
    advance_amount: str | None = Field(None, description="the advance paid with the order, as said: '5000', '10k'")
    advance_method: Method | None = Field(None, description="how the advance was paid")
    advance_reference: str | None = Field(None, description="cheque number, UTR or other reference of the advance")


class OrderRef(BaseModel):
    order_no: str = Field(description="the order number as the user gave it, e.g. SO-0905")


class RejectOrder(BaseModel):
    order_no: str = Field(description="the order number as the user gave it, e.g. SO-0905")
    reason: str = Field(min_length=1, description="why, in the user's words")


class RecordPayment(BaseModel):
    customer: str | None = Field(None, description="customer name as the user typed it, or code")
    amount: str | int | Decimal = Field(
        description="the amount as said: '5000.00', 'Rs 1,20,000', '10k', '1.5 lakh', '50 hazaar'"
    )
    method: Method = Field(description="how it was paid: cash, upi, bank_transfer or cheque")
    reference: str | None = Field(None, description="cheque number, UTR or other reference, if the user gave one")


class Outstanding(BaseModel):
    customer: str | None = Field(None, description="customer code or name; empty = mine, or all in my scope")
    min_days_overdue: int | None = Field(
        None,
        ge=1,
        description="only amounts at least this many days past their due date, e.g. 30 for 'over 30 days overdue'",
    )
    over_limit: bool = Field(False, description="only customers who owe more than their credit limit")
    more_than: str | None = Field(
        None, description="only customers who owe more than this amount, as said: '50000', '1 lakh', '2.5L'"
    )
    overdue_more_than: str | None = Field(
        None, description="only customers with more than this amount overdue (past its due date), as said"
    )
    own: bool = Field(False, description="the user's own account (a distributor asking what it owes itself)")


class CustomerFilters(BaseModel):
    """Which customers count; each is a code or a name as the user said it, resolved in the user's scope."""

    customer: str | None = Field(None, description="customer code or name")
    region: str | None = Field(
        None,
        description="region code or name at any level (area, city, state…): "
        "its customers and those of every region under it",
    )
    beat: str | None = Field(None, description="beat code or name: the outlets on it")
    sales_rep: str | None = Field(
        None, description="sales rep's user id or name: the customers of their regions and beats"
    )
    distributor: str | None = Field(
        None, description="distributor's customer code or name: the distributor and the retailers it serves"
    )


class LineFilters(BaseModel):
    """Which products count: only their order lines are summed."""

    brand: str | None = Field(None, description="brand code or name (its sub-brands included)")
    category: str | None = Field(None, description="category code or name (its sub-categories included)")
    product: str | None = Field(None, description="a product's name (all its SKUs) or one SKU's code or name")


class SalesReport(CustomerFilters, LineFilters):
    period: Period | None = Field(None, description="order dates: start and end as YYYY-MM-DD")
    by: Dimension | None = Field(
        None,
        description="group by: customer, sku, product, brand, category, region (the "
        "customer's own), a level of the region tree (area, city, "
        "district, state), day, week or month",
    )
    compare: bool = Field(
        False, description="also the period before (same days of the previous month(s)) and the growth"
    )


class OrderSummary(BaseModel):
    period: Period | None = Field(None, description="order dates: start and end as YYYY-MM-DD")
    customer: str | None = Field(None, description="customer name as the user typed it, or code")
    region: str | None = Field(None, description="region name or code at any level (area, city, state)")


class AdjustStock(BaseModel):
    warehouse: str | None = Field(
        None, description="warehouse code or name; empty = the only one (in my scope) holding the batch or product"
    )
    product: str | None = Field(None, description="SKU code or product name; may be empty when a batch is given")
    batch: str | None = Field(
        None,
        description="batch code (any case); empty = the SKU's only batch in that "
        "warehouse, else the user is asked which, with the batches listed",
    )
    delta: int | Decimal | str | None = Field(
        None,
        description="signed change to the available quantity, in `unit`: "
        "+5 = five more than recorded (found), -3 = three "
        "fewer (missing); empty when `counted` is given",
    )
    counted: int | Decimal | str | None = Field(
        None,
        description="the quantity a physical count found, in `unit` (the change is worked out from what is recorded)",
    )
    unit: str | None = Field(
        None, description="unit of delta or counted as said (BOX, cartons, peti); empty = base unit"
    )
    reason: str = Field(min_length=1, description="why: count correction, found broken…")

    @field_validator("delta", mode="before")
    @classmethod
    def _delta(cls, v):
        return None if v is None else checked_quantity(v, signed=True)

    @field_validator("counted", mode="before")
    @classmethod
    def _counted(cls, v):
        if v is None:
            return None
        if str(v).strip() in ("0", "0.0"):
            return 0
        return checked_quantity(v)

    @model_validator(mode="after")
    def _one_of(self):
        if (self.delta is None) == (self.counted is None):
            raise ValueError("give either delta (the change) or counted (what a count found), not both or neither")
        return self


class RecordDamage(BaseModel):
    warehouse: str | None = Field(
        None, description="warehouse code or name; empty = the only one (in my scope) holding the batch or product"
    )
    product: str | None = Field(None, description="SKU code or product name; may be empty when a batch is given")
    batch: str | None = Field(None, description="batch code; empty = the SKU's only batch in that warehouse")
    qty: Quantity = Field(description="how many to move from available to damaged, in `unit`")
    unit: str | None = Field(None, description="unit of qty as said (BOX, cartons, peti); empty = base unit")
    reason: str = Field(min_length=1, description="what happened: torn, broken, leaking…")

    @field_validator("qty", mode="before")
    @classmethod
    def _qty(cls, v):
        return checked_quantity(v)


class Reorder(BaseModel):
    order_no: str | None = Field(
        None,
        description="the past order to repeat, e.g. SO-0905; empty = the customer's latest order ('same as last time')",
    )
    customer: str | None = Field(
        None, description="customer code or name whose latest order to repeat; empty = my own account"
    )
    warehouse: str | None = Field(None, description="warehouse code or name; empty = the customer's own")


InvoiceStatus = Literal["unpaid", "overdue", "paid", "all"]


class ListInvoices(CustomerFilters):
    status: InvoiceStatus | None = Field(
        None,
        description="'unpaid' = anything left to pay (overdue included), "
        "'overdue' = past the due date and not fully paid; "
        "empty = all",
    )
    period: Period | None = Field(None, description="invoice dates (issued on)")
    min_days_overdue: int | None = Field(None, ge=1, description="only invoices at least this many days past due")


class InvoiceRef(BaseModel):
    invoice: str = Field(description="invoice number (e.g. INV-0003) or the number of its order (e.g. SO-0904)")


class PaymentDue(BaseModel):
    customer: str | None = Field(None, description="customer code or name; empty = my own account")


class SalesRanking(CustomerFilters, LineFilters):
    by: RankDimension = Field(
        "product",
        description="what to rank: customer, sku, product, brand, category, or "
        "regions (region, area, city, district, state)",
    )
    measure: Literal["value", "quantity"] = Field(
        "value", description="'value' = net sales before tax; 'quantity' = base units sold"
    )
    direction: Literal["top", "bottom"] = Field(
        "top", description="'top' = best sellers first; 'bottom' = worst first, including those that sold nothing"
    )
    n: int = Field(5, ge=1, le=100, description="how many to show")
    period: Period | None = Field(None, description="order dates: start and end as YYYY-MM-DD")


class SalesTrend(CustomerFilters, LineFilters):
    grain: Literal["day", "week", "month"] = Field("month", description="one point per day, week (Mon-Sun) or month")
    period: Period | None = Field(None, description="empty = the last 30 days, 12 weeks or 6 months")


class InactiveCustomers(BaseModel):
    days: int = Field(30, ge=1, le=3650, description="no order placed in this many days (today included)")
    region: str | None = Field(None, description="region code or name at any level")
    beat: str | None = Field(None, description="beat code or name")
    sales_rep: str | None = Field(None, description="sales rep's user id or name")
    distributor: str | None = Field(None, description="distributor's customer code or name")


class TrackOrder(BaseModel):
    order_no: str = Field(description="the order's number, e.g. SO-0905")


class ReceiveStock(BaseModel):
    product: str = Field(description="SKU code or product name")
    qty: Quantity = Field(description="how many arrived, in `unit`")
    unit: str | None = Field(None, description=UNIT_WORDS)
    batch: str | None = Field(None, description="the batch code printed on the goods (new or existing batch)")
    warehouse: str | None = Field(None, description="warehouse code or name; empty = the only one I can receive into")
    mfg_date: str | None = Field(None, description="manufacturing date, YYYY-MM-DD")
    expiry_date: str | None = Field(None, description="expiry date, YYYY-MM-DD")
    note: str | None = Field(None, description="supplier, delivery challan or GRN reference")

    @field_validator("qty", mode="before")
    @classmethod
    def _qty(cls, v):
        return checked_quantity(v)


class KnowledgeSearch(BaseModel):
    query: str = Field(description="the user's question in their own words")


class NoArgs(BaseModel):
    pass


# --- field work ----------------------------------------------------------------------------

NoOrderReason = Literal[
    "stock_sufficient", "shop_closed", "owner_absent", "credit_issue", "price_issue", "competitor", "other"
]
OutletClass = Literal["A", "B", "C"]
CustomerType = Literal["distributor", "wholesaler", "retailer", "modern_trade"]


class Location(BaseModel):
    latitude: str | float | None = Field(None, description="decimal degrees, when the channel shared a location")
    longitude: str | float | None = Field(None, description="decimal degrees, when the channel shared a location")


class StartVisit(Location):
    customer: str = Field(description="the outlet (customer) as the user named it: name or code")
    notes: str | None = Field(None, description="anything the user added about the visit")


class EndVisit(BaseModel):
    outcome: Literal["order", "no_order"] | None = Field(
        None, description="order when an order was placed in the visit; else no_order with a reason"
    )
    reason: NoOrderReason | None = Field(None, description="why there was no order")
    notes: str | None = Field(None, description="the user's own words about the visit")


class Plan(BaseModel):
    rep: str | None = Field(None, description="a sales rep of my team (name); empty = mine")
    date: str | None = Field(None, description="YYYY-MM-DD; empty = today")


class SuggestOrder(BaseModel):
    customer: str | None = Field(None, description="the outlet as the user named it; empty = the one I am visiting")


class OutletUpdate(Location):
    customer: str | None = Field(None, description="the outlet as the user named it; empty = the one I am visiting")
    phone: str | None = Field(None, description="the new phone number as given")
    contact_person: str | None = Field(None, description="the new contact person's name")
    outlet_class: OutletClass | None = Field(None, description="the outlet's new class")


class NewOutlet(Location):
    name: str = Field(description="the shop's name as given")
    region: str = Field(description="the area, city or region it is in, as said")
    type: CustomerType = Field("retailer", description="what kind of customer it is")
    phone: str | None = Field(None, description="its phone number")
    contact_person: str | None = Field(None, description="the owner or contact person")
    outlet_class: OutletClass | None = Field(None, description="its class, if said")


class OutletRequestRef(BaseModel):
    request: str = Field(description="the request's id (OR-…), or the rep's or the outlet's name as said")


class RejectOutletRequest(OutletRequestRef):
    reason: str = Field(min_length=1, description="why, in the user's words")


class TeamPeriod(BaseModel):
    period: Period | None = Field(None, description="empty = today")
    rep: str | None = Field(None, description="one sales rep of my team (name); empty = all I can see")
    by: Literal["day", "week"] = Field("day", description="one row per rep and day, or per rep and week")


class MissedBeat(BaseModel):
    date: str | None = Field(None, description="YYYY-MM-DD; empty = today")
    rep: str | None = Field(None, description="one sales rep of my team (name); empty = all I can see")


class Targets(BaseModel):
    month: str | None = Field(None, description="YYYY-MM; empty = this month")


class IdleOutlets(BaseModel):
    days: int = Field(30, ge=1, le=3650, description="outlets with no visit in this many days")


class CatalogueReport(CustomerFilters, LineFilters):
    """Any named report of the catalogue (core.report_catalog), with its filters."""

    report: str = Field(
        description="the report's name: sales, orders, stock, low-stock, expiring, inventory-movement, "
        "outstanding, collections, distributor-performance, visit-compliance, attendance, targets, "
        "outlets-not-visited, order-lines"
    )
    period: Period | None = Field(None, description="the period: start and end as YYYY-MM-DD")
    by: str | None = Field(
        None, description="group by, where the report groups: a sales dimension, day/week/month, method, collector"
    )
    customer_type: str | None = Field(None, description="retailer, wholesaler, distributor… as the world names them")
    warehouse: str | None = Field(None, description="warehouse code or name")
    status: str | None = Field(None, description="order status")
    sort: str | None = Field(None, description="a column to sort by; '-column' for largest first")
    limit: int | None = Field(None, ge=1, le=1000, description="only the first N rows after sorting (top N)")
    days: int | None = Field(None, ge=1, le=3650, description="a window in days (expiring within, not visited in)")


class ExportReport(CatalogueReport):
    """A named report of the catalogue as a file (`export_report`): the same report and filters as
    `show_report`, and the file's format."""

    format: Literal["xlsx", "csv"] = Field(
        "xlsx", description="'xlsx' = an Excel spreadsheet (the default), 'csv' = plain comma-separated values"
    )
