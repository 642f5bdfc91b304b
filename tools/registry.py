"""Every tool by name, the ones a role may use, and their LangChain form for binding to a chat model."""
from core.access import Actor

from . import (
    approvals,
    billing,
    catalogue,
    insights,
    invoices,
    knowledge,
    orders,
    receipts,
    reorders,
    reports,
    stock,
    tracking,
)
from .base import Tool
from .schemas import TOOL_SPECS

_CLASSES = [
    catalogue.FindProducts, catalogue.ProductDetails, catalogue.ListSchemes, stock.StockLevels, stock.LowStock, stock.ExpiringStock, stock.AdjustStock, stock.RecordDamage,
    orders.ListOrders, orders.GetOrder, orders.CreateOrder, orders.CancelOrder, approvals.PendingApprovals,
    approvals.ApproveOrder, approvals.RejectOrder, orders.DispatchOrder, orders.DeliverOrder,
    billing.RecordPayment, billing.Outstanding, reports.SalesReport, reports.OrderSummary, knowledge.SearchKnowledge,
    reorders.Reorder, invoices.ListInvoices, invoices.GetInvoice, invoices.SendInvoice, invoices.PaymentDue,
    insights.SalesRanking, insights.SalesTrend, insights.InactiveCustomers, tracking.TrackOrder, receipts.ReceiveStock,
]

# In TOOL_SPECS order, so the model sees them in a stable order.
ALL_TOOLS: dict[str, Tool] = {t.name: t for t in sorted((c() for c in _CLASSES), key=lambda t: list(TOOL_SPECS).index(t.name))}
_missing = set(TOOL_SPECS) - set(ALL_TOOLS)
assert not _missing, f"tools without an implementation: {sorted(_missing)}"


def tools_for(actor: Actor) -> list[Tool]:
    """The tools whose permission the actor's role has: all the model may see."""
    return [t for t in ALL_TOOLS.values() if actor.can(t.permission)]


def get_tool(name: str) -> Tool:
    try:
        return ALL_TOOLS[name]
    except KeyError:
        raise KeyError(f"no tool {name!r}") from None


def langchain_tools(tools: list[Tool]) -> list:
    """StructuredTools carrying each tool's schema and description, for `bind_tools`. The
    runtime runs tools itself (with the caller's identity), so calling one directly is an error."""
    from langchain_core.tools import StructuredTool

    def unbound(name: str):
        def refuse(**_):
            raise RuntimeError(f"{name} is run by the assistant runtime, not by LangChain.")
        return refuse

    return [StructuredTool.from_function(func=unbound(t.name), name=t.name, description=t.description,
                                         args_schema=t.args_model) for t in tools]
