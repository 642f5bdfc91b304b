"""Test databases: SQLite by default, PostgreSQL with DMS_TEST_DB=postgres.

Each test gets a fresh database cloned from a migrated template (a file copy on SQLite,
CREATE DATABASE … TEMPLATE on PostgreSQL); each test run uses databases of its own.
"""

import contextlib
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy.engine import Engine

from core.clock import Clock
from core.db import make_engine
from migrations import upgrade

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE_WORLD = Path(os.environ.get("DMS_SAMPLE_WORLD", SHARED / "worlds" / "sample"))
if not SAMPLE_WORLD.exists():
    SAMPLE_WORLD = Path(__file__).resolve().parents[1] / "worlds" / "demo"  # the project's copy
SAMPLE_SCENARIOS = SHARED / "scenarios" / "sample"
if not SAMPLE_SCENARIOS.exists():
    SAMPLE_SCENARIOS = Path(__file__).resolve().parents[1] / "evals" / "sample"  # the project's copy
PG_ADMIN = os.environ.get("DMS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKEND = os.environ.get("DMS_TEST_DB", "sqlite")
RUN_ID = uuid.uuid4().hex[:8]
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata"))


def pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


class Databases:
    """Makes templates once per run and fresh copies per test."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.created: list[str] = []
        self.engines: list[Engine] = []

    def _url(self, name: str) -> str:
        if BACKEND == "postgres":
            return pg_url(f"dms_{RUN_ID}_{name}")
        return f"sqlite:///{self.tmp / (name + '.db')}"

    def template(self, name: str, fill=None) -> str:
        url = self._url("tpl_" + name)
        if BACKEND == "postgres":
            db = url.rsplit("/", 1)[1]
            pg_admin(f'CREATE DATABASE "{db}"')
            self.created.append(db)
        upgrade(url)
        if fill is not None:
            engine = make_engine(url)
            fill(engine)
            engine.dispose()
        from core.db import engine_for

        engine_for(url).dispose()
        return url

    def clone(self, template_url: str) -> Engine:
        name = "t" + uuid.uuid4().hex[:10]
        url = self._url(name)
        if BACKEND == "postgres":
            src = template_url.rsplit("/", 1)[1]
            db = url.rsplit("/", 1)[1]
            pg_admin(f'CREATE DATABASE "{db}" TEMPLATE "{src}"')
            self.created.append(db)
        else:
            shutil.copyfile(template_url.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
        engine = make_engine(url)
        engine.url_string = url
        self.engines.append(engine)
        return engine

    def release(self, engine: Engine) -> None:
        """Close a test's connections (PostgreSQL would run out of them) and drop its database."""
        engine.dispose()
        from core.db import engine_for

        engine_for.cache_clear()  # the CLI and the assistant may have opened the same URL
        if BACKEND == "postgres":
            db = engine.url_string.rsplit("/", 1)[1]
            try:
                pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                self.created.remove(db)
            except (psycopg.Error, ValueError):
                pass

    def close(self) -> None:
        for e in self.engines:
            e.dispose()
        from core.db import engine_for

        engine_for.cache_clear()
        for db in self.created:
            with contextlib.suppress(psycopg.Error):
                pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def pytest_collection_modifyitems(config, items):
    """Marks every test `unit` (`pytest -m unit`: the pure functions, in seconds) or `db`. A test
    is `db` when it uses a database fixture (they all come from `databases`) or is marked `db`
    itself because it reaches a database another way (a world imported by the evaluation runner,
    a CLI command, a server); every other test is `unit`."""
    for item in items:
        if "databases" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("db"):
            item.add_marker(pytest.mark.db)
        if not item.get_closest_marker("db"):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.close()


@pytest.fixture(scope="session")
def empty_template(databases):
    return databases.template("empty")


@pytest.fixture(scope="session")
def sample_template(databases):
    from core.world import import_world

    def fill(engine):
        import_world(engine, SAMPLE_WORLD, clock=Clock(ZoneInfo("Asia/Kolkata"), NOW))

    return databases.template("sample", fill)


@pytest.fixture
def engine(databases, empty_template) -> Engine:
    """A fresh, migrated, empty database."""
    engine = databases.clone(empty_template)
    yield engine
    databases.release(engine)


@pytest.fixture
def sample(databases, sample_template) -> Engine:
    """A fresh database holding the sample world."""
    engine = databases.clone(sample_template)
    yield engine
    databases.release(engine)


@pytest.fixture
def clock() -> Clock:
    return Clock(ZoneInfo("Asia/Kolkata"), NOW)


# --- a served app and a browser, for the browser tests (imported lazily: only they need them) -------


@pytest.fixture
def server(sample, clock):
    """The product's app over the sample world, served on 127.0.0.1; yields its base URL."""
    from agent.runtime import Assistant
    from channels.web.app import create_app
    from live_server import serving

    with serving(create_app(sample, clock, Assistant(sample, clock))) as url:
        yield url


@pytest.fixture
def browser():
    from live_server import chromium

    with chromium() as b:
        yield b
