"""Linking a Telegram account to a user: a shared phone number matched to a customer, approved by a
manager or admin covering that customer (or linked directly by one of them)."""

import re
from datetime import datetime

from sqlmodel import Session, col, select

from . import audit
from .access import Actor, customer_in_scope
from .clock import make_clock
from .errors import InvalidInput, NotFound, OutOfScope
from .identities import user_for_telegram
from .tables.parties import Customer, LinkRequest, User

LINKABLE_ROLES = ("retailer", "distributor")  # customers' own people; staff are linked by an admin


def phone_key(phone: str | None) -> str:
    """Digits only, the last 10: '+91-98450-10101' and '098450 10101' are the same number."""
    return re.sub(r"\D", "", phone or "")[-10:]


def pending_request(session: Session, telegram_id: int | str) -> LinkRequest | None:
    return session.exec(
        select(LinkRequest).where(LinkRequest.telegram_id == str(telegram_id), LinkRequest.status == "pending")
    ).first()


def request_link(session: Session, telegram_id: int | str, phone: str, now: datetime) -> LinkRequest | None:
    """A request for the customer whose phone matches, or None when no customer has that number."""
    key = phone_key(phone)
    if len(key) < 10:
        return None
    existing = pending_request(session, telegram_id)
    if existing is not None:
        return existing
    customer = next(
        (
            code
            for code, p in session.exec(
                select(Customer.code, Customer.phone).where(col(Customer.phone).is_not(None)).order_by(Customer.code)
            )
            if phone_key(p) == key
        ),
        None,
    )
    if customer is None:
        return None
    user = session.exec(
        select(User)
        .where(User.customer == customer, col(User.role).in_(LINKABLE_ROLES), col(User.telegram_id).is_(None))
        .order_by(User.id)
    ).first()
    req = LinkRequest(
        telegram_id=str(telegram_id), phone=key, customer=customer, user_id=user.id if user else None, created_at=now
    )
    session.add(req)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=None,
        channel="telegram",
        action="telegram.link_requested",
        entity="link_request",
        entity_id=str(req.id),
        customer=customer,
        telegram_id=str(telegram_id),
    )
    return req


def _decider(session: Session, actor: Actor, customer_code: str | None, missing: str) -> None:
    actor.require("users.link", "link Telegram accounts")  # who may: core.access.PERMISSIONS
    if actor.is_admin:
        return
    customer = session.get(Customer, customer_code) if customer_code else None
    if customer is None or not customer_in_scope(session, actor, customer):
        raise OutOfScope(missing)  # worded like 'not found': nothing leaks


def _get_request(session: Session, actor: Actor, request_id: int) -> LinkRequest:
    missing = f"No link request {request_id} that you can see."
    # locked (core/locks.py), so of an approve and a reject at once the second sees the first
    req = session.exec(
        select(LinkRequest)
        .where(LinkRequest.id == int(request_id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if req is None:
        raise NotFound(missing)
    _decider(session, actor, req.customer, missing)
    if req.status != "pending":
        raise InvalidInput(f"Link request {request_id} is already {req.status}.")
    return req


def link_requests(session: Session, actor: Actor, status: str = "pending") -> list[LinkRequest]:
    """The requests the actor may decide (admin: all; manager: customers in their regions)."""
    actor.require("users.link", "link Telegram accounts")
    rows = session.exec(select(LinkRequest).where(LinkRequest.status == status).order_by(col(LinkRequest.id))).all()
    if actor.is_admin:
        return list(rows)
    customers = (
        {c.code: c for c in session.exec(select(Customer).where(col(Customer.code).in_({r.customer for r in rows})))}
        if rows
        else {}
    )
    return [r for r in rows if r.customer in customers and customer_in_scope(session, actor, customers[r.customer])]


def _link(session: Session, actor: Actor, user: User, telegram_id: str, now: datetime) -> None:
    other = user_for_telegram(session, telegram_id)
    if other is not None and other.id != user.id:
        raise InvalidInput(f"Telegram account {telegram_id} is already linked to another user.")
    if user.telegram_id and user.telegram_id != telegram_id:
        raise InvalidInput(f"User {user.id} is already linked to another Telegram account.")
    user.telegram_id = telegram_id
    session.add(user)
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="user.telegram_linked",
        entity="user",
        entity_id=user.id,
        telegram_id=telegram_id,
    )
    audit.notify(session, at=now, event="telegram_linked", recipient=user.id, name=user.name)


def approve_link(session: Session, actor: Actor, request_id: int, now: datetime | None = None) -> User:
    """Approve a pending request: the request's user gets the Telegram id. Returns that user."""
    now = now or _now()
    req = _get_request(session, actor, request_id)
    user = session.get(User, req.user_id) if req.user_id else None
    if user is None:
        raise InvalidInput(
            f"Link request {request_id} has no user to link (every user of {req.customer} "
            "already has Telegram); link one with `dms users link TELEGRAM_ID USER_ID`."
        )
    _link(session, actor, user, req.telegram_id, now)
    req.status, req.decided_by, req.decided_at = "approved", actor.user_id, now
    session.add(req)
    return user


def reject_link(session: Session, actor: Actor, request_id: int, now: datetime | None = None) -> LinkRequest:
    now = now or _now()
    req = _get_request(session, actor, request_id)
    req.status, req.decided_by, req.decided_at = "rejected", actor.user_id, now
    session.add(req)
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="telegram.link_rejected",
        entity="link_request",
        entity_id=str(req.id),
    )
    return req


def link_telegram(session: Session, actor: Actor, telegram_id: str, user_id: str, now: datetime | None = None) -> User:
    """Link directly (admin: any user; manager: a user of a customer in their regions)."""
    now = now or _now()
    telegram_id = str(telegram_id).strip()
    if not telegram_id.lstrip("-").isdigit():
        raise InvalidInput(f"{telegram_id!r} is not a Telegram user id (digits).")
    missing = f"No user {user_id!r} that you can see."
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(missing)
    _decider(session, actor, user.customer, missing)
    _link(session, actor, user, telegram_id, now)
    for req in session.exec(
        select(LinkRequest).where(LinkRequest.telegram_id == telegram_id, LinkRequest.status == "pending")
    ):
        req.status, req.decided_by, req.decided_at, req.user_id = "approved", actor.user_id, now, user.id
        session.add(req)
    return user


def _now() -> datetime:
    return make_clock().now()
