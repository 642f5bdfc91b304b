"""Every table of the core, imported in one place for metadata and migrations."""
from sqlmodel import SQLModel

from .approvals import Approval, ApprovalRule
from .audit import AuditEntry, OutboxMessage
from .billing import DeliveryNote, Invoice, Payment
from .catalogue import Brand, Category, Product, Sku, SkuUnit
from .field import Beat
from .inventory import StockBalance, StockMovement
from .orders import Counter, Order, OrderAllocation, OrderLine, OrderScheme
from .parties import Customer, Region, User, Warehouse
from .pricing import Price
from .schemes import Scheme

metadata = SQLModel.metadata

__all__ = [
    "Approval", "ApprovalRule", "AuditEntry", "OutboxMessage", "DeliveryNote", "Invoice", "Payment",
    "Brand", "Category", "Product", "Sku", "SkuUnit", "Beat", "StockBalance", "StockMovement",
    "Counter", "Order", "OrderAllocation", "OrderLine", "OrderScheme", "Customer", "Region", "User",
    "Warehouse", "Price", "Scheme", "metadata",
]
