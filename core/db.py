"""Engines and sessions (the migrations that create the schema are the top-level `migrations` package)."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import CursorResult, Select, event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from . import models  # noqa: F401  (registers every table)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: sqlite3.Connection, _: object) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            # pysqlite's own transaction handling defers BEGIN; take the write lock at BEGIN instead
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


@lru_cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One transaction per command: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def read_rows(session: Session, stmt: Select[*tuple[Any, ...]]) -> CursorResult[*tuple[Any, ...]]:
    """A report's rows through the Core, not the ORM, whose bookkeeping per row costs a third of
    a report of tens of thousands of rows. What the session holds unwritten is flushed first, as
    the ORM's execute does."""
    session.flush()
    return session.connection().execute(stmt)
