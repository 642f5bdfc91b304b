"""Attendance (rules.md, "Field work"): a sales rep starts a working day (check-in) and ends it
(check-out), each with a time from the clock and, when the channel gives one, a location.

One open day per rep at a time. Serialisation: every field-work change of a rep (check-in,
check-out, visit start and end) first locks the rep's own user row, so of N simultaneous
check-ins exactly one finds no open day; the partial unique index `ux_attendance_open` is the
last line of defence. The rep's row is locked before anything of core/locks.py's order.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from . import audit
from .access import Actor
from .clock import Clock
from .errors import InvalidInput
from .tables.field import Attendance
from .tables.parties import User

LatLon = tuple[Decimal, Decimal]


def parse_location(latitude: object, longitude: object) -> LatLon | None:
    """A location as exact decimal degrees, or None when neither part is given."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise InvalidInput("A location needs both a latitude and a longitude.")
    try:
        lat, lon = Decimal(str(latitude).strip()), Decimal(str(longitude).strip())
    except InvalidOperation:
        raise InvalidInput(f"{latitude!r}, {longitude!r} is not a location (decimal degrees).") from None
    if not lat.is_finite() or not lon.is_finite() or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise InvalidInput(f"{latitude}, {longitude} is not a location: latitude -90..90, longitude -180..180.")
    return lat, lon


def lock_rep(session: Session, actor: Actor) -> None:
    """Lock the acting rep's user row: their field-work changes run one at a time."""
    session.exec(select(User.id).where(User.id == actor.user_id).with_for_update()).first()


def open_day(session: Session, user_id: str) -> Attendance | None:
    """The rep's open working day, if any (fresh from the database)."""
    return session.exec(
        select(Attendance)
        .where(Attendance.user_id == user_id, col(Attendance.check_out).is_(None))
        .execution_options(populate_existing=True)
    ).first()


def _local(clock: Clock, at: datetime) -> str:
    local = at.astimezone(clock.tz)
    return f"{local:%H:%M} on {local.day} {local:%b}"


def start_day(
    session: Session, actor: Actor, clock: Clock, latitude: object = None, longitude: object = None
) -> Attendance:
    """Check in. Refused, in one line, while a day is open."""
    actor.require("field", "record attendance")
    where = parse_location(latitude, longitude)
    lock_rep(session, actor)
    current = open_day(session, actor.user_id)
    if current is not None:
        raise InvalidInput(
            f"Your day is already started (checked in at {_local(clock, current.check_in)}); "
            "end it before starting another."
        )
    now = clock.now()
    day = Attendance(
        user_id=actor.user_id,
        day=clock.today(),
        check_in=now,
        channel=actor.channel,
        in_latitude=where[0] if where else None,
        in_longitude=where[1] if where else None,
    )
    session.add(day)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="attendance.check_in",
        entity="attendance",
        entity_id=str(day.id),
        day=day.day.isoformat(),
        latitude=day.in_latitude,
        longitude=day.in_longitude,
    )
    return day


def close_day(session: Session, actor: Actor, clock: Clock, day: Attendance, where: LatLon | None) -> Attendance:
    """Check out a day the caller found open under the rep's lock."""
    now = clock.now()
    day.check_out = now
    day.out_latitude, day.out_longitude = (where[0], where[1]) if where else (None, None)
    session.add(day)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=actor.user_id,
        channel=actor.channel,
        action="attendance.check_out",
        entity="attendance",
        entity_id=str(day.id),
        day=day.day.isoformat(),
        latitude=day.out_latitude,
        longitude=day.out_longitude,
    )
    return day


@dataclass(frozen=True)
class DayStatus:
    """Where a rep's day stands: open or not, since when."""

    open: bool
    day: date | None = None
    check_in: datetime | None = None


def day_status(session: Session, actor: Actor) -> DayStatus:
    actor.require("field", "record attendance")
    current = open_day(session, actor.user_id)
    if current is None:
        return DayStatus(open=False)
    return DayStatus(open=True, day=current.day, check_in=current.check_in)
