"""one invoice and one delivery note per order

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 18:40:00

Dispatch locks the order (core/locks.py); these unique indexes are the last line of
defence if a path ever forgets to: a second invoice or delivery note for an order fails.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("invoice", "delivery_note"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_order_no")
            batch_op.create_index(f"ix_{table}_order_no", ["order_no"], unique=True)


def downgrade() -> None:
    for table in ("invoice", "delivery_note"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_order_no")
            batch_op.create_index(f"ix_{table}_order_no", ["order_no"], unique=False)
