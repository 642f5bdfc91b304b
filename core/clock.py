"""The injectable clock: one "now" per operation, dates in the business's time zone."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .settings import Settings, get_settings


@dataclass(frozen=True)
class Clock:
    tz: ZoneInfo
    fixed: datetime | None = None

    def now(self) -> datetime:
        if self.fixed is not None:
            return self.fixed.astimezone(self.tz)
        return datetime.now(self.tz)

    def today(self) -> date:
        return self.now().date()

    @classmethod
    def from_settings(cls, timezone: str, now: str | None) -> "Clock":
        tz = ZoneInfo(timezone)
        fixed = None
        if now:
            fixed = datetime.fromisoformat(now)
            if fixed.tzinfo is None:
                fixed = fixed.replace(tzinfo=tz)
        return cls(tz=tz, fixed=fixed)

    def at(self, moment: datetime) -> "Clock":
        """A clock fixed at `moment` in the same zone."""
        return Clock(tz=self.tz, fixed=moment)


def make_clock(settings: Settings | None = None) -> Clock:
    """The product's clock from the settings (time zone, and DMS_NOW when fixed)."""
    settings = settings or get_settings()
    return Clock.from_settings(settings.timezone, settings.now)
