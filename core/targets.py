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

from sqlmodel import Session, col, select

from .access import Actor, customer_in_scope, load_actor, visible_customer_codes
from .beats import team_rep_ids
from .clock import Clock
from .errors import InvalidInput, NotAllowed
from .tables.field import Target
from .tables.orders import Order
from .tables.parties import Customer, User
from .types import money

SALES_STATUSES = ("confirmed", "dispatched", "delivered")  # rules.md: what "sales" are
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


def net_sales(session: Session, customers: set[str] | None, start: date, end: date, tz: tzinfo) -> Decimal:
    """Σ (gross − discount) of the sales orders of `customers` (None = all) with order dates in [start, end)."""
    from_, to = datetime.combine(start, time.min, tz), datetime.combine(end, time.min, tz)
    q = select(col(Order.gross), col(Order.discount)).where(
        col(Order.status).in_(SALES_STATUSES), col(Order.created_at) >= from_, col(Order.created_at) < to
    )
    if customers is not None:
        if not customers:
            return Decimal("0.00")
        q = q.where(col(Order.customer).in_(sorted(customers)))
    return money(sum((g - d for g, d in session.exec(q).all()), Decimal("0")))


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


def rep_customers(session: Session, rep_id: str) -> set[str]:
    codes = visible_customer_codes(session, load_actor(session, rep_id))
    return set() if codes is None else codes


def distributor_customers(session: Session, code: str) -> set[str]:
    return {code} | set(session.exec(select(Customer.code).where(Customer.distributor == code)).all())


def target_report(session: Session, actor: Actor, clock: Clock, month: str | None = None) -> list[TargetRow]:
    """Target and achievement for the month (default: the current one) of every rep and distributor
    the actor may see: a rep their own; a manager their team's reps and the distributors in their
    regions; a distributor its own; an admin all."""
    month = month or clock.today().strftime("%Y-%m")
    start, end = month_bounds(month)
    if actor.role == "distributor":
        reps: list[str] = []
    elif actor.role in ("sales_rep", "manager", "admin"):
        reps = team_rep_ids(session, actor)
    else:
        raise NotAllowed(f"A {actor.role.replace('_', ' ')} may not see targets.")
    rows: list[TargetRow] = []
    for t in session.exec(
        select(Target).where(Target.month == month).order_by(col(Target.user_id), col(Target.customer))
    ):
        if t.user_id is not None:
            if t.user_id not in reps:
                continue
            user = session.get(User, t.user_id)
            achieved = net_sales(session, rep_customers(session, t.user_id), start, end, clock.tz)
            rows.append(
                TargetRow(
                    "rep",
                    t.user_id,
                    user.name if user else t.user_id,
                    month,
                    t.target,
                    achieved,
                    achievement_pct(achieved, t.target),
                )
            )
        elif t.customer is not None:
            cust = session.get(Customer, t.customer)
            if cust is None:
                continue
            if actor.role == "distributor":
                if cust.code != actor.customer:
                    continue
            elif actor.role == "sales_rep" or not customer_in_scope(session, actor, cust):
                continue
            achieved = net_sales(session, distributor_customers(session, cust.code), start, end, clock.tz)
            rows.append(
                TargetRow(
                    "distributor", cust.code, cust.name, month, t.target, achieved, achievement_pct(achieved, t.target)
                )
            )
    return rows
