"""The database schema's history (Alembic) and opening a database migrated to its newest schema.

The migrations sit beside the layers, not in the core: they are the one place that sees every
layer's tables (env.py: the core's, the assistant's and the channels'). The entry points
(channels' CLI and server, the evaluation runner, tests, benchmarks) call `upgrade` or
`open_database`; the core, tools and agent never import this package.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from core.db import engine_for
from core.settings import Settings, get_settings

SCRIPTS = Path(__file__).parent  # env.py and versions/, shipped as package data


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema."""
    engine = engine_for(url)
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_database(url: str | None = None, settings: Settings | None = None) -> Engine:
    """The engine for the configured database, migrated to the newest schema."""
    settings = settings or get_settings()
    url = url or settings.resolved_database_url()
    engine = engine_for(url)
    upgrade(url)
    return engine
