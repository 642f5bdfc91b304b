"""Field work: the day's plan, the working day, visits, compliance, targets and outlet requests."""

import json
from datetime import date
from typing import Literal

from fastapi import APIRouter, Query
from sqlmodel import Session

from core.access import Actor
from core.attendance import start_day
from core.beats import todays_plan
from core.clock import Clock
from core.errors import InvalidInput
from core.field_reports import visit_compliance
from core.outlets import decide_outlet_request, outlet_requests
from core.tables.field import Attendance, OutletRequest, Visit
from core.targets import target_report
from core.visits import end_day, end_visit, start_visit

from . import models as m
from .base import Caller, CallerDep, change, read
from .idempotency import KeyHeader
from .paging import CursorQuery, LimitQuery, in_range, page

router = APIRouter(tags=["field work"])


def _day(d: Attendance) -> m.DayOut:
    return m.DayOut(day=d.day, check_in=d.check_in, check_out=d.check_out)


def _visit(v: Visit) -> m.VisitOut:
    return m.VisitOut(
        id=v.id,
        customer=v.customer,
        started_at=v.started_at,
        ended_at=v.ended_at,
        outcome=v.outcome,
        reason=v.reason,
        off_site=v.off_site,
        distance_m=m.money(v.distance_m),
    )


def _request(r: OutletRequest) -> m.OutletRequestOut:
    return m.OutletRequestOut(
        id=r.id,
        kind=r.kind,
        customer=r.customer,
        changes=json.loads(r.changes or "{}"),
        status=r.status,
        proposed_by=r.proposed_by,
        proposed_at=r.proposed_at,
        decided_by=r.decided_by,
        decision_reason=r.decision_reason,
    )


@router.get("/field/plan", response_model=list[m.PlanOut], summary="Today's plan (yours, or a rep's of your team)")
def plan(who: Caller = CallerDep, rep: str | None = Query(None, max_length=100, description="A rep's user id.")):
    def go(s: Session, actor: Actor, clock: Clock) -> list[m.PlanOut]:
        return [
            m.PlanOut(
                position=p.position, beat=p.beat, customer=p.customer, name=p.name, visited=p.visited, outcome=p.outcome
            )
            for p in todays_plan(s, actor, clock, rep)
        ]

    return read(who, go)


@router.post("/field/day/start", response_model=m.DayOut, status_code=201, summary="Start your working day")
def day_start(who: Caller = CallerDep, key: str | None = KeyHeader, body: m.Location | None = None):
    where = body or m.Location()
    return change(
        who,
        key,
        "POST /field/day/start",
        body,
        lambda s, a, c: _day(start_day(s, a, c, where.latitude, where.longitude)),
        status=201,
    )


@router.post("/field/day/end", response_model=m.DayOut, summary="End your working day (an open visit ends first)")
def day_end(who: Caller = CallerDep, key: str | None = KeyHeader, body: m.Location | None = None):
    where = body or m.Location()
    return change(
        who,
        key,
        "POST /field/day/end",
        body,
        lambda s, a, c: _day(end_day(s, a, c, where.latitude, where.longitude).day),
    )


@router.post("/field/visits", response_model=m.VisitOut, status_code=201, summary="Start a visit at an outlet")
def visit_start(body: m.VisitIn, who: Caller = CallerDep, key: str | None = KeyHeader):
    def go(s: Session, actor: Actor, clock: Clock) -> m.VisitOut:
        started = start_visit(s, actor, clock, body.customer.strip().upper(), body.latitude, body.longitude)
        return _visit(started.visit)

    return change(who, key, "POST /field/visits", body, go, status=201)


@router.post("/field/visits/end", response_model=m.VisitOut, summary="End your open visit with its outcome")
def visit_end(body: m.VisitEndIn, who: Caller = CallerDep, key: str | None = KeyHeader):
    return change(
        who, key, "POST /field/visits/end", body, lambda s, a, c: _visit(end_visit(s, a, c, body.outcome, body.reason))
    )


@router.get("/field/compliance", response_model=list[m.ComplianceOut], summary="Visit compliance per rep")
def compliance(
    start: date,
    end: date,
    who: Caller = CallerDep,
    rep: str | None = Query(None, max_length=100, description="A rep's user id; all you may see if omitted."),
    by: Literal["day", "week"] = "day",
):
    def go(s: Session, actor: Actor, clock: Clock) -> list[m.ComplianceOut]:
        in_range("start", start), in_range("end", end)
        if not 0 <= (end - start).days <= 366:
            raise InvalidInput("start, end: give a period of at most a year, start on or before end.")
        rows = visit_compliance(s, actor, clock, start, end, rep, by)
        return [
            m.ComplianceOut(
                rep=r.rep,
                rep_name=r.rep_name,
                start=r.start,
                end=r.end,
                planned=r.planned,
                covered=r.covered,
                missed=r.missed,
                unplanned=r.unplanned,
                off_site=r.off_site,
                calls=r.calls,
                productive=r.productive,
                lines=r.lines,
                compliance_pct=m.money(r.compliance_pct),
                productive_pct=m.money(r.productive_pct),
                lines_per_call=m.money(r.lines_per_call),
            )
            for r in rows
        ]

    return read(who, go)


@router.get("/targets", response_model=list[m.TargetOut], summary="Monthly targets and achievement")
def targets(
    who: Caller = CallerDep,
    month: str | None = Query(None, pattern=r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$", description="YYYY-MM"),
):
    def go(s: Session, actor: Actor, clock: Clock) -> list[m.TargetOut]:
        return [
            m.TargetOut(
                kind=t.kind,
                owner=t.owner,
                name=t.name,
                month=t.month,
                target=str(t.target),
                achieved=str(t.achieved),
                pct=m.money(t.pct),
            )
            for t in target_report(s, actor, clock, month)
        ]

    return read(who, go)


@router.get("/outlet-requests", response_model=m.OutletRequestPage, summary="Outlet requests you proposed or decide")
def requests_list(
    who: Caller = CallerDep,
    status: Literal["pending", "approved", "rejected"] = "pending",
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
):
    def go(s: Session, actor: Actor, clock: Clock) -> m.OutletRequestPage:
        rows, nxt = page(sorted(outlet_requests(s, actor, status), key=lambda r: r.id), lambda r: [r.id], cursor, limit)
        return m.OutletRequestPage(items=[_request(r) for r in rows], next=nxt)

    return read(who, go)


@router.post("/outlet-requests/{request_id}/approve", response_model=m.OutletRequestOut, summary="Approve a request")
def request_approve(request_id: str, who: Caller = CallerDep, key: str | None = KeyHeader):
    return change(
        who,
        key,
        f"POST /outlet-requests/{request_id}/approve",
        None,
        lambda s, a, c: _request(decide_outlet_request(s, a, c, request_id, True)),
    )


@router.post("/outlet-requests/{request_id}/reject", response_model=m.OutletRequestOut, summary="Reject with a reason")
def request_reject(request_id: str, body: m.RejectIn, who: Caller = CallerDep, key: str | None = KeyHeader):
    return change(
        who,
        key,
        f"POST /outlet-requests/{request_id}/reject",
        body,
        lambda s, a, c: _request(decide_outlet_request(s, a, c, request_id, False, body.reason)),
    )
