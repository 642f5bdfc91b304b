"""Beats and plans (rules.md, "Field work"): the outlets of a rep's beats whose weekday is a
given day's (business time zone), in visiting order."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from .access import Actor, customer_in_scope
from .catalogue import split_list
from .clock import Clock
from .errors import NotAllowed, NotFound
from .tables.field import Beat, Visit
from .tables.parties import Customer, User

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekday_of(day: date) -> str:
    return WEEKDAYS[day.weekday()]


@dataclass(frozen=True)
class PlannedOutlet:
    position: int  # 1-based, in visiting order over the day's beats (by beat code)
    beat: str
    beat_name: str
    customer: str
    name: str
    visited: bool = False
    outcome: str | None = None


def planned_outlets(session: Session, rep_id: str, day: date) -> list[tuple[str, str, str]]:
    """(beat code, beat name, customer code) planned for the rep on `day`, in visiting order;
    an outlet on two of the day's beats is planned once (its first place). A beat without a
    weekday is never planned."""
    beats = session.exec(
        select(Beat).where(Beat.sales_rep == rep_id, Beat.weekday == weekday_of(day)).order_by(col(Beat.code))
    ).all()
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for beat in beats:
        for code in split_list(beat.customers):
            if code not in seen:
                seen.add(code)
                out.append((beat.code, beat.name, code))
    return out


def plan_index(session: Session, rep_ids: list[str]) -> dict[tuple[str, str], list[str]]:
    """(rep, weekday) -> planned customer codes, in visiting order, for many reps at once."""
    out: dict[tuple[str, str], list[str]] = {}
    if not rep_ids:
        return out
    for beat in session.exec(select(Beat).where(col(Beat.sales_rep).in_(rep_ids)).order_by(col(Beat.code))):
        if beat.weekday is None:
            continue
        codes = out.setdefault((beat.sales_rep, beat.weekday), [])
        codes.extend(c for c in split_list(beat.customers) if c not in codes)
    return out


def team_rep_ids(session: Session, actor: Actor) -> list[str]:
    """The sales reps whose field work the actor may see: a rep themself; a manager the reps who
    report to them (directly or through others) or who cover a region of theirs; an admin every rep."""
    if actor.role == "sales_rep":
        return [actor.user_id]
    if actor.role not in ("manager", "admin"):
        raise NotAllowed(f"A {actor.role.replace('_', ' ')} may not see field work.")
    # the reps, and whoever reports to someone (the chains above the reps): not every user, of
    # whom a large world has tens of thousands of retailers
    users = session.exec(
        select(User.id, User.role, User.reports_to, User.regions).where(
            (col(User.role) == "sales_rep") | col(User.reports_to).is_not(None)
        )
    ).all()
    reps = sorted(uid for uid, role, _, _ in users if role == "sales_rep")
    if actor.is_admin:
        return reps
    boss = {uid: reports_to for uid, _, reports_to, _ in users}
    regions = {uid: set(split_list(r)) for uid, _, _, r in users}

    def reports_to_actor(uid: str) -> bool:
        seen: set[str] = set()
        cur = boss.get(uid)
        while cur is not None and cur not in seen:
            if cur == actor.user_id:
                return True
            seen.add(cur)
            cur = boss.get(cur)
        return False

    return [r for r in reps if reports_to_actor(r) or regions[r] & actor.regions]


def resolve_rep(session: Session, actor: Actor, rep: str | None) -> str:
    """The rep a question is about: the actor when a rep (or when none is named); else one of
    the actor's team, refused like a nonexistent user otherwise."""
    if rep is None or rep == actor.user_id:
        if actor.role != "sales_rep":
            raise NotFound("Which sales rep?")
        return actor.user_id
    if rep not in team_rep_ids(session, actor):
        raise NotFound(f"No sales rep {rep!r} that you can see.")
    return rep


def todays_plan(
    session: Session, actor: Actor, clock: Clock, rep: str | None = None, day: date | None = None
) -> list[PlannedOutlet]:
    """The rep's plan for today (or `day`), in visiting order, with what was visited so far."""
    if actor.role == "sales_rep":
        actor.require("field", "see beats")
    rep_id = resolve_rep(session, actor, rep)
    day = day or clock.today()
    planned = planned_outlets(session, rep_id, day)
    codes = [c for _, _, c in planned]
    names = (
        dict(session.exec(select(Customer.code, Customer.name).where(col(Customer.code).in_(codes))).all())
        if codes
        else {}
    )
    visits: dict[str, Visit] = {}
    for seen in session.exec(
        select(Visit).where(Visit.user_id == rep_id, Visit.day == day).order_by(col(Visit.started_at))
    ):
        visits[seen.customer] = seen  # the latest visit of the day decides what is shown
    out = []
    for n, (beat, beat_name, code) in enumerate(planned, 1):
        cust = session.get(Customer, code)
        if cust is None or (actor.role == "sales_rep" and not customer_in_scope(session, actor, cust)):
            continue
        v = visits.get(code)
        out.append(
            PlannedOutlet(
                position=n,
                beat=beat,
                beat_name=beat_name,
                customer=code,
                name=names.get(code, code),
                visited=v is not None,
                outcome=v.outcome if v else None,
            )
        )
    return out
