"""field work: attendance, visits, outlet requests, targets, and the outlet columns of customers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:00:00

Lossless on an existing database: the customer columns are added nullable (every existing
customer keeps its row as it was, with no contact person, location or class), and the rest
are new tables. A partial unique index on each of attendance and visit keeps one open day and
one open visit per rep, whatever runs at the same time.
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_person", _TEXT(), nullable=True))
        batch_op.add_column(sa.Column("latitude", core.types.DecimalText(), nullable=True))
        batch_op.add_column(sa.Column("longitude", core.types.DecimalText(), nullable=True))
        batch_op.add_column(sa.Column("class", sa.String(length=1), nullable=True))

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", _TEXT(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("check_in", core.types.UtcDateTime(), nullable=False),
        sa.Column("check_out", core.types.UtcDateTime(), nullable=True),
        sa.Column("in_latitude", core.types.DecimalText(), nullable=True),
        sa.Column("in_longitude", core.types.DecimalText(), nullable=True),
        sa.Column("out_latitude", core.types.DecimalText(), nullable=True),
        sa.Column("out_longitude", core.types.DecimalText(), nullable=True),
        sa.Column("channel", _TEXT(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_day"), ["day"], unique=False)
        batch_op.create_index(
            "ux_attendance_open",
            ["user_id"],
            unique=True,
            postgresql_where=sa.text("check_out IS NULL"),
            sqlite_where=sa.text("check_out IS NULL"),
        )

    op.create_table(
        "visit",
        sa.Column("id", _TEXT(), nullable=False),
        sa.Column("user_id", _TEXT(), nullable=False),
        sa.Column("customer", _TEXT(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("attendance_id", sa.Integer(), nullable=True),
        sa.Column("started_at", core.types.UtcDateTime(), nullable=False),
        sa.Column("ended_at", core.types.UtcDateTime(), nullable=True),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("beat", _TEXT(), nullable=True),
        sa.Column("latitude", core.types.DecimalText(), nullable=True),
        sa.Column("longitude", core.types.DecimalText(), nullable=True),
        sa.Column("distance_m", core.types.DecimalText(), nullable=True),
        sa.Column("off_site", sa.Boolean(), nullable=False),
        sa.Column("outcome", _TEXT(), nullable=True),
        sa.Column("reason", _TEXT(), nullable=True),
        sa.Column("order_no", _TEXT(), nullable=True),
        sa.Column("notes", _TEXT(), nullable=True),
        sa.Column("channel", _TEXT(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_customer"), ["customer"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_day"), ["day"], unique=False)
        batch_op.create_index(
            "ux_visit_open",
            ["user_id"],
            unique=True,
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "visit_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", _TEXT(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("ref", _TEXT(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "ref", name="uq_visit_link_ref"),
    )
    with op.batch_alter_table("visit_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_link_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "outlet_request",
        sa.Column("id", _TEXT(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("customer", _TEXT(), nullable=False),
        sa.Column("changes", _TEXT(), nullable=False),
        sa.Column("previous", _TEXT(), nullable=False),
        sa.Column("status", _TEXT(), nullable=False),
        sa.Column("proposed_by", _TEXT(), nullable=False),
        sa.Column("proposed_at", core.types.UtcDateTime(), nullable=False),
        sa.Column("channel", _TEXT(), nullable=True),
        sa.Column("decided_by", _TEXT(), nullable=True),
        sa.Column("decided_at", core.types.UtcDateTime(), nullable=True),
        sa.Column("decision_reason", _TEXT(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outlet_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outlet_request_customer"), ["customer"], unique=False)
        batch_op.create_index(batch_op.f("ix_outlet_request_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_outlet_request_proposed_by"), ["proposed_by"], unique=False)

    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", _TEXT(), nullable=False),
        sa.Column("user_id", _TEXT(), nullable=True),
        sa.Column("customer", _TEXT(), nullable=True),
        sa.Column("target", core.types.DecimalText(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "user_id", "customer", name="uq_target_month_owner"),
    )
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_target_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_target_customer"), ["customer"], unique=False)


def downgrade() -> None:
    for table in ("target", "outlet_request", "visit_link", "visit", "attendance"):
        op.drop_table(table)
    with op.batch_alter_table("customer", schema=None) as batch_op:
        for column in ("class", "longitude", "latitude", "contact_person"):
            batch_op.drop_column(column)
