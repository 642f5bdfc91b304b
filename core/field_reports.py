"""Field reports (rules.md, "Field work"), scoped to the actor: a rep sees their own, a manager
their team's (core/beats.team_rep_ids), an admin everyone's.

For a rep and a day d (business time zone), with P = the outlets of the rep's beats whose
weekday is d's and V = the rep's visits started on d:
  planned    = |P|
  covered    = outlets of P with a visit in V that is not off-site
  missed     = planned − covered
  compliance = covered / planned
  unplanned  = visits in V at outlets not in P
  off_site   = visits in V that are off-site
  calls      = visits in V that have ended (an open visit has no outcome yet)
  productive = ended visits with outcome `order` whose order is not cancelled or rejected
  lines      = order lines (ordered quantity > 0) of the productive visits' orders
  productive calls = productive / calls; lines per call = lines / productive.
A week adds up its days' counts and then divides. Days after today are not counted.
Ratios are percentages (or lines) to 2 places, half-up; None when the divisor is 0.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from .access import Actor, visible_customer_codes
from .beats import plan_index, resolve_rep, team_rep_ids, weekday_of
from .clock import Clock
from .errors import InvalidInput
from .tables.field import Attendance, Visit, VisitLink
from .tables.orders import Order, OrderLine
from .tables.parties import Customer, User
from .visits import NOT_SALES

CENT = Decimal("0.01")


def ratio(part: int, whole: int, scale: int = 100) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ComplianceRow:
    rep: str
    rep_name: str
    start: date  # the day, or the Monday of the week
    end: date
    planned: int
    covered: int
    missed: int
    unplanned: int
    off_site: int
    calls: int
    productive: int
    lines: int

    @property
    def compliance_pct(self) -> Decimal | None:
        return ratio(self.covered, self.planned)

    @property
    def productive_pct(self) -> Decimal | None:
        return ratio(self.productive, self.calls)

    @property
    def lines_per_call(self) -> Decimal | None:
        return ratio(self.lines, self.productive, 1)


@dataclass(frozen=True)
class MissedOutlet:
    rep: str
    rep_name: str
    day: date
    customer: str
    name: str


def _reps(session: Session, actor: Actor, rep: str | None) -> list[str]:
    return (
        [resolve_rep(session, actor, rep)]
        if rep is not None or actor.role == "sales_rep"
        else team_rep_ids(session, actor)
    )


def _names(session: Session, model: type[User] | type[Customer], key: str, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    column = getattr(model, key)
    return {k: n for k, n in session.exec(select(column, model.name).where(column.in_(sorted(codes)))).all()}


def _period(clock: Clock, start: date, end: date) -> list[date]:
    if end < start:
        raise InvalidInput("The period ends before it starts.")
    last = min(end, clock.today())
    return [start + timedelta(days=n) for n in range((last - start).days + 1)]


def _productive_lines(session: Session, visit_ids: list[str]) -> dict[str, int]:
    """visit id -> order lines (qty > 0) of its orders that are not cancelled or rejected; a visit
    is in the result only if it has such an order (SQL aggregation)."""
    if not visit_ids:
        return {}
    lines = func.count(col(OrderLine.id))
    q = (
        select(VisitLink.visit_id, lines)
        .join(Order, col(Order.order_no) == col(VisitLink.ref))
        .outerjoin(OrderLine, (col(OrderLine.order_no) == col(Order.order_no)) & (col(OrderLine.qty) > 0))
        .where(VisitLink.kind == "order", col(VisitLink.visit_id).in_(visit_ids), col(Order.status).not_in(NOT_SALES))
        .group_by(col(VisitLink.visit_id))
    )
    return {vid: int(n) for vid, n in session.exec(q).all()}


def _daily(
    session: Session,
    actor: Actor,
    clock: Clock,
    start: date,
    end: date,
    rep: str | None,
) -> tuple[dict[tuple[str, date], dict[str, int]], dict[tuple[str, date], list[str]], list[str]]:
    reps = _reps(session, actor, rep)
    days = _period(clock, start, end)
    plans = plan_index(session, reps)
    visits = (
        session.exec(
            select(Visit)
            .where(
                col(Visit.user_id).in_(reps), col(Visit.day) >= start, col(Visit.day) <= (days[-1] if days else start)
            )
            .order_by(col(Visit.started_at))
        ).all()
        if reps and days
        else []
    )
    productive = _productive_lines(session, [v.id for v in visits if v.outcome == "order"])
    by_day: dict[tuple[str, date], list[Visit]] = defaultdict(list)
    for v in visits:
        by_day[(v.user_id, v.day)].append(v)
    counts: dict[tuple[str, date], dict[str, int]] = {}
    missed: dict[tuple[str, date], list[str]] = {}
    for r in reps:
        for d in days:
            plan = plans.get((r, weekday_of(d)), [])
            vs = by_day.get((r, d), [])
            if not plan and not vs:
                continue
            covered = {v.customer for v in vs if not v.off_site} & set(plan)
            ended = [v for v in vs if v.outcome is not None]
            prod = [v for v in ended if v.outcome == "order" and v.id in productive]
            counts[(r, d)] = {
                "planned": len(plan),
                "covered": len(covered),
                "missed": len(plan) - len(covered),
                "unplanned": sum(1 for v in vs if v.customer not in plan),
                "off_site": sum(1 for v in vs if v.off_site),
                "calls": len(ended),
                "productive": len(prod),
                "lines": sum(productive[v.id] for v in prod),
            }
            missed[(r, d)] = [c for c in plan if c not in covered]
    return counts, missed, reps


def visit_compliance(
    session: Session, actor: Actor, clock: Clock, start: date, end: date, rep: str | None = None, by: str = "day"
) -> list[ComplianceRow]:
    """Compliance, productivity and lines per call per rep and day (or ISO week: `by="week"`)."""
    if by not in ("day", "week"):
        raise InvalidInput("Group visit compliance by day or week.")
    counts, _, reps = _daily(session, actor, clock, start, end, rep)
    names = _names(session, User, "id", set(reps))
    groups: dict[tuple[str, date], dict[str, int]] = {}
    for (r, d), c in sorted(counts.items()):
        key = (r, d if by == "day" else d - timedelta(days=d.weekday()))
        acc = groups.setdefault(key, defaultdict(int))
        for k, n in c.items():
            acc[k] += n
    return [
        ComplianceRow(rep=r, rep_name=names.get(r, r), start=s, end=s if by == "day" else s + timedelta(days=6), **c)
        for (r, s), c in sorted(groups.items())
    ]


def missed_outlets(
    session: Session,
    actor: Actor,
    clock: Clock,
    day: date,
    rep: str | None = None,
) -> list[MissedOutlet]:
    """The planned outlets each rep did not cover on `day` (rules.md: missed)."""
    _, missed, reps = _daily(session, actor, clock, day, day, rep)
    names = _names(session, User, "id", set(reps))
    outlets = _names(session, Customer, "code", {c for cs in missed.values() for c in cs})
    return [
        MissedOutlet(r, names.get(r, r), d, c, outlets.get(c, c)) for (r, d), cs in sorted(missed.items()) for c in cs
    ]


@dataclass(frozen=True)
class AttendanceDay:
    rep: str
    day: date
    first_check_in: datetime
    last_check_out: datetime | None
    open: bool


@dataclass(frozen=True)
class AttendanceSummary:
    rep: str
    rep_name: str
    days: int
    rows: list[AttendanceDay]


def attendance_report(
    session: Session, actor: Actor, clock: Clock, start: date, end: date, rep: str | None = None
) -> list[AttendanceSummary]:
    """Per rep: days worked in the period and, per day, the first check-in and the last check-out
    (SQL aggregation by rep and day)."""
    if end < start:
        raise InvalidInput("The period ends before it starts.")
    reps = _reps(session, actor, rep)
    q = (
        sql_select(
            col(Attendance.user_id),
            col(Attendance.day),
            func.min(col(Attendance.check_in)),
            func.max(col(Attendance.check_out)),
            func.count(col(Attendance.id)) - func.count(col(Attendance.check_out)),
        )
        .where(col(Attendance.user_id).in_(reps), col(Attendance.day) >= start, col(Attendance.day) <= end)
        .group_by(col(Attendance.user_id), col(Attendance.day))
    )
    per: dict[str, list[AttendanceDay]] = defaultdict(list)
    for uid, d, first, last, still_open in session.execute(q).all():  # min/max keep the columns' types
        per[uid].append(AttendanceDay(uid, d, first, last, bool(still_open)))
    names = _names(session, User, "id", set(reps))
    return [
        AttendanceSummary(r, names.get(r, r), len(per.get(r, [])), sorted(per.get(r, []), key=lambda a: a.day))
        for r in reps
    ]


@dataclass(frozen=True)
class IdleOutlet:
    customer: str
    name: str
    region: str
    last_visit: date | None
    days_since: int | None


def outlets_not_visited(session: Session, actor: Actor, clock: Clock, days: int) -> list[IdleOutlet]:
    """Outlets in the actor's scope (customers that are not distributors and not blocked) with no
    visit by anyone in the last `days` days (today included), longest unvisited first."""
    if days < 1:
        raise InvalidInput("Give a number of days of at least 1.")
    if actor.role not in ("sales_rep", "manager", "admin"):
        team_rep_ids(session, actor)  # raises the refusal
    codes = visible_customer_codes(session, actor)
    q = select(Customer.code, Customer.name, Customer.region).where(
        Customer.type != "distributor", Customer.status != "blocked"
    )
    if codes is not None:
        q = q.where(col(Customer.code).in_(sorted(codes)))
    outlets = session.exec(q).all()
    last = dict(session.exec(select(Visit.customer, func.max(Visit.day)).group_by(col(Visit.customer))).all())
    today = clock.today()
    since = today - timedelta(days=days - 1)
    out = []
    for code, name, region in outlets:
        seen = last.get(code)
        if seen is None or seen < since:
            out.append(IdleOutlet(code, name, region, seen, (today - seen).days if seen else None))
    return sorted(out, key=lambda o: (o.last_visit is not None, o.last_visit or today, o.customer))
