"""Approvals: the rules that decide which orders need one and who decides (policy and
routing), and the approval requests, one per order. What a decision does to the order is the
orders' own (core/orders.decide)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from . import audit
from .access import Actor, customer_in_scope
from .cache import derivation
from .catalogue import split_list
from .clock import Clock
from .errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from .locks import transition_row
from .parties import region_children, subtree
from .tables.approvals import Approval, ApprovalRule
from .tables.orders import Order
from .tables.parties import Customer, User
from .types import money, must_exist, rowcount, table_of

RULE_KINDS = ("order_total_over", "credit_limit_exceeded", "discount_over_pct", "customer_pending")
ROLE_RANK = {"admin": 2, "manager": 1}

REASON_TEXT = {
    "order_total_over": "the order total is over {threshold}",
    "credit_limit_exceeded": "it would take the customer over their credit limit",
    "discount_over_pct": "the discount is over {threshold}%",
    "customer_pending": "the customer's account is pending approval",
}


def explain(reason: str, threshold: Decimal | None = None) -> str:
    return REASON_TEXT.get(reason, reason).format(threshold=threshold)


def reason_texts(session: Session, reasons: list[str], rule_codes: list[str]) -> list[str]:
    """Approval reasons in words, with the thresholds of the rules that fired."""
    fired = set(rule_codes)
    thresholds = {r.when: r.threshold for r in _approval_rules(session) if r.code in fired}
    return [explain(r, thresholds.get(r)) for r in reasons]


def approval_why(session: Session, order_no: str) -> str:
    """Why an order needed approval, in words ("" when it never did)."""
    a = session.exec(select(Approval).where(Approval.order_no == order_no)).first()
    return _why(session, a) if a else ""


def _why(session: Session, a: Approval) -> str:
    return "; ".join(reason_texts(session, split_list(a.reasons), split_list(a.rules)))


@dataclass(frozen=True)
class ApprovalRuleRow:
    code: str
    when: str
    threshold: Decimal | None
    approver_role: str


def _read_rules(session: Session) -> tuple[ApprovalRuleRow, ...]:
    a = table_of(ApprovalRule).c
    return tuple(
        ApprovalRuleRow(*row)
        for row in session.execute(select(a.code, a["when"], a.threshold, a.approver_role).order_by(a.code))
    )  # by code, as the database orders


_approval_rules = derivation("approvals.rules", _read_rules)


def evaluate_rules(
    session: Session, customer: Customer, total: Decimal, discount: Decimal, gross: Decimal, outstanding_before: Decimal
) -> tuple[list[str], list[str], str | None]:
    """The reasons (rule kinds), rule codes and approver role for an order (rules.md)."""
    reasons: list[str] = []
    codes: list[str] = []
    role: str | None = None
    for rule in _approval_rules(session):  # by code
        fired = False
        if rule.when == "order_total_over":
            fired = rule.threshold is not None and total > rule.threshold
        elif rule.when == "credit_limit_exceeded":
            fired = customer.credit_limit is not None and outstanding_before + total > customer.credit_limit
        elif rule.when == "discount_over_pct":
            fired = rule.threshold is not None and gross > 0 and discount / gross * 100 > rule.threshold
        elif rule.when == "customer_pending":
            fired = customer.status == "pending"
        if fired:
            if rule.when not in reasons:
                reasons.append(rule.when)
            codes.append(rule.code)
            if role is None or ROLE_RANK.get(rule.approver_role, 0) > ROLE_RANK.get(role, 0):
                role = rule.approver_role
    return reasons, codes, role


def approvers_for(session: Session, customer: Customer, role: str) -> list[User]:
    """Users of `role` whose regions cover the customer (an admin covers all)."""
    users = list(session.exec(select(User).where(User.role == role).order_by(User.id)))
    if role == "admin":
        return users
    children = region_children(session)
    return [u for u in users if customer.region in subtree(children, split_list(u.regions))]


def request_approval(
    session: Session, clock: Clock, order: Order, reasons: list[str], rules: list[str], role: str
) -> Approval:
    now = clock.now()
    approval = Approval(
        order_no=order.order_no,
        reasons="|".join(reasons),
        rules="|".join(rules),
        approver_role=role,
        status="pending",
        requested_at=now,
    )
    session.add(approval)
    customer = cast(Customer, session.get(Customer, order.customer))  # an order's customer: never None
    for user in approvers_for(session, customer, role):
        audit.notify(
            session,
            at=now,
            event="approval_requested",
            recipient=user.id,
            order_no=order.order_no,
            customer=customer.name,
            total=str(order.total),
            reasons=reasons,
        )
    return approval


def may_approve(session: Session, actor: Actor, approval: Approval, customer: Customer) -> bool:
    if not actor.can("orders.approve"):
        return False
    if actor.is_admin:
        return True
    roles = {approval.approver_role} | ({approval.escalated_to} if approval.escalated_to else set())
    return actor.role in roles and customer_in_scope(session, actor, customer)


def pending_approvals(session: Session, actor: Actor) -> list[Approval]:
    """Requests waiting for this actor's decision."""
    actor.require("orders.approve", "approve orders")
    result = []
    for appr in session.exec(select(Approval).where(Approval.status == "pending").order_by(col(Approval.requested_at))):
        order = must_exist(session.get(Order, appr.order_no), f"order {appr.order_no}")
        customer = cast(Customer, session.get(Customer, order.customer))  # an order's customer: never None
        if may_approve(session, actor, appr, customer):
            result.append(appr)
    return result


@dataclass(frozen=True)
class WaitingOrder:
    """An order waiting for the actor's decision, as a list shows it."""

    order_no: str
    customer: str
    customer_name: str
    total: Decimal
    why: str  # the reasons in words
    requested_at: datetime


def waiting_orders(session: Session, actor: Actor) -> list[WaitingOrder]:
    """The orders waiting for this actor's decision, oldest request first."""
    out = []
    for a in pending_approvals(session, actor):
        order = session.get(Order, a.order_no)
        customer = session.get(Customer, order.customer) if order else None
        if order is None or customer is None:
            continue
        out.append(
            WaitingOrder(
                order.order_no,
                order.customer,
                customer.name,
                order.total,
                _why(session, a),
                a.requested_at,
            )
        )
    return out


def record_decision(
    session: Session,
    actor: Actor,
    clock: Clock,
    order: Order,
    customer: Customer,
    approve: bool,
    reason: str | None = None,
) -> Approval:
    """Decide the request of an order whose customer and own row the caller has locked
    (core/locks.py), once: of two simultaneous decisions the second sees the first and is
    refused. The order's own change is the caller's (core/orders.decide)."""
    approval = session.exec(
        select(Approval)
        .where(Approval.order_no == order.order_no)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if approval is None:
        raise NotFound(f"No approval request for {order.order_no} that you can see.")
    if not may_approve(session, actor, approval, customer):
        raise NotAllowed(
            f"This request needs {'an' if approval.approver_role[0] in 'aeiou' else 'a'} "
            f"{approval.approver_role}'s decision."
        )
    if approval.status != "pending":
        by = session.get(User, approval.decided_by) if approval.decided_by else None
        who = f" by {by.name}" if by else ""
        raise InvalidTransition(f"The request for {order.order_no} was already {approval.status}{who}.")
    if not approve and not (reason and reason.strip()):
        raise InvalidInput("Please give a reason for the rejection.")
    decided = dict(
        status="approved" if approve else "rejected",
        decided_by=actor.user_id,
        decided_at=clock.now(),
        decision_reason=reason,
    )
    if not transition_row(session, Approval, "id", approval.id, "status", ("pending",), decided):
        raise InvalidTransition(f"The request for {order.order_no} was decided by someone else just now.")
    for key, value in decided.items():
        set_committed_value(approval, key, value)
    return approval


def close_pending_approval(session: Session, order_no: str) -> None:
    """A cancelled order's request, if still pending, is cancelled with it."""
    transition_row(session, Approval, "order_no", order_no, "status", ("pending",), {"status": "cancelled"})


def escalate_due(session: Session, clock: Clock) -> list[Approval]:
    """Escalate pending requests older than their rules' `escalate_after_hours`; notify the new approvers."""
    now = clock.now()
    rules = {r.code: r for r in session.exec(select(ApprovalRule))}
    escalated = []
    for appr in session.exec(
        select(Approval).where(Approval.status == "pending", col(Approval.escalated_at).is_(None))
    ):
        candidates = [
            (r.escalate_after_hours, r.escalate_to_role)
            for r in (rules[c] for c in split_list(appr.rules) if c in rules)
            if r.escalate_after_hours is not None and r.escalate_to_role
        ]
        if not candidates:
            continue
        hours, to_role = min(candidates, key=lambda c: c[0])  # the first rule of the fewest hours
        requested = appr.requested_at if appr.requested_at.tzinfo else appr.requested_at.replace(tzinfo=now.tzinfo)
        if now - requested < timedelta(hours=hours):
            continue
        # conditional, so a request decided or escalated meanwhile is neither escalated nor announced
        t = table_of(Approval)
        if (
            rowcount(
                session.execute(
                    update(t)
                    .where(t.c.id == appr.id, t.c.status == "pending", t.c.escalated_at.is_(None))
                    .values(escalated_at=now, escalated_to=to_role)
                )
            )
            != 1
        ):
            continue
        set_committed_value(appr, "escalated_at", now)
        set_committed_value(appr, "escalated_to", to_role)
        order = must_exist(session.get(Order, appr.order_no), f"order {appr.order_no}")
        customer = cast(Customer, session.get(Customer, order.customer))  # an order's customer: never None
        for user in approvers_for(session, customer, to_role):
            audit.notify(
                session,
                at=now,
                event="approval_escalated",
                recipient=user.id,
                order_no=order.order_no,
                customer=customer.name,
                total=str(money(order.total)),
                waiting_hours=hours,
            )
        audit.record(
            session,
            at=now,
            user_id=None,
            channel="scheduler",
            action="approval.escalate",
            entity="order",
            entity_id=order.order_no,
            to=to_role,
        )
        escalated.append(appr)
    return escalated
