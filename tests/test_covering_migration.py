"""Migration 0011 (covering indexes for reports) on a populated database: up and down on SQLite
(nothing changes there) and PostgreSQL (the same indexes, carrying the summed columns), the
reports reading the same figures at each step, and the tables' declarations matching."""

import importlib.util
import uuid
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from core.access import load_actor
from core.clock import Clock
from core.db import make_engine
from core.models import metadata
from core.report_catalog import ReportQuery, run_report
from core.world import import_world
from migrations import SCRIPTS, alembic_config
from tests.conftest import BACKEND, NOW, SAMPLE_WORLD, pg_admin

_spec = importlib.util.spec_from_file_location("m0011", SCRIPTS / "versions" / "0011_covering_indexes.py")
assert _spec and _spec.loader
m0011 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(m0011)
CLOCK = Clock(ZoneInfo("Asia/Kolkata"), NOW)


def _migrate(engine: sa.Engine, url: str, step: str, to: str) -> None:
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        getattr(command, step)(cfg, to)


def _indexes(engine: sa.Engine) -> dict[str, tuple[list[str], list[str]]]:
    """The indexes 0011 rebuilds: name -> (key columns, included columns)."""
    out = {}
    inspector = sa.inspect(engine)
    for table, name in m0011.COVERING:
        found = {i["name"]: i for i in inspector.get_indexes(table)}
        index = found[name]
        out[name] = (index["column_names"], index.get("dialect_options", {}).get("postgresql_include", []))
    return out


def _figures(engine: sa.Engine) -> list:
    with Session(engine) as s:
        admin = load_actor(s, "U-ADM")
        return [
            list(run_report(s, admin, CLOCK, name, q).rows)
            for name, q in [
                ("sales", ReportQuery(by="sku")),
                ("sales", ReportQuery(by="customer")),
                ("orders", ReportQuery()),
                ("outstanding", ReportQuery()),
            ]
        ]


@pytest.fixture
def world_at_0010(databases):
    name = "mig11_" + uuid.uuid4().hex[:8]
    url = databases._url(name)
    if BACKEND == "postgres":
        db = url.rsplit("/", 1)[1]
        pg_admin(f'CREATE DATABASE "{db}"')
        databases.created.append(db)
    engine = make_engine(url)
    _migrate(engine, url, "upgrade", "0010")
    import_world(engine, SAMPLE_WORLD, clock=CLOCK)
    yield engine, url
    engine.dispose()


def test_covering_indexes_up_and_down(world_at_0010):
    engine, url = world_at_0010
    plain = _indexes(engine)
    assert all(not include for _, include in plain.values())
    figures = _figures(engine)
    _migrate(engine, url, "upgrade", "0011")
    covering = _indexes(engine)
    for (_, name), (key, include) in m0011.COVERING.items():
        assert covering[name] == (key, include if BACKEND == "postgres" else []), name
    assert _figures(engine) == figures
    _migrate(engine, url, "downgrade", "0010")
    assert _indexes(engine) == plain
    assert _figures(engine) == figures


def test_the_tables_declare_what_the_migration_builds(engine):
    """A database migrated to the newest schema has the indexes the table classes declare."""
    inspector = sa.inspect(engine)
    for table, name in m0011.COVERING:
        declared = next(i for i in metadata.tables[table].indexes if i.name == name)
        found = next(i for i in inspector.get_indexes(table) if i["name"] == name)
        assert [c.name for c in declared.columns] == found["column_names"]
        include = declared.dialect_options["postgresql"]["include"] if BACKEND == "postgres" else []
        assert list(include) == found.get("dialect_options", {}).get("postgresql_include", [])
