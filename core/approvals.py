"""Credit and approvals: rules, one approval request per order."""
from datetime import datetime
from decimal import Decimal

from sqlmodel import Column, Field, SQLModel

from .types import DecimalText

RULE_KINDS = ("order_total_over", "credit_limit_exceeded", "discount_over_pct", "customer_pending")
ROLE_RANK = {"admin": 2, "manager": 1}


class ApprovalRule(SQLModel, table=True):
    __tablename__ = "approval_rule"
    code: str = Field(primary_key=True)
    when: str
    threshold: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    approver_role: str
    escalate_after_hours: int | None = None
    escalate_to_role: str | None = None


class Approval(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(index=True, unique=True)
    reasons: str  # '|'-separated rule kinds
    rules: str = ""  # '|'-separated rule codes
    approver_role: str
    status: str = "pending"  # pending | approved | rejected | cancelled
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    escalated_at: datetime | None = None
    escalated_to: str | None = None
