"""Evaluation runs started from the web app (`/admin/evals`): one row each, updated per scenario,
so any server process can show a run's progress and only one run can be going at a time."""

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from ..types import timestamp


class EvalRun(SQLModel, table=True):
    __tablename__ = "eval_run"
    # at most one row is `running`, whichever process inserts it (0012 creates the same index)
    __table_args__ = (
        Index(
            "ux_eval_run_running",
            "status",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    suite: str  # the suite's label, as the server lists it (never a path typed in a browser)
    model: str
    started_by: str  # user id
    started_at: datetime = timestamp(index=True)  # the business clock
    finished_at: datetime | None = timestamp(nullable=True)
    beat_at: datetime = timestamp()  # wall clock (UTC): a run whose beat stops is dead (docs/decisions.md)
    status: str = "running"  # running | passed | failed | error
    total: int = 0  # scenario trials to run
    done: int = 0
    passed: int = 0
    failures: str = "[]"  # JSON: [{"id", "failure"}] of the failing scenarios so far
    error: str | None = None  # why a run ended in error, in one line
    report_dir: str | None = None  # its folder under the runs folder, once written
