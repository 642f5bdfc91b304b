"""Settings from the environment (DMS_*)."""
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "dms"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DMS_", extra="ignore")

    database_url: str = ""
    timezone: str = "Asia/Kolkata"
    now: str | None = None  # ISO 8601 timestamp: a fixed clock for demos and evaluations
    data_dir: Path = default_data_dir()
    preview_ttl_minutes: int = 15
    model: str = "offline"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'dms.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def business_tz() -> ZoneInfo:
    """The business's time zone: dates, periods and due dates are in it."""
    return ZoneInfo(get_settings().timezone)
