"""Opening the product's database and clock from the settings."""
from sqlalchemy.engine import Engine

from .clock import Clock
from .db import engine_for, upgrade
from .settings import Settings, get_settings


def open_database(url: str | None = None, settings: Settings | None = None) -> Engine:
    """The engine for the configured database, migrated to the newest schema."""
    settings = settings or get_settings()
    url = url or settings.resolved_database_url()
    engine = engine_for(url)
    upgrade(url)
    return engine


def make_clock(settings: Settings | None = None) -> Clock:
    settings = settings or get_settings()
    return Clock.from_settings(settings.timezone, settings.now)


__all__ = ["open_database", "make_clock"]
