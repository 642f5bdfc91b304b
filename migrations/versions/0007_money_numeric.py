"""money as NUMERIC on PostgreSQL, so the database can sum it exactly

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:00:00

Lossless both ways. PostgreSQL: each money column's decimal text becomes NUMERIC without a fixed
scale (`text::numeric` keeps every digit and the scale written, so "12.3400" reads back as
Decimal("12.3400")); downgrade turns it back into the same text (`numeric::text`). SQLite: no
change to the stored values; money stays canonical decimal text there (SQLite has no exact
decimal type) and is summed by an exact aggregate (`core.types.money_sum`). Tax rates,
percentages, thresholds (money or a percentage, by rule) and coordinates are not money and stay
text.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (table, column) of every money column
MONEY_COLUMNS = (
    ("orders", "gross"),
    ("orders", "discount"),
    ("orders", "tax"),
    ("orders", "total"),
    ("order_line", "unit_price"),
    ("order_line", "gross"),
    ("order_line", "discount"),
    ("order_line", "tax"),
    ("order_line", "line_total"),
    ("order_scheme", "benefit"),
    ("invoice", "amount"),
    ("invoice", "paid"),
    ("payment", "amount"),
    ("customer", "credit_limit"),
    ("customer", "opening_balance"),
    ("customer", "opening_paid"),
    ("price", "price"),
    ("scheme", "min_value"),
    ("scheme", "discount_flat"),
    ("sku", "mrp"),
    ("target", "target"),
)


def _retype(sql_type: str, cast: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps the text it has
    for table, column in MONEY_COLUMNS:
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {sql_type} USING "{column}"::{cast}')


def upgrade() -> None:
    _retype("NUMERIC", "numeric")


def downgrade() -> None:
    _retype("VARCHAR(40)", "text")
