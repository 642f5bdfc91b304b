"""Outlet updates and new outlets (rules.md, "Field work"): a rep proposes a change to an
outlet's phone, contact person, location or class (A/B/C), or a new outlet (created at once with
status `pending`); a manager covering the outlet's region (or an admin) approves (the change is
applied; a new outlet becomes `active`) or rejects with a reason (a rejected new outlet is
`blocked`). The proposer is notified of the decision through the outbox, as order approvals are.

A request the actor may not decide reads exactly like one that does not exist.
Serialisation: the request row is locked, then its customer (core/locks.py); the status change
is conditional (`transition_row`), so of two simultaneous decisions exactly one wins.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from . import audit
from .access import Actor, customer_in_scope, get_customer, visible_customer_codes
from .approvals import approvers_for
from .attendance import parse_location
from .clock import Clock
from .counters import next_number
from .errors import InvalidInput, InvalidTransition, NotFound, OutOfScope
from .locks import lock_customer, transition_row
from .parties import CUSTOMER_TYPES, reference, subtree
from .tables.field import OUTLET_CLASSES, OutletRequest
from .tables.parties import Customer, User, Warehouse

CLASSES = OUTLET_CLASSES
UPDATABLE = ("phone", "contact_person", "latitude", "longitude", "class")
ATTRIBUTE = {"class": "outlet_class"}  # the Customer attribute of a field, where the names differ


@dataclass(frozen=True)
class OutletChange:
    """What a rep may change; None = leave as it is."""

    phone: str | None = None
    contact_person: str | None = None
    latitude: object = None
    longitude: object = None
    outlet_class: str | None = None

    def values(self) -> dict[str, str]:
        """The proposed values as text, by field name (rules.md's names)."""
        out: dict[str, str] = {}
        for name, value in (("phone", self.phone), ("contact_person", self.contact_person)):
            if value is not None:
                text = " ".join(value.split())
                if not text:
                    raise InvalidInput(f"The new {name.replace('_', ' ')} is empty.")
                if len(text) > 100:
                    raise InvalidInput(f"The new {name.replace('_', ' ')} is too long (at most 100 characters).")
                out[name] = text
        where = parse_location(self.latitude, self.longitude)
        if where is not None:
            out["latitude"], out["longitude"] = str(where[0]), str(where[1])
        if self.outlet_class is not None:
            cls = self.outlet_class.strip().upper()
            if cls not in CLASSES:
                raise InvalidInput(f"{self.outlet_class!r} is not an outlet class; use A, B or C.")
            out["class"] = cls
        return out


def _value_of(customer: Customer, name: str) -> str | None:
    value = getattr(customer, ATTRIBUTE.get(name, name))
    return None if value is None else str(value)


def _apply(customer: Customer, changes: dict[str, str]) -> None:
    for name, value in changes.items():
        setattr(customer, ATTRIBUTE.get(name, name), Decimal(value) if name in ("latitude", "longitude") else value)


def _notify_approvers(session: Session, clock: Clock, req: OutletRequest, customer: Customer) -> None:
    for user in approvers_for(session, customer, "manager"):
        audit.notify(
            session,
            at=clock.now(),
            event="outlet_request",
            recipient=user.id,
            request=req.id,
            kind=req.kind,
            customer=customer.name,
            changes=json.loads(req.changes),
        )


def propose_outlet_update(
    session: Session, actor: Actor, clock: Clock, customer: str, change: OutletChange
) -> OutletRequest:
    """A rep's proposed change to an outlet in their scope; nothing changes until approved."""
    actor.require("field", "propose outlet updates")
    cust = get_customer(session, actor, customer)
    changes = change.values()
    if not changes:
        raise InvalidInput("Nothing to change: give a phone, contact person, location or class.")
    previous = {k: _value_of(cust, k) for k in changes}
    if all(previous[k] == v for k, v in changes.items()):
        raise InvalidInput(f"{cust.name} already has these details.")
    now = clock.now()
    req = OutletRequest(
        id=next_number(session, "outlet_request", "OR-"),
        kind="update",
        customer=cust.code,
        changes=json.dumps(changes, sort_keys=True),
        previous=json.dumps(previous, sort_keys=True),
        status="pending",
        proposed_by=actor.user_id,
        proposed_at=now,
        channel=actor.channel,
    )
    session.add(req)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="outlet.propose_update",
        entity="outlet_request",
        entity_id=req.id,
        customer=cust.code,
        changes=changes,
    )
    _notify_approvers(session, clock, req, cust)
    return req


@dataclass(frozen=True)
class NewOutlet:
    name: str
    region: str
    type: str = "retailer"
    phone: str | None = None
    contact_person: str | None = None
    latitude: object = None
    longitude: object = None
    outlet_class: str | None = None
    warehouse: str | None = None  # default: a warehouse of the region or its nearest ancestor
    distributor: str | None = None  # default: the distributor that runs that warehouse


def _default_warehouse(session: Session, region: str) -> Warehouse | None:
    """The first warehouse (by code) in the region's subtree, else in its parent's, and so on up."""
    ref = reference(session)
    for code in ref.ancestors(region):
        under = sorted(subtree(ref.region_children, [code]))
        found = session.exec(
            select(Warehouse).where(col(Warehouse.region).in_(under)).order_by(col(Warehouse.code))
        ).first()
        if found is not None:
            return found
    return None


def propose_new_outlet(session: Session, actor: Actor, clock: Clock, outlet: NewOutlet) -> OutletRequest:
    """A new outlet in a region the rep covers: created now with status pending, active once a
    manager covering the region approves."""
    actor.require("field", "propose new outlets")
    name = " ".join(outlet.name.split())
    if not name:
        raise InvalidInput("The new outlet needs a name.")
    if outlet.region not in actor.regions:
        raise InvalidInput(f"No region {outlet.region!r} that you cover.")
    if outlet.type not in CUSTOMER_TYPES or outlet.type == "distributor":
        raise InvalidInput(f"{outlet.type!r} is not an outlet type; use retailer, wholesaler or modern_trade.")
    details = OutletChange(
        phone=outlet.phone,
        contact_person=outlet.contact_person,
        latitude=outlet.latitude,
        longitude=outlet.longitude,
        outlet_class=outlet.outlet_class,
    ).values()
    visible = visible_customer_codes(session, actor)
    same = session.exec(
        select(Customer.code).where(col(Customer.name).ilike(name), Customer.region == outlet.region)
    ).all()
    clash = [c for c in same if visible is None or c in visible]
    if clash:
        raise InvalidInput(f"{name} is already an outlet ({clash[0]}) in {outlet.region}.")
    if outlet.warehouse is not None:
        wh = session.get(Warehouse, outlet.warehouse)
        if wh is None or wh.region not in actor.regions:
            raise NotFound(f"No warehouse {outlet.warehouse!r} that you can see.")
    else:
        wh = _default_warehouse(session, outlet.region)
        if wh is None:
            raise InvalidInput(f"No warehouse serves {outlet.region}; name the warehouse the outlet orders from.")
    distributor = outlet.distributor
    if distributor is not None:
        dist = get_customer(session, actor, distributor)
        if dist.type != "distributor":
            raise InvalidInput(f"{dist.name} is not a distributor.")
    elif wh.owner is not None:
        owner = session.get(Customer, wh.owner)
        distributor = owner.code if owner is not None and owner.type == "distributor" else None
    code = next_number(session, "outlet", "NEW-")
    while session.get(Customer, code) is not None:
        code = next_number(session, "outlet", "NEW-")
    cust = Customer(
        code=code,
        name=name,
        type=outlet.type,
        region=outlet.region,
        distributor=distributor,
        warehouse=wh.code,
        credit_limit=None,
        payment_terms_days=0,
        opening_balance=Decimal("0"),
        opening_paid=Decimal("0"),
        status="pending",
    )
    _apply(cust, details)
    session.add(cust)
    now = clock.now()
    req = OutletRequest(
        id=next_number(session, "outlet_request", "OR-"),
        kind="new",
        customer=code,
        changes=json.dumps({"name": name, "region": outlet.region, "type": outlet.type, **details}, sort_keys=True),
        previous="{}",
        status="pending",
        proposed_by=actor.user_id,
        proposed_at=now,
        channel=actor.channel,
    )
    session.add(req)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="outlet.propose_new",
        entity="outlet_request",
        entity_id=req.id,
        customer=code,
        name=name,
        region=outlet.region,
    )
    _notify_approvers(session, clock, req, cust)
    return req


def _may_decide(session: Session, actor: Actor, customer: Customer) -> bool:
    return actor.can("outlets.approve") and customer_in_scope(session, actor, customer)


def _visible(session: Session, actor: Actor, req: OutletRequest, customer: Customer) -> bool:
    return req.proposed_by == actor.user_id or _may_decide(session, actor, customer)


def get_outlet_request(session: Session, actor: Actor, request_id: str) -> OutletRequest:
    """The request if the actor proposed it or may decide it; the same NotFound otherwise."""
    rid = request_id.strip().upper()
    req = session.get(OutletRequest, rid)
    cust = session.get(Customer, req.customer) if req is not None else None
    if req is None or cust is None:
        raise NotFound(f"No outlet request {request_id} that you can see.")
    if not _visible(session, actor, req, cust):
        raise OutOfScope(f"No outlet request {request_id} that you can see.")
    return req


def outlet_requests(session: Session, actor: Actor, status: str | None = "pending") -> list[OutletRequest]:
    """Requests the actor may decide (managers, admins) or has proposed (reps), oldest first."""
    q = select(OutletRequest).order_by(col(OutletRequest.proposed_at), col(OutletRequest.id))
    if status is not None:
        q = q.where(OutletRequest.status == status)
    out = []
    for req in session.exec(q):
        cust = session.get(Customer, req.customer)
        if cust is not None and _visible(session, actor, req, cust):
            out.append(req)
    return out


def decide_outlet_request(
    session: Session, actor: Actor, clock: Clock, request_id: str, approve: bool, reason: str | None = None
) -> OutletRequest:
    """Approve (the change is applied; a new outlet becomes active) or reject with a reason."""
    rid = request_id.strip().upper()
    req = session.exec(
        select(OutletRequest).where(OutletRequest.id == rid).with_for_update().execution_options(populate_existing=True)
    ).first()
    cust = session.get(Customer, req.customer) if req is not None else None
    if req is None or cust is None:
        raise NotFound(f"No outlet request {request_id} that you can see.")
    if not _may_decide(session, actor, cust):
        # a rep sees their own proposal, but may not decide it; anyone else: as if it did not exist
        if req.proposed_by == actor.user_id:
            actor.require("outlets.approve", "approve outlet changes")
        raise OutOfScope(f"No outlet request {request_id} that you can see.")
    if req.status != "pending":
        by = session.get(User, req.decided_by) if req.decided_by else None
        raise InvalidTransition(
            f"Outlet request {req.id} was already {req.status}" + (f" by {by.name}." if by else ".")
        )
    if not approve and not (reason and reason.strip()):
        raise InvalidInput("Please give a reason for the rejection.")
    now = clock.now()
    decided = {
        "status": "approved" if approve else "rejected",
        "decided_by": actor.user_id,
        "decided_at": now,
        "decision_reason": reason.strip() if reason else None,
    }
    if not transition_row(session, OutletRequest, "id", req.id, "status", ("pending",), decided):
        raise InvalidTransition(f"Outlet request {req.id} was decided by someone else just now.")
    for key, value in decided.items():
        set_committed_value(req, key, value)
    locked = lock_customer(session, cust.code)
    if locked is None:
        raise NotFound(f"No outlet request {request_id} that you can see.")
    changes: dict[str, str] = json.loads(req.changes)
    if req.kind == "update" and approve:
        _apply(locked, {k: v for k, v in changes.items() if k in UPDATABLE})
    elif req.kind == "new" and locked.status == "pending":
        locked.status = "active" if approve else "blocked"
    session.add(locked)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action=f"outlet.{'approve' if approve else 'reject'}",
        entity="outlet_request",
        entity_id=req.id,
        customer=cust.code,
        kind=req.kind,
        changes=changes if approve else None,
        reason=reason,
    )
    audit.notify(
        session,
        at=now,
        event="outlet_request_decided",
        recipient=req.proposed_by,
        request=req.id,
        kind=req.kind,
        customer=locked.name,
        status=req.status,
        reason=reason,
        by=actor.name,
    )
    return req
