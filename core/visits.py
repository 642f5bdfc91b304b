"""Visits (rules.md, "Field work"): a rep starts a visit at an outlet in their scope (planned or
not) during an open day, and ends it with an outcome: `order` when an order for that outlet was
created during the visit (linked to it), otherwise `no_order` with a reason from rules.md's list.
Starting a visit while another is open ends the open one first; ending the day does too.

Orders and payments keep their own services: a caller that creates an order or records a
payment for a rep calls `link_order` / `link_payment` after it, which link it to the rep's open
visit at that outlet if there is one and do nothing otherwise.

Serialisation: the rep's user row is locked first (core/attendance.lock_rep), so one visit is
open per rep whatever runs at the same time (and `ux_visit_open` guards it too).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from . import audit
from .access import Actor, get_customer
from .attendance import close_day, lock_rep, open_day, parse_location
from .beats import planned_outlets
from .clock import Clock
from .counters import next_number
from .errors import InvalidInput
from .geo import distance_m, is_off_site
from .settings import get_settings
from .tables.field import NO_ORDER_REASONS, VISIT_OUTCOMES, Attendance, Visit, VisitLink
from .tables.orders import Order
from .tables.parties import Customer

OUTCOMES = VISIT_OUTCOMES
NOT_SALES = ("cancelled", "rejected")  # such an order does not make a visit productive
AUTO_END_NOTE = "ended automatically"


@dataclass
class VisitStarted:
    visit: Visit
    ended: Visit | None = None  # the visit that was open and was ended first


@dataclass
class DayEnded:
    day: Attendance
    ended_visit: Visit | None = None


def open_visit(session: Session, user_id: str) -> Visit | None:
    """The rep's open visit, if any (fresh from the database)."""
    return session.exec(
        select(Visit)
        .where(Visit.user_id == user_id, col(Visit.ended_at).is_(None))
        .execution_options(populate_existing=True)
    ).first()


def open_visit_at(session: Session, user_id: str, customer: str) -> Visit | None:
    """The open visit of this rep at this outlet, if any."""
    v = open_visit(session, user_id)
    return v if v is not None and v.customer == customer else None


def visiting(session: Session, actor: Actor) -> str | None:
    """The outlet a sales rep is visiting now (their open visit's), else None: what an order or a
    payment is for when the rep names no customer."""
    if actor.role != "sales_rep":
        return None
    v = open_visit(session, actor.user_id)
    return v.customer if v is not None else None


def current_visit(session: Session, actor: Actor) -> Visit | None:
    actor.require("field", "record visits")
    return open_visit(session, actor.user_id)


def start_visit(
    session: Session,
    actor: Actor,
    clock: Clock,
    customer: str,
    latitude: object = None,
    longitude: object = None,
    notes: str | None = None,
    radius_m: int | None = None,
) -> VisitStarted:
    """Start a visit at an outlet in the rep's scope (planned or not); needs an open day."""
    actor.require("field", "record visits")
    where = parse_location(latitude, longitude)
    cust = get_customer(session, actor, customer)  # out of scope reads as nonexistent
    lock_rep(session, actor)
    day = open_day(session, actor.user_id)
    if day is None:
        raise InvalidInput("Start your day (check in) before starting a visit.")
    ended = None
    current = open_visit(session, actor.user_id)
    if current is not None:
        if current.customer == cust.code:
            raise InvalidInput(f"You are already visiting {cust.name} (since {_hhmm(clock, current.started_at)}).")
        ended = _end(session, actor, clock, current, None, None, None, auto=True)
    now, today = clock.now(), clock.today()
    plan = {code: beat for beat, _, code in planned_outlets(session, actor.user_id, today)}
    dist = None
    if where is not None and cust.latitude is not None and cust.longitude is not None:
        dist = distance_m(where[0], where[1], cust.latitude, cust.longitude)
    radius = radius_m if radius_m is not None else get_settings().off_site_radius_m
    visit = Visit(
        id=next_number(session, "visit", "V-"),
        user_id=actor.user_id,
        customer=cust.code,
        day=today,
        attendance_id=day.id,
        started_at=now,
        planned=cust.code in plan,
        beat=plan.get(cust.code),
        latitude=where[0] if where else None,
        longitude=where[1] if where else None,
        distance_m=dist,
        off_site=is_off_site(dist, radius),
        notes=notes,
        channel=actor.channel,
    )
    session.add(visit)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="visit.start",
        entity="visit",
        entity_id=visit.id,
        customer=cust.code,
        planned=visit.planned,
        distance_m=dist,
        off_site=visit.off_site,
        ended_first=ended.id if ended else None,
    )
    return VisitStarted(visit=visit, ended=ended)


def end_visit(
    session: Session,
    actor: Actor,
    clock: Clock,
    outcome: str | None = None,
    reason: str | None = None,
    notes: str | None = None,
) -> Visit:
    """End the rep's open visit. The outcome follows the facts: `order` when an order for the
    outlet was created during the visit, else `no_order` with a reason from rules.md's list."""
    actor.require("field", "record visits")
    if outcome is not None and outcome not in OUTCOMES:
        raise InvalidInput(f"Unknown visit outcome {outcome!r}; use order or no_order.")
    if reason is not None and reason not in NO_ORDER_REASONS:
        raise InvalidInput(f"Unknown reason {reason!r}; use one of: " + ", ".join(NO_ORDER_REASONS) + ".")
    lock_rep(session, actor)
    current = open_visit(session, actor.user_id)
    if current is None:
        raise InvalidInput("You have no visit in progress.")
    return _end(session, actor, clock, current, outcome, reason, notes, auto=False)


def end_day(
    session: Session, actor: Actor, clock: Clock, latitude: object = None, longitude: object = None
) -> DayEnded:
    """Check out; a visit still open is ended first (its outcome as for a new visit)."""
    actor.require("field", "record attendance")
    where = parse_location(latitude, longitude)
    lock_rep(session, actor)
    day = open_day(session, actor.user_id)
    if day is None:
        raise InvalidInput("You have not started a day, so there is none to end.")
    current = open_visit(session, actor.user_id)
    ended = _end(session, actor, clock, current, None, None, None, auto=True) if current is not None else None
    return DayEnded(day=close_day(session, actor, clock, day, where), ended_visit=ended)


def _orders_during(session: Session, visit: Visit, until: datetime) -> list[str]:
    """Orders for the outlet that count for the visit: linked to it, or created for the outlet
    between its start and `until`; cancelled or rejected ones do not count. Oldest first."""
    linked = set(
        session.exec(select(VisitLink.ref).where(VisitLink.visit_id == visit.id, VisitLink.kind == "order")).all()
    )
    rows = session.exec(
        select(Order.order_no, Order.status, Order.created_at)
        .where(
            Order.customer == visit.customer,
            col(Order.status).not_in(NOT_SALES),
            (col(Order.order_no).in_(linked))
            | ((col(Order.created_at) >= visit.started_at) & (col(Order.created_at) <= until)),
        )
        .order_by(col(Order.created_at), col(Order.order_no))
    ).all()
    return [r[0] for r in rows]


def _end(
    session: Session,
    actor: Actor,
    clock: Clock,
    visit: Visit,
    outcome: str | None,
    reason: str | None,
    notes: str | None,
    *,
    auto: bool,
) -> Visit:
    now = clock.now()
    orders = _orders_during(session, visit, now)
    if orders:
        if outcome == "no_order":
            raise InvalidInput(f"Order {orders[0]} was placed during this visit, so it ends with outcome order.")
        outcome, reason = "order", None
        taken = set(
            session.exec(select(VisitLink.ref).where(VisitLink.kind == "order", col(VisitLink.ref).in_(orders))).all()
        )
        for order_no in orders:
            if order_no not in taken:
                session.add(VisitLink(visit_id=visit.id, kind="order", ref=order_no))
    else:
        if outcome == "order":
            raise InvalidInput(
                "No order was placed for this outlet during the visit; end it as no_order with a reason."
            )
        if reason is None:
            if not auto:
                raise InvalidInput("Why was there no order? One of: " + ", ".join(NO_ORDER_REASONS) + ".")
            reason = "other"
        outcome = "no_order"
    visit.ended_at = now
    visit.outcome = outcome
    visit.reason = reason
    visit.order_no = orders[0] if orders else None
    if auto:
        notes = notes or AUTO_END_NOTE
    if notes:
        visit.notes = f"{visit.notes}; {notes}" if visit.notes else notes
    session.add(visit)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="visit.end",
        entity="visit",
        entity_id=visit.id,
        customer=visit.customer,
        outcome=outcome,
        reason=reason,
        order_no=visit.order_no,
        automatic=auto,
    )
    return visit


def link_order(session: Session, actor: Actor, clock: Clock, order_no: str, customer: str) -> str | None:
    """Link an order just created for `customer` to the acting rep's open visit there, if any;
    the visit's id, or None (nothing changes for anyone not in a visit)."""
    return _link(session, actor, clock, "order", order_no, customer)


def link_payment(session: Session, actor: Actor, clock: Clock, payment_id: int, customer: str) -> str | None:
    """Link a payment just recorded for `customer` to the acting rep's open visit there, if any."""
    return _link(session, actor, clock, "payment", str(payment_id), customer)


def _link(session: Session, actor: Actor, clock: Clock, kind: str, ref: str, customer: str) -> str | None:
    if actor.role != "sales_rep":
        return None
    visit = open_visit_at(session, actor.user_id, customer)
    if visit is None:
        return None
    if session.exec(select(VisitLink.id).where(VisitLink.kind == kind, VisitLink.ref == ref)).first() is None:
        session.add(VisitLink(visit_id=visit.id, kind=kind, ref=ref))
        session.flush()
        audit.record(
            session,
            at=clock.now(),
            user_id=actor.user_id,
            channel=actor.channel,
            action=f"visit.{kind}",
            entity="visit",
            entity_id=visit.id,
            ref=ref,
        )
    return visit.id


def visit_customer_name(session: Session, visit: Visit) -> str:
    cust = session.get(Customer, visit.customer)
    return cust.name if cust else visit.customer


def _hhmm(clock: Clock, at: datetime) -> str:
    return f"{at.astimezone(clock.tz):%H:%M}"
