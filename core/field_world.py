"""The field-work files of a world (world.md): attendance.csv, visits.csv and targets.csv.

core/world.py reads and parses every file (FILES); this module checks the field files'
references and rules, writes them and reads them back for export. Every problem is reported on
its row and column through the importer's own error list, and nothing is written on error.

Imported visits are facts of the past: their outcome, reason and order are taken as given; the
distance and off-site flag are computed from the outlet's coordinates (the configured radius),
and "planned" from the beats.
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any, Protocol

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from .geo import distance_m, is_off_site
from .settings import get_settings
from .tables.counters import Counter
from .tables.field import Attendance, Target, Visit, VisitLink
from .types import rowcount, table_of

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIELD_FILES = ("targets", "attendance", "visits")


class RowLike(Protocol):
    line: int

    def __getitem__(self, key: str) -> Any: ...

    def get(self, key: str, default: Any = None) -> Any: ...

    def __setitem__(self, key: str, value: Any) -> None: ...


class ErrorSink(Protocol):
    def at(self, row: Any, column: str, reason: str) -> None: ...


Index = Mapping[str, Any]


def _aware(row: RowLike, column: str, tz: tzinfo) -> None:
    value = row.get(column)
    if isinstance(value, datetime) and value.tzinfo is None:
        row[column] = value.replace(tzinfo=tz)  # local business time, as orders.csv's created_at


def _rep(row: RowLike, users: Index, errors: ErrorSink) -> None:
    uid = row["user"]
    if uid is None:
        return
    user = users.get(uid)
    if user is None:
        errors.at(row, "user", f"unknown user {uid!r}")
    elif user["role"] not in (None, "sales_rep"):
        errors.at(row, "user", f"{uid!r} is a {user['role']}, not a sales rep")


def check_field(rows: Mapping[str, list[Any]], idx: Mapping[str, Index], tz: tzinfo, errors: ErrorSink) -> None:
    """Check targets, attendance and visits against the rest of the world."""
    users, customers, orders = idx["users"], idx["customers"], idx["orders"]
    for row in rows["targets"]:
        given = [c for c in ("user", "customer") if row["customer" if c == "customer" else "user"] is not None]
        if len(given) != 1:
            errors.at(row, "user" if not given else "customer", "give exactly one of user, customer")
        if row["user"] is not None:
            _rep(row, users, errors)
        if row["customer"] is not None:
            cust = customers.get(row["customer"])
            if cust is None:
                errors.at(row, "customer", f"unknown customer {row['customer']!r}")
            elif cust["type"] not in (None, "distributor"):
                errors.at(row, "customer", f"{row['customer']!r} is a {cust['type']}, not a distributor")
        if row["target"] is not None and row["target"] <= 0:
            errors.at(row, "target", "must be more than 0")
    days: dict[str, list[Any]] = defaultdict(list)
    for row in rows["attendance"]:
        _rep(row, users, errors)
        _aware(row, "check_in", tz)
        _aware(row, "check_out", tz)
        if row["check_in"] is not None and row["check_out"] is not None and row["check_out"] < row["check_in"]:
            errors.at(row, "check_out", "is before check_in")
        elif row["user"] is not None and row["check_in"] is not None:
            days[row["user"]].append(row)
    for user_rows in days.values():
        user_rows.sort(key=lambda r: (r["check_in"], r.line))
        for prev, nxt in zip(user_rows, user_rows[1:]):
            if prev["check_out"] is None:
                errors.at(
                    nxt if nxt.line > prev.line else prev,
                    "check_out",
                    f"a rep has one open day at a time (the day checked in at {prev['check_in'].isoformat()} "
                    f"on line {prev.line} is not checked out)",
                )
            elif nxt["check_in"] < prev["check_out"]:
                errors.at(nxt, "check_in", f"overlaps the day on line {prev.line}")
    open_visit: dict[str, Any] = {}
    for row in rows["visits"]:
        _rep(row, users, errors)
        if row["customer"] is not None and row["customer"] not in customers:
            errors.at(row, "customer", f"unknown customer {row['customer']!r}")
        _aware(row, "started_at", tz)
        _aware(row, "ended_at", tz)
        if row["started_at"] is not None and row["ended_at"] is not None and row["ended_at"] < row["started_at"]:
            errors.at(row, "ended_at", "is before started_at")
        outcome, reason, order_no = row["outcome"], row["reason"], row["order_no"]
        if outcome is not None and row["ended_at"] is None:
            errors.at(row, "ended_at", "a visit with an outcome has ended: give ended_at")
        if outcome is None and row["ended_at"] is not None:
            errors.at(row, "outcome", "an ended visit needs an outcome (order or no_order)")
        if outcome == "order" and order_no is None:
            errors.at(row, "order_no", "a visit with outcome order needs the order_no")
        if outcome == "no_order" and reason is None:
            errors.at(row, "reason", "a visit with outcome no_order needs a reason")
        if reason is not None and outcome != "no_order":
            errors.at(row, "reason", "a reason is only for outcome no_order")
        if order_no is not None:
            order = orders.get(order_no)
            if outcome != "order":
                errors.at(row, "order_no", "an order_no is only for outcome order")
            elif order is None:
                errors.at(row, "order_no", f"unknown order {order_no!r}")
            elif order["customer"] is not None and order["customer"] != row["customer"]:
                errors.at(row, "order_no", f"order {order_no} is for {order['customer']}, not {row['customer']}")
        if row["ended_at"] is None and row["user"] is not None and row["started_at"] is not None:
            if row["user"] in open_visit:
                errors.at(
                    row,
                    "ended_at",
                    f"a rep has one open visit at a time (line {open_visit[row['user']].line} is open too)",
                )
            else:
                open_visit[row["user"]] = row
        if (row["latitude"] is None) != (row["longitude"] is None):
            errors.at(
                row,
                "longitude" if row["longitude"] is None else "latitude",
                "give both latitude and longitude, or neither",
            )


def write_field(session: Session, rows: Mapping[str, list[Any]], idx: Mapping[str, Index], tz: tzinfo) -> None:
    """Insert the checked field files (in the importer's transaction)."""
    customers = idx["customers"]
    if rows["targets"]:
        session.execute(
            insert(table_of(Target)),
            [
                {"month": r["month"], "user_id": r["user"], "customer": r["customer"], "target": r["target"]}
                for r in rows["targets"]
            ],
        )
    if rows["attendance"]:
        session.execute(
            insert(table_of(Attendance)),
            [
                {
                    "user_id": r["user"],
                    "day": r["check_in"].astimezone(tz).date(),
                    "check_in": r["check_in"],
                    "check_out": r["check_out"],
                    "in_latitude": r["latitude"],
                    "in_longitude": r["longitude"],
                    "out_latitude": None,
                    "out_longitude": None,
                    "channel": "import",
                }
                for r in rows["attendance"]
            ],
        )
    if not rows["visits"]:
        return
    plans: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)  # (rep, weekday) -> customer -> beat
    for beat in sorted(rows["beats"], key=lambda b: b["code"] or ""):
        if beat["weekday"] is not None:
            for code in beat["customers"] or []:
                plans[(beat["sales_rep"], beat["weekday"])].setdefault(code, beat["code"])
    radius = get_settings().off_site_radius_m
    visits, links = [], []
    for r in rows["visits"]:
        cust = customers[r["customer"]]
        day = r["started_at"].astimezone(tz).date()
        beat = plans.get((r["user"], WEEKDAYS[day.weekday()]), {}).get(r["customer"])
        dist = None
        if r["latitude"] is not None and cust["latitude"] is not None and cust["longitude"] is not None:
            dist = distance_m(r["latitude"], r["longitude"], cust["latitude"], cust["longitude"])
        visits.append(
            {
                "id": r["id"],
                "user_id": r["user"],
                "customer": r["customer"],
                "day": day,
                "attendance_id": None,
                "started_at": r["started_at"],
                "ended_at": r["ended_at"],
                "planned": beat is not None,
                "beat": beat,
                "latitude": r["latitude"],
                "longitude": r["longitude"],
                "distance_m": dist,
                "off_site": is_off_site(dist, radius),
                "outcome": r["outcome"],
                "reason": r["reason"],
                "order_no": r["order_no"],
                "notes": r["notes"],
                "channel": "import",
            }
        )
        if r["order_no"] is not None:
            links.append({"visit_id": r["id"], "kind": "order", "ref": r["order_no"]})
    session.execute(insert(table_of(Visit)), visits)
    if links:
        session.execute(insert(table_of(VisitLink)), links)
    suffixes = [
        int(digits) for v in visits if (digits := "".join(ch for ch in v["id"].rsplit("-", 1)[-1] if ch.isdigit()))
    ]
    top = max(suffixes, default=0)
    t = table_of(Counter)
    if rowcount(session.execute(update(t).where(t.c.name == "visit").values(value=top))) == 0:
        session.add(Counter(name="visit", value=top))


def export_field(session: Session, tz: tzinfo) -> dict[str, list[dict[str, Any]]]:
    """The field files' rows as world.md writes them."""
    targets = [
        {"month": t.month, "user": t.user_id, "customer": t.customer, "target": t.target}
        for t in session.exec(select(Target).order_by(col(Target.month), col(Target.user_id), col(Target.customer)))
    ]
    attendance = [
        {
            "user": a.user_id,
            "check_in": a.check_in.astimezone(tz),
            "check_out": a.check_out.astimezone(tz) if a.check_out else None,
            "latitude": a.in_latitude,
            "longitude": a.in_longitude,
        }
        for a in session.exec(select(Attendance).order_by(col(Attendance.user_id), col(Attendance.check_in)))
    ]
    visits = [
        {
            "id": v.id,
            "user": v.user_id,
            "customer": v.customer,
            "started_at": v.started_at.astimezone(tz),
            "ended_at": v.ended_at.astimezone(tz) if v.ended_at else None,
            "outcome": v.outcome,
            "reason": v.reason,
            "order_no": v.order_no,
            "latitude": v.latitude,
            "longitude": v.longitude,
            "notes": v.notes,
        }
        for v in session.exec(select(Visit).order_by(col(Visit.started_at), col(Visit.id)))
    ]
    return {"targets": targets, "attendance": attendance, "visits": visits}
