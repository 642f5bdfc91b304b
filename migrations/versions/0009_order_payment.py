"""payment details of an order (rules.md: credit, cash on delivery, advance)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 17:40:00

Every existing order was on credit, the only terms there were; an advance is a payment that
names its order.
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as t:
        t.add_column(sa.Column("payment", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="credit"))
    with op.batch_alter_table("payment") as t:
        t.add_column(sa.Column("order_no", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        t.create_index("ix_payment_order_no", ["order_no"])


def downgrade() -> None:
    with op.batch_alter_table("payment") as t:
        t.drop_index("ix_payment_order_no")
        t.drop_column("order_no")
    with op.batch_alter_table("orders") as t:
        t.drop_column("payment")
