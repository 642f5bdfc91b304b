"""Targets and achievement (rules.md, "Field work"): a monthly target of net sales for a sales rep
or a distributor. Achievement = net sales in that month (orders confirmed, dispatched or
delivered, by order date in the business's time zone, before tax: gross − discount) of the
customers in the rep's scope (their regions and beats), or for a distributor of itself and every
customer whose distributor it is; as a share of the target.

Money is stored as exact text, so the sums are Decimal sums in Python over the rows SQL selects.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from .access import Actor, customer_in_scope
from .beats import team_rep_ids
from .catalogue import split_list
from .clock import Clock
from .errors import InvalidInput, NotAllowed
from .parties import region_children, subtree
from .tables.field import Beat, Target
from .tables.orders import Order
from .tables.parties import Customer, User
from .types import money, money_sum

SALES_STATUSES = ("confirmed", "dispatched", "delivered")  # rules.md: what "sales" are
ZERO = Decimal("0")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> tuple[int, int]:
    m = _MONTH.fullmatch(text.strip())
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise InvalidInput(f"{text!r} is not a month (YYYY-MM).")
    return int(m.group(1)), int(m.group(2))


def month_bounds(month: str) -> tuple[date, date]:
    """The first day of the month and the first day of the next."""
    y, m = parse_month(month)
    return date(y, m, 1), (date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1))


def achievement_pct(achieved: Decimal, target: Decimal) -> Decimal | None:
    """achieved / target as a percentage, 2 places half-up (None for a zero target)."""
    if target == 0:
        return None
    return (achieved * 100 / target).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TargetRow:
    kind: str  # rep | distributor
    owner: str  # user id or customer code
    name: str
    month: str
    target: Decimal
    achieved: Decimal
    pct: Decimal | None


def _net_by(session: Session, key: Any, start: date, end: date, tz: tzinfo, *conds: Any) -> dict[str, Decimal]:
    """Net sales (Σ gross − Σ discount, exact on every database) of the sales orders in [start, end),
    grouped by `key` (a column of `Order` or of the order's `Customer`)."""
    from_, to = datetime.combine(start, time.min, tz), datetime.combine(end, time.min, tz)
    q = (
        sa.select(key, money_sum(col(Order.gross)), money_sum(col(Order.discount)))
        .select_from(Order)
        .join(Customer, col(Customer.code) == col(Order.customer))
        .where(
            col(Order.status).in_(SALES_STATUSES), col(Order.created_at) >= from_, col(Order.created_at) < to, *conds
        )
        .group_by(key)
    )
    return {k: (gross or ZERO) - (discount or ZERO) for k, gross, discount in session.execute(q)}


def _rep_achieved(session: Session, said: dict[str, str], start: date, end: date, tz: tzinfo) -> dict[str, Decimal]:
    """Each rep's net sales over their scope (`customer_scope`: the customers of their regions, and
    those on their beats), from one sum per region and one per beat customer outside its rep's
    regions, instead of a sum per rep over thousands of customer codes."""
    reps = sorted(said)  # rep id -> their regions as the User row says them
    tree = region_children(session)
    regions = {r: set(subtree(tree, split_list(said[r]))) for r in reps}
    beats: dict[str, set[str]] = {r: set() for r in reps}
    for rep, codes in session.exec(select(Beat.sales_rep, Beat.customers).where(col(Beat.sales_rep).in_(reps))):
        beats[rep].update(split_list(codes))
    by_region = _net_by(session, col(Customer.region), start, end, tz)
    # beat customers outside the rep's regions count too (rarely any: a beat is mostly in its regions)
    region_of = dict(session.exec(select(Customer.code, Customer.region)).all()) if any(beats.values()) else {}
    extra = {r: {c for c in beats[r] if c in region_of and region_of[c] not in regions[r]} for r in reps}
    outside = sorted(set().union(*extra.values()))
    by_customer = (
        _net_by(session, col(Order.customer), start, end, tz, col(Order.customer).in_(outside)) if outside else {}
    )
    out = {}
    for rep in reps:
        net = sum((by_region.get(r, ZERO) for r in regions[rep]), ZERO)
        out[rep] = money(net + sum((by_customer.get(c, ZERO) for c in extra[rep]), ZERO))
    return out


def _distributor_achieved(session: Session, codes: list[str], start: date, end: date, tz: tzinfo) -> dict[str, Decimal]:
    """Each distributor's net sales: its own orders and those of every customer it distributes to."""
    own = _net_by(session, col(Order.customer), start, end, tz, col(Order.customer).in_(codes))
    theirs = _net_by(session, col(Customer.distributor), start, end, tz, col(Customer.distributor).in_(codes))
    return {c: money(own.get(c, ZERO) + theirs.get(c, ZERO)) for c in codes}


def target_report(session: Session, actor: Actor, clock: Clock, month: str | None = None) -> list[TargetRow]:
    """Target and achievement for the month (default: the current one) of every rep and distributor
    the actor may see: a rep their own; a manager their team's reps and the distributors in their
    regions; a distributor its own; an admin all. Achievements are grouped sums in SQL, so the
    report costs the same few queries however many targets there are."""
    month = month or clock.today().strftime("%Y-%m")
    start, end = month_bounds(month)
    if actor.role == "distributor":
        reps: set[str] = set()
    elif actor.role in ("sales_rep", "manager", "admin"):
        reps = set(team_rep_ids(session, actor))
    else:
        raise NotAllowed(f"A {actor.role.replace('_', ' ')} may not see targets.")
    targets = session.exec(
        select(Target).where(Target.month == month).order_by(col(Target.user_id), col(Target.customer))
    ).all()
    rep_ids = sorted({t.user_id for t in targets if t.user_id is not None and t.user_id in reps})
    codes = sorted({t.customer for t in targets if t.user_id is None and t.customer is not None})
    customers = (
        {c.code: c for c in session.exec(select(Customer).where(col(Customer.code).in_(codes)))} if codes else {}
    )
    visible = [
        cust
        for cust in customers.values()
        if (
            cust.code == actor.customer
            if actor.role == "distributor"
            else actor.role != "sales_rep" and customer_in_scope(session, actor, cust)
        )
    ]
    users = (
        session.exec(select(User.id, User.name, User.regions).where(col(User.id).in_(rep_ids))).all() if rep_ids else []
    )
    names = {uid: name for uid, name, _ in users}
    achieved = _rep_achieved(session, {uid: r for uid, _, r in users}, start, end, clock.tz) if users else {}
    dist_codes = sorted(c.code for c in visible)
    dist_achieved = _distributor_achieved(session, dist_codes, start, end, clock.tz) if dist_codes else {}
    rows: list[TargetRow] = []
    for t in targets:  # in the targets' order; only those the actor may see have an achievement
        if t.user_id is not None and t.user_id in achieved:
            got = achieved[t.user_id]
            rows.append(
                TargetRow(
                    "rep",
                    t.user_id,
                    names.get(t.user_id, t.user_id),
                    month,
                    t.target,
                    got,
                    achievement_pct(got, t.target),
                )
            )
        elif t.user_id is None and t.customer in dist_achieved:
            cust, got = customers[t.customer], dist_achieved[t.customer]
            rows.append(
                TargetRow("distributor", cust.code, cust.name, month, t.target, got, achievement_pct(got, t.target))
            )
    return rows
