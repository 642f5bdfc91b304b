"""eval runs: evaluation runs started from the web app, with at most one running

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 10:00:00

A new table only: nothing existing changes. The partial unique index lets one row at a time be
`running` (SQLite and PostgreSQL both have partial indexes), so two server processes starting a
run at once cannot both succeed.
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    op.create_table(
        "eval_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suite", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("started_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("started_at", core.types.UtcDateTime(), nullable=False),
        sa.Column("finished_at", core.types.UtcDateTime(), nullable=True),
        sa.Column("beat_at", core.types.UtcDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("failures", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("report_dir", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_eval_run_started_at"), "eval_run", ["started_at"], unique=False)
    op.create_index(
        "ux_eval_run_running", "eval_run", ["status"], unique=True, sqlite_where=RUNNING, postgresql_where=RUNNING
    )


def downgrade() -> None:
    op.drop_index("ux_eval_run_running", table_name="eval_run")
    op.drop_index(op.f("ix_eval_run_started_at"), table_name="eval_run")
    op.drop_table("eval_run")
