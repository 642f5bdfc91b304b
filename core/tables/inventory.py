"""Inventory tables: batch balances, the stock ledger and the batches reserved for orders."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class StockBalance(SQLModel, table=True):
    """One batch of one SKU in one warehouse; the balances equal the ledger's sums."""

    __tablename__ = "stock_balance"
    warehouse: str = Field(primary_key=True)
    sku: str = Field(primary_key=True)
    batch: str = Field(primary_key=True)
    mfg_date: date | None = None
    expiry_date: date | None = None
    received_on: date | None = None
    available: int = 0
    reserved: int = 0
    damaged: int = 0


class StockMovement(SQLModel, table=True):
    __tablename__ = "stock_movement"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    warehouse: str = Field(index=True)
    sku: str = Field(index=True)
    batch: str
    kind: str
    d_available: int = 0
    d_reserved: int = 0
    d_damaged: int = 0
    order_no: str | None = Field(default=None, index=True)
    user_id: str | None = None
    channel: str | None = None
    reason: str | None = None


class OrderAllocation(SQLModel, table=True):
    """Which batches an order's stock (sold and free) is reserved from."""

    __tablename__ = "order_allocation"
    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(index=True)
    sku: str
    batch: str
    qty: int
