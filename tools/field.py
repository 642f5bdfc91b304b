"""Field work tools: a rep's day, plan, visits, suggested orders and outlet proposals; a
manager's view of the team (compliance, missed beats, attendance, targets, unvisited outlets)
and decisions on outlet requests. Every change is the core's, previewed in a rolled-back savepoint."""

import json
from datetime import date
from typing import Any

from core.attendance import day_status, start_day
from core.beats import todays_plan
from core.errors import InvalidInput
from core.field_reports import attendance_report, missed_outlets, outlets_not_visited, ratio, visit_compliance
from core.identities import user_names
from core.lookup import resolve_customer, resolve_outlet_request, resolve_region, resolve_rep
from core.orders import Item, PreviewChanged, create_order
from core.outlets import (
    NewOutlet,
    OutletChange,
    decide_outlet_request,
    outlet_requests,
    propose_new_outlet,
    propose_outlet_update,
)
from core.parties import customer_names
from core.suggestions import SuggestedOrder, suggest_order
from core.targets import target_report
from core.visits import current_visit, end_day, end_visit, start_visit, visiting

from . import schemas
from .base import Preview, StalePreview, Table, Tool, ToolContext, ToolResult, dry_run, fingerprint, parse_period
from .format import amount, rs, words
from .orders import CreateOrder

REASON_WORDS = {
    "stock_sufficient": "they have enough stock",
    "shop_closed": "the shop was closed",
    "owner_absent": "the owner was not there",
    "credit_issue": "a credit issue",
    "price_issue": "a price issue",
    "competitor": "a competitor",
    "other": "another reason",
}
FIELD_WORDS = {
    "phone": "phone",
    "contact_person": "contact person",
    "latitude": "latitude",
    "longitude": "longitude",
    "class": "class",
}


def _hhmm(ctx: ToolContext, at) -> str:
    return f"{at.astimezone(ctx.clock.tz):%H:%M}"


def _outcome(v) -> str:
    return "order" if v.outcome == "order" else f"no order ({REASON_WORDS.get(v.reason or '', v.reason)})"


def _outlet(ctx: ToolContext, text: str | None) -> str:
    """The outlet said, else the one the rep is visiting; asked for when neither."""
    if text:
        return resolve_customer(ctx.session, ctx.actor, text).code
    code = visiting(ctx.session, ctx.actor) or ctx.actor.customer  # a shop asking for itself
    if code is None:
        raise InvalidInput("Which outlet? Name the shop (or check in there first).")
    return code


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"date: {text!r} is not a date (YYYY-MM-DD).") from None


class _Change(Tool):
    """A field change: the core call run in a rolled-back savepoint for the preview, then for real.
    What binds the confirmation is what the change does, never the clock's minute or a new id."""

    mutating = True

    def _apply(self, ctx: ToolContext, args: Any) -> Any:
        raise NotImplementedError

    def _words(self, ctx: ToolContext, args: Any, result: Any, done: bool) -> tuple[str, dict]:
        """(text, the facts the change binds)"""
        raise NotImplementedError

    def _preview(self, ctx: ToolContext, args: Any) -> Preview:
        with dry_run(ctx.session):
            text, facts = self._words(ctx, args, self._apply(ctx, args), False)
        return Preview(text, None, fingerprint([self.name, facts]), text.split("\n")[0][:120], facts)

    def _execute(self, ctx: ToolContext, args: Any) -> ToolResult:
        text, facts = self._words(ctx, args, self._apply(ctx, args), True)
        return ToolResult(text, data=facts, outcome="done")


# --- the rep's day -----------------------------------------------------------------------------


class StartDay(_Change):
    name = "start_day"
    args_model = schemas.Location
    permission = "field"
    description = "Start my working day (check in), with my location when the channel shares one."

    def _apply(self, ctx, args):
        return start_day(ctx.session, ctx.actor, ctx.clock, args.latitude, args.longitude)

    def _words(self, ctx, args, day, done):
        plan = todays_plan(ctx.session, ctx.actor, ctx.clock) if ctx.actor.role == "sales_rep" else []
        beat = (
            (
                f" Today's beat has {len(plan)} outlet{'s' if len(plan) != 1 else ''}: "
                + ", ".join(p.name for p in plan[:8])
                + ("…" if len(plan) > 8 else "")
                + "."
            )
            if plan
            else " You have no beat planned today."
        )
        where = " (location noted)" if day.in_latitude is not None else ""
        text = (
            f"Day started at {_hhmm(ctx, day.check_in)}{where}."
            if done
            else f"Start your working day now ({_hhmm(ctx, day.check_in)}){where}?"
        ) + beat
        return text, {"day": day.day.isoformat(), "located": day.in_latitude is not None}


class EndDay(_Change):
    name = "end_day"
    args_model = schemas.Location
    permission = "field"
    description = "End my working day (check out); a visit still open is ended first."

    def _apply(self, ctx, args):
        return end_day(ctx.session, ctx.actor, ctx.clock, args.latitude, args.longitude)

    def _words(self, ctx, args, ended, done):
        v = ended.ended_visit
        visit = (
            (
                f" Your visit at {customer_names(ctx.session, [v.customer]).get(v.customer, v.customer)} "
                f"{'was' if done else 'will be'} ended first, as {_outcome(v)}."
            )
            if v
            else ""
        )
        text = (
            f"Day ended at {_hhmm(ctx, ended.day.check_out)}."
            if done
            else f"End your working day now ({_hhmm(ctx, ended.day.check_out)})?"
        ) + visit
        return text, {"day": ended.day.day.isoformat(), "visit_ended": v.customer if v else None}


class TodaysPlan(Tool):
    name = "todays_plan"
    args_model = schemas.Plan
    permission = "field.view"
    description = (
        "A sales rep's beat plan for today (or a date): the outlets to visit in order, which are visited, "
        "and whether the day is started."
    )

    def _run(self, ctx: ToolContext, args: schemas.Plan) -> ToolResult:
        s = ctx.session
        rep = resolve_rep(s, ctx.actor, args.rep) if args.rep else None
        on = _day(args.date)
        plan = todays_plan(s, ctx.actor, ctx.clock, rep, on)
        when = "today" if on is None or on == ctx.clock.today() else on.isoformat()
        whose = "Your" if rep is None else f"{user_names(s, [rep]).get(rep, rep)}'s"
        if not plan:
            text = f"{whose} plan {when}: no beat is planned."
        else:
            text = (
                f"{whose} plan {when} ({plan[0].beat_name}): "
                + "; ".join(
                    f"{p.position}. {p.name}" + (f" (visited: {_words_outcome(p.outcome)})" if p.visited else "")
                    for p in plan
                )
                + "."
            )
        if rep is None and ctx.actor.role == "sales_rep":
            status = day_status(s, ctx.actor)
            text += (
                f" Your day started at {_hhmm(ctx, status.check_in)}."
                if status.open
                else " Your day is not started yet."
            )
            v = current_visit(s, ctx.actor)
            if v is not None:
                text += f" You are at {customer_names(s, [v.customer]).get(v.customer, v.customer)} now."
        rows = [[str(p.position), p.customer, p.name, p.beat, "yes" if p.visited else "no"] for p in plan]
        return ToolResult(
            text,
            Table(["#", "Code", "Outlet", "Beat", "Visited"], rows, "Plan") if rows else None,
            {"outlets": [p.customer for p in plan], "visited": [p.customer for p in plan if p.visited]},
        )


def _words_outcome(outcome: str | None) -> str:
    return {"order": "order", "no_order": "no order", None: "in progress"}.get(outcome, outcome or "")


# --- visits ---------------------------------------------------------------------------------------


class StartVisit(_Change):
    name = "start_visit"
    args_model = schemas.StartVisit
    permission = "field"
    description = "Check in at an outlet (start a visit), planned or not; a visit still open elsewhere is ended first."

    def _apply(self, ctx, args):
        code = resolve_customer(ctx.session, ctx.actor, args.customer).code
        return start_visit(ctx.session, ctx.actor, ctx.clock, code, args.latitude, args.longitude, args.notes)

    def _words(self, ctx, args, started, done):
        v, ended = started.visit, started.ended
        names = customer_names(ctx.session, [v.customer] + ([ended.customer] if ended else []))
        name = names.get(v.customer, v.customer)
        plan = "on today's plan" if v.planned else "not on today's plan"
        dist = ""
        if v.distance_m is not None:
            dist = f", {int(v.distance_m)} m from the outlet" + (" (off-site)" if v.off_site else "")
        first = (
            (
                f" Your visit at {names.get(ended.customer, ended.customer)} {'was' if done else 'will be'} ended "
                f"first, as {_outcome(ended)}."
            )
            if ended
            else ""
        )
        text = (
            f"Checked in at {name} ({v.customer}), {plan}{dist}."
            if done
            else f"Check in at {name} ({v.customer}) now? It is {plan}{dist}."
        ) + first
        return text, {
            "customer": v.customer,
            "planned": v.planned,
            "off_site": v.off_site,
            "ended_first": ended.customer if ended else None,
        }


class EndVisit(_Change):
    name = "end_visit"
    args_model = schemas.EndVisit
    permission = "field"
    description = (
        "End my visit at the outlet: with an order if one was placed there during the visit, else no "
        "order with the reason."
    )

    def _apply(self, ctx, args):
        return end_visit(ctx.session, ctx.actor, ctx.clock, args.outcome, args.reason, args.notes)

    def _words(self, ctx, args, v, done):
        name = customer_names(ctx.session, [v.customer]).get(v.customer, v.customer)
        order = f" (order {v.order_no})" if v.order_no else ""
        text = (
            f"Visit at {name} ended: {_outcome(v)}{order}."
            if done
            else f"End your visit at {name} as {_outcome(v)}{order}?"
        )
        return text, {"customer": v.customer, "outcome": v.outcome, "reason": v.reason, "order_no": v.order_no}


_ORDERS = CreateOrder()  # an order preview in the words of create_order


class SuggestOrderTool(Tool):
    """The suggested order (rules.md) previewed as an order; confirmed, it is placed as shown."""

    name = "suggest_order"
    args_model = schemas.SuggestOrder
    mutating = True
    permission = "orders.create"
    description = (
        "Suggest an order for an outlet (what it usually buys and has not bought lately, in its usual "
        "quantities) as an order preview; confirmed, it is placed."
    )

    def _suggestion(self, ctx: ToolContext, args: schemas.SuggestOrder) -> SuggestedOrder:
        code = _outlet(ctx, args.customer)
        got = suggest_order(ctx.session, ctx.actor, ctx.clock, code)
        if got.preview is None:
            name = customer_names(ctx.session, [code]).get(code, code)
            why = (" " + "; ".join(got.notes) + ".") if got.notes else ""
            raise InvalidInput(
                f"Nothing to suggest for {name}: no product was ordered in at least two of its orders of "
                f"the last 90 days and in none of the last 14.{why}"
            )
        return got

    def _preview(self, ctx, args):
        got = self._suggestion(ctx, args)
        assert got.preview is not None  # _suggestion raises otherwise
        preview = _ORDERS.render(ctx, got.preview)
        if got.notes:
            preview.text = "Suggested from its buying pattern. " + " ".join(got.notes) + "\n" + preview.text
        else:
            preview.text = "Suggested from its buying pattern.\n" + preview.text
        return preview

    def execute(self, ctx, args, fingerprint):
        self._gate(ctx)
        args = self.parse(args)
        got = self._suggestion(ctx, args)
        p = got.preview
        assert p is not None  # _suggestion raises otherwise
        items = [Item(ln.sku, ln.qty) for ln in p.lines if ln.qty > 0]
        try:
            order, placed = create_order(
                ctx.session, ctx.actor, ctx.clock, items, p.customer, p.warehouse, expected=fingerprint
            )
        except PreviewChanged as e:
            raise StalePreview(_ORDERS.render(ctx, e.preview), e.message) from None
        text = f"Order {order.order_no} placed for {placed.customer_name}: {rs(order.total)}, status {words(order.status)}."
        return ToolResult(
            text,
            data={
                "order_no": order.order_no,
                "status": order.status,
                "total": str(order.total),
                "customer": order.customer,
            },
            outcome="done",
        )


# --- outlet proposals and decisions ----------------------------------------------------------


def _changes_words(changes: dict[str, str], previous: dict[str, str] | None = None) -> str:
    previous = previous or {}
    return ", ".join(
        f"{FIELD_WORDS.get(k, k)} {previous.get(k) or '(none)'} → {v}"
        if k in previous
        else f"{FIELD_WORDS.get(k, k)} {v}"
        for k, v in changes.items()
    )


class ProposeOutletUpdate(_Change):
    name = "propose_outlet_update"
    args_model = schemas.OutletUpdate
    permission = "field"
    description = (
        "Propose a change to an outlet's phone, contact person, location or class; a manager covering it approves."
    )

    def _apply(self, ctx, args):
        change = OutletChange(
            phone=args.phone,
            contact_person=args.contact_person,
            latitude=args.latitude,
            longitude=args.longitude,
            outlet_class=args.outlet_class,
        )
        if not change.values():
            raise InvalidInput("What should change: the phone, contact person, location or class?")
        return propose_outlet_update(ctx.session, ctx.actor, ctx.clock, _outlet(ctx, args.customer), change)

    def _words(self, ctx, args, req, done):
        name = customer_names(ctx.session, [req.customer]).get(req.customer, req.customer)
        what = _changes_words(json.loads(req.changes), json.loads(req.previous))
        text = (
            f"Proposed for {name}: {what}. Request {req.id} waits for a manager's approval."
            if done
            else f"Propose for {name} ({req.customer}): {what}? A manager covering it approves the change."
        )
        return text, {"customer": req.customer, "changes": json.loads(req.changes)}


class ProposeNewOutlet(_Change):
    name = "propose_new_outlet"
    args_model = schemas.NewOutlet
    permission = "field"
    description = (
        "Propose a new outlet (shop) with its name, area, type and phone; it is pending until a manager "
        "covering its area approves."
    )

    def _apply(self, ctx, args):
        region = resolve_region(ctx.session, args.region)
        outlet = NewOutlet(
            name=args.name,
            region=region.code,
            type=args.type,
            phone=args.phone,
            contact_person=args.contact_person,
            latitude=args.latitude,
            longitude=args.longitude,
            outlet_class=args.outlet_class,
        )
        return propose_new_outlet(ctx.session, ctx.actor, ctx.clock, outlet)

    def _words(self, ctx, args, req, done):
        changes = json.loads(req.changes)
        what = ", ".join(f"{FIELD_WORDS.get(k, k)} {v}" for k, v in changes.items() if k not in ("name",))
        name = changes.get("name", args.name)
        text = (
            f"New outlet {name} proposed ({req.customer}, pending); request {req.id} waits for a manager's approval."
            if done
            else f"Propose a new outlet {name}"
            + (f" ({what})" if what else "")
            + "? It stays pending until a manager covering the area approves."
        )
        return text, {"name": name, "changes": changes}


class OutletRequests(Tool):
    name = "outlet_requests"
    args_model = schemas.NoArgs
    permission = "outlets.approve"
    description = "Outlet updates and new outlets proposed by reps, waiting for my decision."

    def _run(self, ctx: ToolContext, args: schemas.NoArgs) -> ToolResult:
        waiting = outlet_requests(ctx.session, ctx.actor)
        if not waiting:
            return ToolResult("No outlet requests are waiting for you.", data={"requests": []})
        names = customer_names(ctx.session, {r.customer for r in waiting})
        reps = user_names(ctx.session, [r.proposed_by for r in waiting])
        rows = [
            [
                r.id,
                "new outlet" if r.kind == "new" else "update",
                names.get(r.customer, r.customer),
                reps.get(r.proposed_by, r.proposed_by),
                _changes_words(json.loads(r.changes), json.loads(r.previous)),
            ]
            for r in waiting
        ]
        text = "Outlet requests waiting for you:\n" + "\n".join(
            f"- {r[0]}: {r[1]} of {r[2]} by {r[3]}: {r[4]}" for r in rows
        )
        return ToolResult(
            text,
            Table(["Request", "Kind", "Outlet", "By", "Changes"], rows, "Outlet requests"),
            {"requests": [r.id for r in waiting]},
        )


class _OutletDecision(_Change):
    approve = True

    def _apply(self, ctx, args):
        req = resolve_outlet_request(ctx.session, ctx.actor, args.request)
        return decide_outlet_request(
            ctx.session, ctx.actor, ctx.clock, req.id, self.approve, getattr(args, "reason", None)
        )

    def _words(self, ctx, args, req, done):
        name = customer_names(ctx.session, [req.customer]).get(req.customer, req.customer)
        what = (
            "new outlet"
            if req.kind == "new"
            else "update (" + _changes_words(json.loads(req.changes), json.loads(req.previous)) + ")"
        )
        reason = f' with the reason "{req.decision_reason}"' if req.decision_reason else ""
        text = (
            f"{'Approved' if self.approve else 'Rejected'} {req.id}: {what} of {name}{reason}."
            if done
            else f"{'Approve' if self.approve else 'Reject'} {req.id}, the {what} of {name} proposed by "
            f"{user_names(ctx.session, [req.proposed_by]).get(req.proposed_by, req.proposed_by)}{reason}?"
        )
        return text, {"request": req.id, "status": req.status}


class ApproveOutletRequest(_OutletDecision):
    name = "approve_outlet_request"
    args_model = schemas.OutletRequestRef
    permission = "outlets.approve"
    description = "Approve a rep's outlet update or new outlet (the change is applied; a new outlet becomes active)."


class RejectOutletRequest(_OutletDecision):
    name = "reject_outlet_request"
    args_model = schemas.RejectOutletRequest
    permission = "outlets.approve"
    description = "Reject a rep's outlet update or new outlet, with a reason."
    approve = False


# --- the team's field work --------------------------------------------------------------------


def _rep(ctx: ToolContext, text: str | None) -> str | None:
    return resolve_rep(ctx.session, ctx.actor, text) if text else None


def _pct(value) -> str:
    return "-" if value is None else f"{value}%"


class VisitCompliance(Tool):
    name = "visit_compliance"
    args_model = schemas.TeamPeriod
    permission = "field.view"
    description = (
        "How the team did on visits over a period: planned, covered, missed, unplanned and off-site "
        "visits, compliance %, productive calls % and lines per call, per rep and day or week."
    )

    def _run(self, ctx: ToolContext, args: schemas.TeamPeriod) -> ToolResult:
        start, end = parse_period(args.period)
        today = ctx.clock.today()
        start, end = start or end or today, end or today
        rows_ = visit_compliance(ctx.session, ctx.actor, ctx.clock, start, end, _rep(ctx, args.rep), args.by)
        label = args.period.label if args.period and args.period.label else f"{start} to {end}"
        if not rows_:
            return ToolResult(f"No planned or made visits for {label}.", data={"rows": []})
        totals = [sum(getattr(r, k) for r in rows_) for k in ("planned", "covered", "calls", "productive", "lines")]
        text = (
            f"Visits for {label}: {totals[1]} of {totals[0]} planned outlets covered "
            f"({_pct(ratio(totals[1], totals[0]))} compliance), {totals[3]} of {totals[2]} calls productive "
            f"({_pct(ratio(totals[3], totals[2]))}), {ratio(totals[4], totals[3], 1) or '-'} lines per call.\n"
            + "\n".join(
                f"- {r.rep_name} {r.start}: {r.covered}/{r.planned} covered ({_pct(r.compliance_pct)}), "
                f"{r.missed} missed, {r.unplanned} unplanned, {r.off_site} off-site, "
                f"productive {_pct(r.productive_pct)}, lines per call {r.lines_per_call or '-'}"
                for r in rows_[:20]
            )
        )
        rows = [
            [
                r.rep_name,
                str(r.start),
                str(r.planned),
                str(r.covered),
                str(r.missed),
                str(r.unplanned),
                str(r.off_site),
                _pct(r.compliance_pct),
                _pct(r.productive_pct),
                str(r.lines_per_call or "-"),
            ]
            for r in rows_
        ]
        return ToolResult(
            text,
            Table(
                [
                    "Rep",
                    "From",
                    "Planned",
                    "Covered",
                    "Missed",
                    "Unplanned",
                    "Off-site",
                    "Compliance",
                    "Productive",
                    "Lines/call",
                ],
                rows,
                "Visit compliance",
            ),
            {"planned": totals[0], "covered": totals[1], "calls": totals[2], "productive": totals[3]},
        )


class MissedBeats(Tool):
    name = "missed_beats"
    args_model = schemas.MissedBeat
    permission = "field.view"
    description = "Which planned outlets each rep did not cover on a day (who missed their beat)."

    def _run(self, ctx: ToolContext, args: schemas.MissedBeat) -> ToolResult:
        on = _day(args.date) or ctx.clock.today()
        missed = missed_outlets(ctx.session, ctx.actor, ctx.clock, on, _rep(ctx, args.rep))
        if not missed:
            return ToolResult(f"No planned outlet was missed on {on}.", data={"missed": []})
        per: dict[str, list[str]] = {}
        for m in missed:
            per.setdefault(m.rep_name, []).append(m.name)
        text = f"Missed on {on}:\n" + "\n".join(f"- {rep}: {len(o)} ({', '.join(o)})" for rep, o in per.items())
        return ToolResult(
            text,
            Table(["Rep", "Outlet"], [[m.rep_name, m.name] for m in missed], "Missed outlets"),
            {"missed": [{"rep": m.rep, "customer": m.customer} for m in missed]},
        )


class AttendanceReport(Tool):
    name = "attendance_report"
    args_model = schemas.TeamPeriod
    permission = "field.view"
    description = "Attendance over a period: days worked per rep, first check-in and last check-out of each day."

    def _run(self, ctx: ToolContext, args: schemas.TeamPeriod) -> ToolResult:
        start, end = parse_period(args.period)
        today = ctx.clock.today()
        start, end = start or end or today, end or today
        summary = attendance_report(ctx.session, ctx.actor, ctx.clock, start, end, _rep(ctx, args.rep))
        label = args.period.label if args.period and args.period.label else f"{start} to {end}"
        lines, rows = [], []
        for s in summary:
            days = "; ".join(
                f"{d.day} checked in {_hhmm(ctx, d.first_check_in)}"
                + (f", out {_hhmm(ctx, d.last_check_out)}" if d.last_check_out else ", not checked out")
                for d in s.rows[:7]
            )
            lines.append(f"- {s.rep_name}: {s.days} day{'s' if s.days != 1 else ''}" + (f" ({days})" if days else ""))
            rows += [
                [
                    s.rep_name,
                    str(d.day),
                    _hhmm(ctx, d.first_check_in),
                    _hhmm(ctx, d.last_check_out) if d.last_check_out else "-",
                ]
                for d in s.rows
            ]
        text = f"Attendance for {label}:\n" + "\n".join(lines) if lines else f"No reps to show for {label}."
        return ToolResult(
            text,
            Table(["Rep", "Day", "First in", "Last out"], rows, "Attendance") if rows else None,
            {"reps": {s.rep: s.days for s in summary}},
        )


class TargetReport(Tool):
    name = "target_report"
    args_model = schemas.Targets
    permission = "targets.view"
    description = "Monthly targets of net sales and the achievement so far, per rep and distributor."

    def _run(self, ctx: ToolContext, args: schemas.Targets) -> ToolResult:
        rows_ = target_report(ctx.session, ctx.actor, ctx.clock, args.month.strip() if args.month else None)
        month = args.month or ctx.clock.today().strftime("%Y-%m")
        if not rows_:
            return ToolResult(f"No targets set for {month} that you can see.", data={"targets": []})
        text = f"Target vs achievement, {month}:\n" + "\n".join(
            f"- {r.name} ({r.kind}): {rs(r.achieved)} of {rs(r.target)} ({_pct(r.pct)})" for r in rows_
        )
        rows = [[r.name, r.kind, amount(r.target), amount(r.achieved), _pct(r.pct)] for r in rows_]
        return ToolResult(
            text,
            Table(["Who", "Kind", "Target", "Achieved", "Achievement"], rows, "Targets"),
            {"targets": [{"owner": r.owner, "target": str(r.target), "achieved": str(r.achieved)} for r in rows_]},
        )


class IdleOutletsTool(Tool):
    name = "outlets_not_visited"
    args_model = schemas.IdleOutlets
    permission = "field.view"
    description = "Outlets in my scope that nobody has visited in the last N days (default 30)."

    def _run(self, ctx: ToolContext, args: schemas.IdleOutlets) -> ToolResult:
        idle = outlets_not_visited(ctx.session, ctx.actor, ctx.clock, args.days)
        if not idle:
            return ToolResult(f"Every outlet you cover was visited in the last {args.days} days.", data={"outlets": []})
        text = f"{len(idle)} outlet{'s' if len(idle) != 1 else ''} not visited in {args.days} days:\n" + "\n".join(
            f"- {o.name} ({o.customer}): "
            + (f"last visit {o.last_visit}, {o.days_since} days ago" if o.last_visit else "never visited")
            for o in idle[:25]
        )
        rows = [[o.customer, o.name, str(o.last_visit or "-"), str(o.days_since or "-")] for o in idle]
        return ToolResult(
            text,
            Table(["Code", "Outlet", "Last visit", "Days"], rows, "Outlets not visited"),
            {"outlets": [o.customer for o in idle]},
        )
