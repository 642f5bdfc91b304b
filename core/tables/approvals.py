"""Approval tables: the rules and one approval request per order."""

from datetime import datetime
from decimal import Decimal

from sqlmodel import Column, Field, SQLModel

from ..types import DecimalText, timestamp


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
    requested_at: datetime = timestamp()
    decided_by: str | None = None
    decided_at: datetime | None = timestamp(nullable=True)
    decision_reason: str | None = None
    escalated_at: datetime | None = timestamp(nullable=True)
    escalated_to: str | None = None
