"""Migration 0007 (money summable in SQL) on a populated database: a world imported at the
previous revision keeps every money value, digit for digit, through the upgrade and back."""

import importlib.util
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command

from core.clock import Clock
from core.db import make_engine
from core.tables.orders import Order
from core.types import money_sum
from core.world import import_world
from migrations import SCRIPTS, alembic_config
from tests.conftest import BACKEND, NOW, SAMPLE_WORLD, pg_admin

_spec = importlib.util.spec_from_file_location("m0007", SCRIPTS / "versions" / "0007_money_numeric.py")
assert _spec and _spec.loader
m0007 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(m0007)

# values at the edges of what an import accepts: 4 places, the largest amount, a bare integer
EDGES = {("price", "price"): "12.3456", ("customer", "credit_limit"): "999999999999999.99", ("payment", "amount"): "7"}


def _migrate(engine: sa.Engine, url: str, step: str, to: str) -> None:
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        getattr(command, step)(cfg, to)


def _money(engine: sa.Engine) -> dict[tuple[str, str], list[tuple[str, str | None]]]:
    """Every money value as the database writes it as text, by (table, column), keyed by row."""
    out = {}
    with engine.connect() as conn:
        for table, column in m0007.MONEY_COLUMNS:
            t = sa.Table(table, sa.MetaData(), autoload_with=conn)
            pk = list(t.primary_key.columns)
            rows = conn.execute(sa.select(sa.cast(t.c[column], sa.Text), *pk).order_by(*pk))
            out[(table, column)] = [("|".join(map(str, r[1:])), r[0]) for r in rows]
    return out


@pytest.fixture
def old_world(databases):
    """A fresh database at revision 0006 (money as text) holding the sample world."""
    name = "mig_" + uuid.uuid4().hex[:8]
    url = databases._url(name)
    if BACKEND == "postgres":
        db = url.rsplit("/", 1)[1]
        pg_admin(f'CREATE DATABASE "{db}"')
        databases.created.append(db)
    engine = make_engine(url)
    # the world is imported by today's importer at head, then the schema goes back to 0006
    # (later migrations add columns today's tables write)
    _migrate(engine, url, "upgrade", "head")
    import_world(engine, SAMPLE_WORLD, clock=Clock(ZoneInfo("Asia/Kolkata"), NOW))
    _migrate(engine, url, "downgrade", "0006")
    with engine.begin() as conn:
        # the sample world sets no targets and records no scheme benefits: one of each
        conn.execute(
            sa.text(
                "INSERT INTO order_scheme (order_no, scheme, benefit, free_qty, description)"
                " VALUES ('SO-0901', 'SCH-X', '12.50', 0, '')"
            )
        )
        conn.execute(
            sa.text("INSERT INTO target (month, user_id, target) VALUES ('2026-11', 'U-REP-01', '250000.1234')")
        )
        for (table, column), value in EDGES.items():
            t = sa.Table(table, sa.MetaData(), autoload_with=conn)
            first = conn.execute(sa.select(*t.primary_key.columns).limit(1)).one()
            conn.execute(
                t.update()
                .where(*(c == v for c, v in zip(t.primary_key.columns, first, strict=True)))
                .values({column: value})
            )
    yield engine, url
    engine.dispose()


def test_money_survives_the_upgrade_and_the_downgrade(old_world):
    engine, url = old_world
    before = _money(engine)
    assert not [w for w, rows in before.items() if not rows], "every money column has rows to convert"
    for (table, column), value in EDGES.items():
        assert value in [v for _, v in before[(table, column)]]
    _migrate(engine, url, "upgrade", "head")
    after = _money(engine)
    for where, rows in before.items():
        # the same rows, the same values; PostgreSQL's NUMERIC even keeps the scale written
        assert [(k, None if v is None else Decimal(v)) for k, v in after[where]] == [
            (k, None if v is None else Decimal(v)) for k, v in rows
        ], where
        assert after[where] == rows, where
    with engine.connect() as conn:  # and the database adds them up as Python did
        summed = conn.execute(sa.select(money_sum(Order.total))).scalar_one()
    assert summed == sum((Decimal(v) for _, v in before[("orders", "total")] if v is not None), Decimal(0))
    _migrate(engine, url, "downgrade", "0006")
    assert _money(engine) == before
    if BACKEND == "postgres":
        with engine.connect() as conn:
            kind = conn.execute(
                sa.text(
                    "SELECT data_type FROM information_schema.columns WHERE table_name='orders' AND column_name='total'"
                )
            ).scalar_one()
        assert kind == "character varying"
