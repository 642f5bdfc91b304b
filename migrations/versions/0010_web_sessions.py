"""web sessions: the browser's sign-ins and one-time sign-in links (hashed secrets, with expiry)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:30:00

A new table only: nothing existing changes.
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("csrf", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", core.types.UtcDateTime(), nullable=False),
        sa.Column("expires_at", core.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    op.create_index(op.f("ix_web_session_kind"), "web_session", ["kind"], unique=False)
    op.create_index(op.f("ix_web_session_user_id"), "web_session", ["user_id"], unique=False)
    op.create_index(op.f("ix_web_session_expires_at"), "web_session", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_web_session_expires_at"), table_name="web_session")
    op.drop_index(op.f("ix_web_session_user_id"), table_name="web_session")
    op.drop_index(op.f("ix_web_session_kind"), table_name="web_session")
    op.drop_table("web_session")
