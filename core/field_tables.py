"""The field reports (`core.field_reports`, `core.targets`) as catalogue tables: visit
compliance, attendance, targets and outlets not visited. Their data is small (reps × days), so
these read the services as they are; the permissions are those of the field tools."""

from datetime import date, datetime

from sqlmodel import Session

from .access import Actor
from .clock import Clock
from .errors import InvalidInput
from .field_reports import attendance_report, outlets_not_visited, ratio, visit_compliance
from .lookup import resolve_customer, resolve_region, resolve_rep
from .parties import region_children, subtree
from .report_sql import title
from .tables.parties import User
from .tabular import Column, Table
from .targets import target_report

IDLE_DAYS = 30  # the outlets-not-visited tool's default


def _rep(session: Session, actor: Actor, text: str | None) -> str | None:
    """A rep of the actor's team by name or id; one outside it is refused like an unknown one."""
    return resolve_rep(session, actor, text) if text else None


def _day_span(clock: Clock, start: date | None, end: date | None) -> tuple[date, date]:
    """The field tools' period: as given, else the one day given, else today."""
    today = clock.today()
    return start or end or today, end or today


def _rep_words(session: Session, rep: str | None) -> list[str]:
    user = session.get(User, rep) if rep else None
    return [user.name] if user is not None else []


def visit_compliance_table(
    session: Session,
    actor: Actor,
    clock: Clock,
    start: date | None = None,
    end: date | None = None,
    by: str | None = None,
    sales_rep: str | None = None,
) -> Table:
    """Per rep and day (or week): planned, covered, missed, unplanned and off-site visits, calls,
    productive calls and lines, with compliance %, productive calls % and lines per call."""
    actor.require("field.view", "see field work")
    start, end = _day_span(clock, start, end)
    rep = _rep(session, actor, sales_rep)
    rows = visit_compliance(session, actor, clock, start, end, rep, by or "day")
    counts = ("planned", "covered", "missed", "unplanned", "off_site", "calls", "productive", "lines")
    columns = (
        Column("rep", "Rep"),
        Column("name", "Name"),
        Column("start", "From", "date"),
        Column("end", "To", "date"),
        *(Column(k, k.replace("_", "-").capitalize(), "int") for k in counts),
        Column("compliance", "Compliance", "percent"),
        Column("productive_calls", "Productive calls", "percent"),
        Column("lines_per_call", "Lines per call"),  # a ratio, not a percentage: written out (e.g. "2.00")
    )
    sums = {k: sum(getattr(r, k) for r in rows) for k in counts}
    lpc = ratio(sums["lines"], sums["productive"], 1)
    table_rows = [
        (
            r.rep,
            r.rep_name,
            r.start,
            r.end,
            *(getattr(r, k) for k in counts),
            r.compliance_pct,
            r.productive_pct,
            None if r.lines_per_call is None else str(r.lines_per_call),
        )
        for r in rows
    ]
    totals = (
        None,
        "Total",
        None,
        None,
        *(sums[k] for k in counts),
        ratio(sums["covered"], sums["planned"]),
        ratio(sums["productive"], sums["calls"]),
        None if lpc is None else str(lpc),
    )
    what = title(f"Visit compliance by {by or 'day'}", start, end, _rep_words(session, rep))
    return Table("visit-compliance", what, columns, table_rows, totals, start, end)


def attendance_table(
    session: Session,
    actor: Actor,
    clock: Clock,
    start: date | None = None,
    end: date | None = None,
    by: str | None = None,
    sales_rep: str | None = None,
) -> Table:
    """Days worked per rep (`by="rep"`), or per rep and day (default) the first check-in and the
    last check-out (local time; none while the day is open)."""
    actor.require("field.view", "see field work")
    by = by or "day"
    if by not in ("day", "rep"):
        raise InvalidInput(f"Attendance can be listed by day or by rep, not {by!r}.")
    start, end = _day_span(clock, start, end)
    rep = _rep(session, actor, sales_rep)
    reps = attendance_report(session, actor, clock, start, end, rep)
    what = title(f"Attendance by {by}", start, end, _rep_words(session, rep))
    if by == "rep":
        per_rep = (Column("rep", "Rep"), Column("name", "Name"), Column("days", "Days worked", "int"))
        rows_ = [(s.rep, s.rep_name, s.days) for s in reps]
        return Table("attendance", what, per_rep, rows_, (None, "Total", sum(s.days for s in reps)), start, end)
    columns = (
        Column("rep", "Rep"),
        Column("name", "Name"),
        Column("day", "Day", "date"),
        Column("check_in", "First check-in"),
        Column("check_out", "Last check-out"),
    )
    rows = [
        (s.rep, s.rep_name, d.day, _hhmm(clock, d.first_check_in), _hhmm(clock, d.last_check_out))
        for s in reps
        for d in s.rows
    ]
    return Table("attendance", what, columns, rows, None, start, end)  # a row per day worked


def _hhmm(clock: Clock, at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(clock.tz).strftime("%H:%M")


def targets_table(
    session: Session,
    actor: Actor,
    clock: Clock,
    start: date | None = None,
    sales_rep: str | None = None,
    distributor: str | None = None,
) -> Table:
    """Each target of the month (the month of `start`, default this month) the actor may see, with
    the net sales achieved and the achievement %."""
    actor.require("targets.view", "see targets")
    month = (start or clock.today()).strftime("%Y-%m")
    rows = target_report(session, actor, clock, month)
    words: list[str] = []
    if sales_rep:
        rep = resolve_rep(session, actor, sales_rep)
        rows = [r for r in rows if r.kind == "rep" and r.owner == rep]
        words += _rep_words(session, rep)
    if distributor:
        d = resolve_customer(session, actor, distributor)  # out of scope reads like unknown
        rows = [r for r in rows if r.kind == "distributor" and r.owner == d.code]
        words.append(d.name)
    columns = (
        Column("kind", "Kind"),
        Column("owner", "Owner"),
        Column("name", "Name"),
        Column("month", "Month"),
        Column("target", "Target (net)", "money"),
        Column("achieved", "Achieved (net)", "money"),
        Column("achievement", "Achievement", "percent"),
    )
    table_rows = [(r.kind, r.owner, r.name, r.month, r.target, r.achieved, r.pct) for r in rows]
    return Table("targets", title(f"Targets, {month}", None, None, words), columns, table_rows)


def outlets_not_visited_table(
    session: Session, actor: Actor, clock: Clock, days: int | None = None, region: str | None = None
) -> Table:
    """Outlets in scope (not distributors, not blocked) nobody visited in the last `days` days
    (default 30, today included), longest unvisited first."""
    actor.require("field.view", "see field work")
    days = IDLE_DAYS if days is None else days
    idle = outlets_not_visited(session, actor, clock, days)
    words: list[str] = []
    if region:
        r = resolve_region(session, region)
        inside = subtree(region_children(session), [r.code])
        idle = [o for o in idle if o.region in inside]
        words.append(f"outlets in {r.name}")
    columns = (
        Column("customer", "Outlet"),
        Column("name", "Name"),
        Column("region", "Region"),
        Column("last_visit", "Last visit", "date"),
        Column("days_since", "Days since", "int"),
    )
    rows = [(o.customer, o.name, o.region, o.last_visit, o.days_since) for o in idle]
    what = title(f"Outlets not visited in {days} days", clock.today(), clock.today(), words)
    return Table("outlets-not-visited", what, columns, rows)
