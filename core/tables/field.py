"""Field work: beats (a sales rep's visiting routes), attendance days, visits and what they
link to, outlet change requests and monthly targets."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Column, Field, SQLModel

from ..types import DecimalText, Money, timestamp

VISIT_OUTCOMES = ("order", "no_order")
NO_ORDER_REASONS = (
    "stock_sufficient",
    "shop_closed",
    "owner_absent",
    "credit_issue",
    "price_issue",
    "competitor",
    "other",
)  # rules.md, "Field work"
OUTLET_CLASSES = ("A", "B", "C")


class Beat(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    sales_rep: str = Field(index=True)
    weekday: str | None = None
    customers: str  # '|'-separated customer codes in visiting order


class Attendance(SQLModel, table=True):
    """One working day of a sales rep: check-in, then check-out. At most one open day per rep
    (the partial unique index is the last line of defence behind the rep's row lock)."""

    __tablename__ = "attendance"
    __table_args__ = (
        Index(
            "ux_attendance_open",
            "user_id",
            unique=True,
            postgresql_where=text("check_out IS NULL"),
            sqlite_where=text("check_out IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    day: date = Field(index=True)  # the check-in's date in the business's time zone
    check_in: datetime = timestamp()
    check_out: datetime | None = timestamp(nullable=True)
    in_latitude: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    in_longitude: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    out_latitude: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    out_longitude: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    channel: str | None = None


class Visit(SQLModel, table=True):
    """A rep's call at an outlet. At most one open visit per rep (partial unique index)."""

    __tablename__ = "visit"
    __table_args__ = (
        Index(
            "ux_visit_open",
            "user_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )
    id: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    customer: str = Field(index=True)
    day: date = Field(index=True)  # the start's date in the business's time zone
    attendance_id: int | None = None
    started_at: datetime = timestamp()
    ended_at: datetime | None = timestamp(nullable=True)
    planned: bool = False
    beat: str | None = None
    latitude: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    longitude: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    distance_m: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    off_site: bool = False
    outcome: str | None = None  # order | no_order
    reason: str | None = None  # for no_order (rules.md's list)
    order_no: str | None = None  # for order: the order that made it productive
    notes: str | None = None
    channel: str | None = None


class VisitLink(SQLModel, table=True):
    """An order or a payment recorded during a visit."""

    __tablename__ = "visit_link"
    __table_args__ = (UniqueConstraint("kind", "ref", name="uq_visit_link_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    visit_id: str = Field(index=True)
    kind: str  # order | payment
    ref: str  # order number, or payment id as text


class OutletRequest(SQLModel, table=True):
    """A rep's proposal: a change to an outlet (`update`) or a new outlet (`new`, whose customer
    row exists already with status pending). A manager covering the outlet decides."""

    __tablename__ = "outlet_request"
    id: str = Field(primary_key=True)
    kind: str  # update | new
    customer: str = Field(index=True)
    changes: str = "{}"  # JSON: field -> new value (text)
    previous: str = "{}"  # JSON: field -> value when proposed
    status: str = Field(default="pending", index=True)  # pending | approved | rejected
    proposed_by: str = Field(index=True)
    proposed_at: datetime = timestamp()
    channel: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = timestamp(nullable=True)
    decision_reason: str | None = None


class Target(SQLModel, table=True):
    """A monthly target of net sales for a sales rep (`user_id`) or a distributor (`customer`)."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("month", "user_id", "customer", name="uq_target_month_owner"),)
    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(index=True)  # YYYY-MM
    user_id: str | None = Field(default=None, index=True)
    customer: str | None = Field(default=None, index=True)
    target: Decimal = Field(sa_column=Column(Money, nullable=False))
