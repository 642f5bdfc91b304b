"""The dashboard: the business at a glance for one viewer, composed of the core's own services
and summed in SQL (never a loop over every order). Every figure is in the viewer's scope, by the
same checks as any report; a tile the viewer's role may not see is left out (None). A retailer
gets its own account instead (`account`).

Filters: a region (any level of the tree, by code or name: it and everything under it), a
distributor (itself and the retailers it serves) and a period (`PERIODS`)."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from .access import Actor
from .approvals import approval_why, may_approve, waiting_orders
from .beats import team_rep_ids
from .catalogue import sku_names
from .clock import Clock
from .errors import InvalidInput, NotAllowed
from .field_reports import attendance_report, visit_compliance
from .identities import user_names
from .lookup import region_and_below, resolve_customer
from .orders import get_order, list_orders, order_lines, order_schemes, order_scope
from .payments import customer_outstanding
from .reports import sales
from .sales_filters import build_filter
from .settings import business_tz
from .stock import stock_alerts
from .tables.approvals import Approval
from .tables.audit import AuditEntry
from .tables.billing import DeliveryNote, Invoice
from .tables.orders import Order
from .tables.parties import Customer, Warehouse
from .targets import achievement_pct, target_report
from .types import money, money_sum

PERIODS = {"today": "Today", "7d": "Last 7 days", "30d": "Last 30 days", "mtd": "Month to date"}
EXPIRY_DAYS = 30  # "expiring soon": within this many days (expired batches holding stock included)
LIST_LIMIT = 5  # rows a list tile shows (its count is of all)
ACTIVITY_LIMIT = 10
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Filters:
    region: str | None = None
    distributor: str | None = None
    period: str = "today"


@dataclass(frozen=True)
class Span:
    start: date
    end: date
    label: str


def _month_back(d: date) -> date:
    """The same day of the previous month (clamped to its last day)."""
    y, m = (d.year - 1, 12) if d.month == 1 else (d.year, d.month - 1)
    last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(d.day, last))


def spans(period: str, today: date) -> tuple[Span, Span]:
    """The period and the one it is compared with."""
    if period == "today":
        return Span(today, today, "today"), Span(
            today - timedelta(days=7), today - timedelta(days=7), "same weekday last week"
        )
    if period in ("7d", "30d"):
        n = 7 if period == "7d" else 30
        start = today - timedelta(days=n - 1)
        prev = Span(start - timedelta(days=n), start - timedelta(days=1), f"previous {n} days")
        return Span(start, today, f"last {n} days"), prev
    if period == "mtd":
        first = today.replace(day=1)
        return Span(first, today, "month to date"), Span(
            _month_back(first), _month_back(today), "last month, same days"
        )
    raise InvalidInput(f"Period: one of {', '.join(PERIODS)}, not {period!r}.")


def change_pct(now: Decimal | int, before: Decimal | int) -> Decimal | None:
    """now against before, in percent (1 place); None when before is zero."""
    if not before:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("0.1"))


# --- the tiles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrdersTile:
    span: Span
    count: int
    value: Decimal  # order totals (with tax), every status
    compare: Span
    compare_count: int
    compare_value: Decimal
    count_change_pct: Decimal | None
    value_change_pct: Decimal | None


@dataclass(frozen=True)
class RevenueTile:
    """Sales (confirmed, dispatched, delivered; by order date) before tax."""

    span: Span
    net: Decimal
    total: Decimal  # with tax
    mtd: Span
    mtd_net: Decimal
    last_month: Span
    last_month_net: Decimal
    mtd_change_pct: Decimal | None


@dataclass(frozen=True)
class Waiting:
    order_no: str
    customer: str
    customer_name: str
    total: Decimal
    why: str
    age_hours: int


@dataclass(frozen=True)
class ApprovalsTile:
    mine: list[Waiting]  # waiting for the viewer's decision, oldest first (the first LIST_LIMIT)
    mine_count: int
    pending_in_scope: int  # every order pending approval that the viewer can see (in the filters)


@dataclass(frozen=True)
class StockItem:
    warehouse: str
    sku: str
    sku_name: str
    qty: int
    level: int | None = None  # reorder level (low stock)
    batch: str | None = None  # expiring
    expiry_date: date | None = None
    days_left: int | None = None


@dataclass(frozen=True)
class StockTile:
    low: list[StockItem]
    low_count: int
    expiring: list[StockItem]
    expiring_count: int
    expiry_days: int


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int
    value: Decimal


@dataclass(frozen=True)
class Activity:
    at: datetime
    user: str | None
    text: str


@dataclass(frozen=True)
class ActiveUsers:
    today: int
    last_7_days: int


@dataclass(frozen=True)
class TrendPoint:
    key: str
    net: Decimal
    orders: int


@dataclass(frozen=True)
class FieldTile:
    reps: int
    checked_in: int
    visits: int
    planned: int
    covered: int
    compliance_pct: Decimal | None
    productive: int


@dataclass(frozen=True)
class TargetItem:
    kind: str
    owner: str
    name: str
    target: Decimal
    achieved: Decimal
    pct: Decimal | None


@dataclass(frozen=True)
class TargetTotal:
    kind: str  # rep | distributor: summed apart (a distributor's figure holds its retailers' sales)
    count: int
    target: Decimal
    achieved: Decimal
    pct: Decimal | None


@dataclass(frozen=True)
class TargetsTile:
    """This month's targets summed per kind, and the furthest behind (the targets report has all)."""

    totals: list[TargetTotal]
    behind: list[TargetItem]  # the lowest achievement first, at most LIST_LIMIT


@dataclass
class Dashboard:
    viewer: str
    role: str
    today: date
    filters: Filters
    orders: OrdersTile
    statuses: list[StatusCount]
    revenue: RevenueTile | None = None
    active_users: ActiveUsers | None = None
    approvals: ApprovalsTile | None = None
    stock: StockTile | None = None
    activity: list[Activity] = field(default_factory=list)
    daily: list[TrendPoint] | None = None  # the last 30 days
    monthly: list[TrendPoint] | None = None  # the last 12 months
    field: FieldTile | None = None
    targets: TargetsTile | None = None


# --- the pieces --------------------------------------------------------------------------------


@dataclass
class _Scope:
    """The filters resolved once: region codes (a subtree) and the distributor's code; and the
    viewer's orders (`order_scope`'s conditions), worked out on first use, once per dashboard."""

    regions: set[str] | None
    distributor: str | None
    scope: list[ColumnElement[bool]] | None = None

    def order_conds(self) -> list[ColumnElement[bool]]:
        if self.distributor is None:
            return []
        d = self.distributor
        served = select(Customer.code).where(sa.or_(col(Customer.code) == d, col(Customer.distributor) == d))
        return [col(Order.customer).in_(served)]


def _resolve(session: Session, actor: Actor, f: Filters) -> _Scope:
    regions = region_and_below(session, f.region) if f.region and f.region.strip() else None
    distributor = None
    if f.distributor and f.distributor.strip():
        distributor = resolve_customer(session, actor, f.distributor).code  # out of scope: refused, no leak
    return _Scope(regions, distributor)


def _orders_in(
    session: Session, actor: Actor, sc: _Scope, start: date | None, end: date | None
) -> list[ColumnElement[bool]]:
    """`order_scope`'s conditions (the viewer's scope, the region) and the distributor's, for a
    period. The scope is worked out once per dashboard (it lists the viewer's customers), the
    period's bounds are added as `order_scope` adds them (whole days in the business's zone)."""
    if sc.scope is None:
        sc.scope = order_scope(session, actor, regions=sc.regions) + sc.order_conds()
    conds = list(sc.scope)
    tz = business_tz()
    if start:
        conds.append(col(Order.created_at) >= datetime.combine(start, time.min, tz))
    if end:
        conds.append(col(Order.created_at) < datetime.combine(end + timedelta(days=1), time.min, tz))
    return conds


def status_counts(
    session: Session, actor: Actor, sc: _Scope, start: date | None, end: date | None
) -> list[StatusCount]:
    conds = _orders_in(session, actor, sc, start, end)
    rows = session.execute(
        sa.select(col(Order.status), sa.func.count(), money_sum(col(Order.total)))
        .where(*conds)
        .group_by(col(Order.status))
        .order_by(col(Order.status))
    ).all()
    return [StatusCount(s, int(n), money(t or ZERO)) for s, n, t in rows]


def _orders_tile(
    session: Session, actor: Actor, sc: _Scope, now: Span, before: Span
) -> tuple[OrdersTile, list[StatusCount]]:
    cur = status_counts(session, actor, sc, now.start, now.end)
    prev = status_counts(session, actor, sc, before.start, before.end)
    n, v = sum(x.count for x in cur), money(sum((x.value for x in cur), ZERO))
    pn, pv = sum(x.count for x in prev), money(sum((x.value for x in prev), ZERO))
    return OrdersTile(now, n, v, before, pn, pv, change_pct(n, pn), change_pct(v, pv)), cur


def _net(session: Session, actor: Actor, f: Filters, sc: _Scope, start: date, end: date) -> tuple[Decimal, Decimal]:
    where = build_filter(session, actor, distributor=sc.distributor)
    r = sales(session, actor, start, end, regions=sc.regions, where=where)
    return r.net, r.total


def _revenue(session: Session, actor: Actor, f: Filters, sc: _Scope, now: Span, today: date) -> RevenueTile:
    net, total = _net(session, actor, f, sc, now.start, now.end)
    mtd = Span(today.replace(day=1), today, "month to date")
    last = Span(_month_back(mtd.start), _month_back(today), "last month, same days")
    mtd_net = _net(session, actor, f, sc, mtd.start, mtd.end)[0]
    last_net = _net(session, actor, f, sc, last.start, last.end)[0]
    return RevenueTile(now, net, total, mtd, mtd_net, last, last_net, change_pct(mtd_net, last_net))


def trend(session: Session, actor: Actor, sc: _Scope, grain: str, today: date) -> list[TrendPoint]:
    """Net sales per day over the last 30 days, or per month over the last 12, every step listed."""
    if grain == "day":
        steps = [today - timedelta(days=n) for n in range(29, -1, -1)]
        keys = [d.isoformat() for d in steps]
        start = steps[0]
    else:
        first = today.replace(day=1)
        months = [first]
        for _ in range(11):
            months.insert(0, _month_back(months[0]))
        keys = [m.strftime("%Y-%m") for m in months]
        start = months[0]
    where = build_filter(session, actor, distributor=sc.distributor)
    r = sales(session, actor, start, today, by=grain, regions=sc.regions, where=where)
    got = {row.key: row for row in r.rows}
    return [TrendPoint(k, got[k].net if k in got else ZERO, got[k].orders if k in got else 0) for k in keys]


def _approvals(session: Session, actor: Actor, sc: _Scope, now: datetime) -> ApprovalsTile:
    mine: list[Waiting] = []
    if actor.can("orders.approve"):
        inside = None
        if sc.regions is not None or sc.distributor is not None:
            conds = _orders_in(session, actor, sc, None, None)
            inside = set(
                session.execute(
                    sa.select(col(Order.order_no)).where(*conds, col(Order.status) == "pending_approval")
                ).scalars()
            )
        for w in waiting_orders(session, actor):
            if inside is None or w.order_no in inside:
                age = int((now - w.requested_at).total_seconds() // 3600)
                mine.append(Waiting(w.order_no, w.customer, w.customer_name, w.total, w.why, max(age, 0)))
    pending = session.execute(
        sa.select(sa.func.count()).where(
            *_orders_in(session, actor, sc, None, None), col(Order.status) == "pending_approval"
        )
    ).scalar_one()
    return ApprovalsTile(mine[:LIST_LIMIT], len(mine), int(pending))


def _warehouses_in(session: Session, sc: _Scope) -> set[str] | None:
    """Warehouses within the filters: in the region's subtree; the distributor's own."""
    if sc.regions is None and sc.distributor is None:
        return None
    q = select(Warehouse.code)
    if sc.regions is not None:
        q = q.where(col(Warehouse.region).in_(sc.regions))
    if sc.distributor is not None:
        own = session.get(Customer, sc.distributor)
        q = q.where(
            sa.or_(col(Warehouse.owner) == sc.distributor, col(Warehouse.code) == (own.warehouse if own else ""))
        )
    return set(session.exec(q).all())


def _stock(session: Session, actor: Actor, sc: _Scope, today: date) -> StockTile:
    a = stock_alerts(session, actor, today, EXPIRY_DAYS, _warehouses_in(session, sc), LIST_LIMIT)
    low = [StockItem(r.warehouse, r.sku, r.sku_name, r.available, level=r.reorder_level) for r in a.low]
    exp = [
        StockItem(
            b.warehouse, b.sku, b.sku_name, b.available, batch=b.batch, expiry_date=b.expiry_date, days_left=b.days_left
        )
        for b in a.expiring
    ]
    return StockTile(low, a.low_count, exp, a.expiring_count, EXPIRY_DAYS)


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = business_tz()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def audit_scope(session: Session, actor: Actor, sc: _Scope) -> list[ColumnElement[bool]]:
    """Which audit entries the viewer may read: an admin every one (within the filters: those on
    orders in them); others those on orders they can see, on customers they can see, their own,
    and a manager's or rep's team's field work. Never by a loop over the entries."""
    orders = sa.select(col(Order.order_no)).where(*_orders_in(session, actor, sc, None, None))
    on_orders = sa.and_(col(AuditEntry.entity) == "order", col(AuditEntry.entity_id).in_(orders))
    if actor.is_admin and sc.regions is None and sc.distributor is None:
        return []
    if sc.regions is not None or sc.distributor is not None:
        return [on_orders]
    who = {actor.user_id}
    if actor.role in ("manager", "sales_rep"):
        who.update(team_rep_ids(session, actor))
    customers = sa.select(col(Order.customer)).where(*_orders_in(session, actor, sc, None, None)).distinct()
    return [
        sa.or_(
            on_orders,
            sa.and_(col(AuditEntry.entity) == "customer", col(AuditEntry.entity_id).in_(customers)),
            col(AuditEntry.user_id).in_(sorted(who)),
        )
    ]


def _active(session: Session, conds: list[ColumnElement[bool]], today: date) -> ActiveUsers:
    def distinct_users(start: date) -> int:
        lo, hi = _day_bounds(start, today)
        q = sa.select(sa.func.count(sa.distinct(col(AuditEntry.user_id)))).where(
            *conds, col(AuditEntry.at) >= lo, col(AuditEntry.at) < hi, col(AuditEntry.user_id).is_not(None)
        )
        return int(session.execute(q).scalar_one())

    return ActiveUsers(distinct_users(today), distinct_users(today - timedelta(days=6)))


VERBS = {
    "order.create": "placed order {id}",
    "order.reorder": "placed order {id} (a reorder)",
    "order.confirmed": "approved order {id}",
    "order.rejected": "rejected order {id}",
    "order.cancelled": "cancelled order {id}",
    "order.dispatched": "dispatched order {id}",
    "order.delivered": "marked order {id} delivered",
    "approval.escalate": "escalated the approval of order {id}",
    "invoice.create": "issued invoice {id}",
    "invoice.send": "sent invoice {id}",
    "payment.record": "recorded a payment from {id}",
    "stock.adjust": "adjusted stock ({id})",
    "stock.damage": "wrote off damaged stock ({id})",
    "stock.receive": "received stock ({id})",
    "attendance.check_in": "checked in",
    "attendance.check_out": "checked out",
    "visit.start": "started a visit",
    "visit.end": "ended a visit",
    "outlet.propose_update": "proposed an outlet update",
    "outlet.propose_new": "proposed a new outlet",
    "outlet.approve": "approved an outlet request",
    "outlet.reject": "rejected an outlet request",
    "world.import": "imported the world",
    "user.token_issued": "issued an access token for {id}",
}


def _words(e: AuditEntry, names: dict[str, str]) -> str:
    who = names.get(e.user_id, e.user_id) if e.user_id else "The system"
    verb = VERBS.get(e.action, e.action.replace(".", " ") + " {id}").format(id=e.entity_id)
    text = f"{who} {verb}"
    try:
        detail: Any = json.loads(e.detail or "{}")
    except ValueError:
        detail = {}
    if isinstance(detail, dict):
        if e.action == "payment.record" and detail.get("amount"):
            text += f" ({detail['amount']})"
        elif detail.get("reason") and e.action in ("order.rejected", "order.cancelled"):
            text += f": {detail['reason']}"
    return text


def activity(session: Session, conds: list[ColumnElement[bool]], limit: int = ACTIVITY_LIMIT) -> list[Activity]:
    rows = list(
        session.exec(
            select(AuditEntry).where(*conds).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)
        )
    )
    names = user_names(session, [r.user_id for r in rows if r.user_id])
    return [Activity(r.at, r.user_id, _words(r, names)) for r in rows]


def _field(session: Session, actor: Actor, clock: Clock, today: date) -> FieldTile:
    days = attendance_report(session, actor, clock, today, today)
    rows = visit_compliance(session, actor, clock, today, today)
    planned, covered = sum(r.planned for r in rows), sum(r.covered for r in rows)
    return FieldTile(
        reps=len(days),
        checked_in=sum(1 for d in days if d.days),
        visits=sum(r.calls for r in rows),
        planned=planned,
        covered=covered,
        compliance_pct=None if planned == 0 else (Decimal(covered) * 100 / Decimal(planned)).quantize(Decimal("0.01")),
        productive=sum(r.productive for r in rows),
    )


def _targets(session: Session, actor: Actor, clock: Clock) -> TargetsTile:
    rows = target_report(session, actor, clock)
    totals = []
    for kind in ("rep", "distributor"):
        mine = [r for r in rows if r.kind == kind]
        if mine:
            target, achieved = money(sum((r.target for r in mine), ZERO)), money(sum((r.achieved for r in mine), ZERO))
            totals.append(TargetTotal(kind, len(mine), target, achieved, achievement_pct(achieved, target)))
    # no percentage (a zero target) is never "behind"; ties by name, so the list is stable
    behind = sorted((r for r in rows if r.pct is not None), key=lambda r: (r.pct, r.name))[:LIST_LIMIT]
    return TargetsTile(totals, [TargetItem(r.kind, r.owner, r.name, r.target, r.achieved, r.pct) for r in behind])


def dashboard(session: Session, actor: Actor, clock: Clock, f: Filters) -> Dashboard:
    """Every tile the viewer may see, in their scope and within the filters. A retailer is
    refused here: its page is `account`."""
    if actor.role == "retailer":
        raise NotAllowed("A retailer sees its own account, not the dashboard.")
    actor.require("orders.view", "see orders")
    today = clock.today()
    now_span, before = spans(f.period, today)
    sc = _resolve(session, actor, f)
    orders, statuses = _orders_tile(session, actor, sc, now_span, before)
    d = Dashboard(actor.user_id, actor.role, today, f, orders, statuses)
    if actor.role != "warehouse":  # warehouse staff see no sales figures (core.reports)
        d.revenue = _revenue(session, actor, f, sc, now_span, today)
        d.daily = trend(session, actor, sc, "day", today)
        d.monthly = trend(session, actor, sc, "month", today)
    conds = audit_scope(session, actor, sc)
    d.active_users = _active(session, conds, today)
    d.activity = activity(session, conds)
    d.approvals = _approvals(session, actor, sc, clock.now())
    if actor.can("stock.quantities"):
        d.stock = _stock(session, actor, sc, today)
    if actor.role in ("admin", "manager", "sales_rep"):
        d.field = _field(session, actor, clock, today)
    if actor.role in ("admin", "manager", "sales_rep", "distributor"):
        d.targets = _targets(session, actor, clock)
    return d


# --- a retailer's account ------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    order_no: str
    customer: str
    created_at: datetime
    status: str
    total: Decimal


@dataclass
class Account:
    customer: str
    name: str
    today: date
    outstanding: Decimal
    overdue: Decimal
    credit_limit: Decimal | None
    buckets: dict[str, Decimal]
    orders: list[OrderRow]
    statuses: list[StatusCount]
    activity: list[Activity]


def account(session: Session, actor: Actor, clock: Clock) -> Account:
    """A customer's own page (a retailer's): its latest orders, balance and ageing, activity."""
    if not actor.customer:
        raise NotAllowed("Only a customer's own user has an account page.")
    o = customer_outstanding(session, actor, clock, actor.customer)
    sc = _Scope(None, None)
    latest = [
        OrderRow(x.order_no, x.customer, x.created_at, x.status, x.total)
        for x in list_orders(session, actor, customer=actor.customer, limit=10)
    ]
    conds = [
        sa.or_(
            sa.and_(
                col(AuditEntry.entity) == "order",
                col(AuditEntry.entity_id).in_(
                    sa.select(col(Order.order_no)).where(col(Order.customer) == actor.customer)
                ),
            ),
            sa.and_(col(AuditEntry.entity) == "customer", col(AuditEntry.entity_id) == actor.customer),
        )
    ]
    return Account(
        o.customer,
        o.name,
        clock.today(),
        o.outstanding,
        o.overdue,
        o.credit_limit,
        o.buckets,
        latest,
        status_counts(session, actor, sc, None, None),
        activity(session, conds),
    )


# --- one order as the web page shows it ----------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    line_no: int
    sku: str
    sku_name: str
    qty: int
    free_qty: int
    unit_price: Decimal
    gross: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


@dataclass
class OrderView:
    order_no: str
    customer: str
    customer_name: str
    warehouse: str
    status: str
    created_at: datetime
    created_by: str | None
    gross: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    lines: list[LineView]
    schemes: list[tuple[str, str, Decimal]]  # scheme, description, benefit
    approval_status: str | None = None
    approval_why: str | None = None
    approval_role: str | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    may_decide: bool = False
    invoice_no: str | None = None
    invoice_amount: Decimal | None = None
    invoice_paid: Decimal | None = None
    invoice_due: date | None = None
    delivery_note: str | None = None
    dispatched_at: datetime | None = None


def order_view(session: Session, actor: Actor, order_no: str) -> OrderView:
    """An order with its lines, schemes, approval, invoice and delivery note, if the actor may see
    it (the same refusal as `get_order` otherwise)."""
    o = get_order(session, actor, order_no)
    cust = session.get(Customer, o.customer)
    lines = order_lines(session, o.order_no)
    names = sku_names(session, [ln.sku for ln in lines])
    v = OrderView(
        o.order_no,
        o.customer,
        cust.name if cust else o.customer,
        o.warehouse,
        o.status,
        o.created_at,
        o.created_by,
        o.gross,
        o.discount,
        o.tax,
        o.total,
        [
            LineView(
                ln.line_no,
                ln.sku,
                names.get(ln.sku, ln.sku),
                ln.qty,
                ln.free_qty,
                ln.unit_price,
                ln.gross,
                ln.discount,
                ln.tax,
                ln.line_total,
            )
            for ln in lines
        ],
        [(x.scheme, x.description, x.benefit) for x in order_schemes(session, o.order_no)],
    )
    a = session.exec(select(Approval).where(Approval.order_no == o.order_no)).first()
    if a is not None:
        v.approval_status, v.approval_role = a.status, a.approver_role
        v.approval_why = approval_why(session, o.order_no)
        v.decided_by, v.decision_reason = a.decided_by, a.decision_reason
        v.may_decide = a.status == "pending" and cust is not None and may_approve(session, actor, a, cust)
    inv = session.exec(select(Invoice).where(Invoice.order_no == o.order_no)).first()
    if inv is not None:
        v.invoice_no, v.invoice_amount, v.invoice_paid, v.invoice_due = (
            inv.invoice_no,
            inv.amount,
            inv.paid,
            inv.due_date,
        )
    note = session.exec(select(DeliveryNote).where(DeliveryNote.order_no == o.order_no)).first()
    if note is not None:
        v.delivery_note, v.dispatched_at = note.note_no, note.dispatched_at
    return v
