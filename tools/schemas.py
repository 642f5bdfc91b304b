"""The tools' argument models: the contract between a model (LLM or the offline planner) and
the tools. Product, customer, region and warehouse arguments take a code or a name as people
say it; the tool resolves it against the world and asks which one when it is ambiguous.
The acting user is never an argument: the runtime injects it."""
from typing import Literal

from pydantic import BaseModel, Field

Dimension = Literal["customer", "sku", "product", "brand", "category", "region", "day", "month"]
OrderStatusWord = Literal["pending", "open", "pending_approval", "confirmed", "rejected", "cancelled",
                          "dispatched", "delivered", "all"]
Method = Literal["cash", "upi", "bank_transfer", "cheque"]


class Period(BaseModel):
    """A date range (inclusive), in the business's time zone."""

    start: str | None = Field(None, description="YYYY-MM-DD")
    end: str | None = Field(None, description="YYYY-MM-DD")
    label: str | None = Field(None, description="how the user said it, e.g. 'last month'")


class FindProducts(BaseModel):
    query: str = Field(description="what the user calls the product: name, alias, code, barcode or a description")


class ProductDetails(BaseModel):
    product: str = Field(description="SKU code or product name")
    customer: str | None = Field(None, description="customer code or name, for prices on their behalf")


class ListSchemes(BaseModel):
    product: str | None = Field(None, description="SKU code or name to filter offers by")
    customer: str | None = Field(None, description="customer code or name (default: the user's own)")


class StockQuery(BaseModel):
    product: str | None = Field(None, description="SKU code or name; empty = all")
    warehouse: str | None = None


class LowStock(BaseModel):
    warehouse: str | None = None


class ListOrders(BaseModel):
    status: OrderStatusWord | None = Field(None, description="'pending'/'open' = not yet delivered, cancelled or rejected")
    customer: str | None = None
    region: str | None = None
    period: Period | None = None


class GetOrder(BaseModel):
    order_no: str


class OrderItem(BaseModel):
    product: str = Field(description="SKU code or product name")
    qty: int = Field(gt=0)
    unit: str | None = Field(None, description="one of the SKU's units (e.g. BOX, CASE); empty = base unit")


class CreateOrder(BaseModel):
    items: list[OrderItem] = Field(min_length=1)
    customer: str | None = Field(None, description="customer code or name; empty = the user's own shop")
    warehouse: str | None = None


class OrderRef(BaseModel):
    order_no: str


class RejectOrder(BaseModel):
    order_no: str
    reason: str = Field(min_length=1)


class RecordPayment(BaseModel):
    customer: str | None = Field(None, description="customer code or name")
    amount: str = Field(description="decimal amount, e.g. '5000.00'")
    method: Method
    reference: str | None = None


class Outstanding(BaseModel):
    customer: str | None = Field(None, description="customer code or name; empty = mine, or all in my scope")


class SalesReport(BaseModel):
    period: Period | None = None
    by: Dimension | None = None
    customer: str | None = None
    region: str | None = None


class OrderSummary(BaseModel):
    period: Period | None = None
    customer: str | None = None
    region: str | None = None


class AdjustStock(BaseModel):
    warehouse: str | None = Field(None, description="warehouse code or name; empty = the only one (in my scope) "
                                                    "holding the batch or product")
    product: str | None = Field(None, description="SKU code or product name; may be empty when a batch is given")
    batch: str | None = Field(None, description="batch code; empty = the SKU's only batch in that warehouse")
    delta: int = Field(description="signed change to the available quantity, e.g. -3 or 2")
    unit: str | None = Field(None, description="unit of delta (e.g. BOX); empty = base unit")
    reason: str = Field(min_length=1, description="why: count correction, found broken…")


class RecordDamage(BaseModel):
    warehouse: str | None = Field(None, description="warehouse code or name; empty = the only one (in my scope) "
                                                    "holding the batch or product")
    product: str | None = Field(None, description="SKU code or product name; may be empty when a batch is given")
    batch: str | None = Field(None, description="batch code; empty = the SKU's only batch in that warehouse")
    qty: int = Field(gt=0, description="how many to move from available to damaged")
    unit: str | None = Field(None, description="unit of qty; empty = base unit")
    reason: str = Field(min_length=1, description="what happened: torn, broken, leaking…")


class KnowledgeSearch(BaseModel):
    query: str


class NoArgs(BaseModel):
    pass


# name -> (argument model, mutating, permission, description)
TOOL_SPECS: dict[str, tuple[type[BaseModel], bool, str, str]] = {
    "find_products": (FindProducts, False, "catalogue", "Search the catalogue by name, alias, code, barcode or meaning."),
    "product_details": (ProductDetails, False, "catalogue", "A product's units, price for the customer (with the reason), offers and whether it is in stock."),
    "list_schemes": (ListSchemes, False, "catalogue", "Offers and schemes that apply to me or a customer today."),
    "stock_levels": (StockQuery, False, "stock.view", "Stock of a product or all products (retailers see only in stock / out of stock)."),
    "low_stock": (LowStock, False, "stock.quantities", "Products at or below their reorder level, per warehouse."),
    "list_orders": (ListOrders, False, "orders.view", "Orders with filters: status, customer, region, period."),
    "get_order": (GetOrder, False, "orders.view", "One order with its lines, schemes and status."),
    "create_order": (CreateOrder, True, "orders.create", "Place an order (for me or a customer). Shows a preview and waits for confirmation."),
    "cancel_order": (OrderRef, True, "orders.cancel", "Cancel a pending or confirmed order (stock is released)."),
    "pending_approvals": (NoArgs, False, "orders.approve", "Orders waiting for my approval."),
    "approve_order": (OrderRef, True, "orders.approve", "Approve an order waiting for approval."),
    "reject_order": (RejectOrder, True, "orders.approve", "Reject an order waiting for approval, with a reason."),
    "dispatch_order": (OrderRef, True, "orders.dispatch", "Dispatch a confirmed order: delivery note and invoice."),
    "deliver_order": (OrderRef, True, "orders.dispatch", "Mark a dispatched order delivered."),
    "record_payment": (RecordPayment, True, "payments.record", "Record a customer's payment."),
    "outstanding": (Outstanding, False, "payments.view", "What a customer owes, with ageing of unpaid invoices."),
    "sales_report": (SalesReport, False, "orders.view", "Sales (net and with tax) for a period, optionally by customer, SKU, product, brand, category, region, day or month."),
    "order_summary": (OrderSummary, False, "orders.view", "Count and value of orders by status for a period."),
    "adjust_stock": (AdjustStock, True, "stock.adjust", "Correct a batch's available stock up or down (count corrections), with a reason. Shows a preview and waits for confirmation."),
    "record_damage": (RecordDamage, True, "stock.adjust", "Move a quantity of a batch from available to damaged, with a reason. Shows a preview and waits for confirmation."),
    "search_knowledge": (KnowledgeSearch, False, "catalogue", "Answer from the business's policy documents (returns, delivery, payment terms…), citing the document."),
}
