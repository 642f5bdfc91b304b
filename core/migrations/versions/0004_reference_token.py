"""reference token: a value that changes with every write to the reference tables

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:00:00

Database triggers replace the token on any insert, update or delete of the tables whose
derivations the process caches (core/cache.py), so a change by any path (an import, a
service, a test or psql) is seen by the next transaction. `ref_version` is not a model:
it is not world data, so imports, exports and snapshots leave it alone. The token is random, never a
counter: two databases cloned from one template, or a dropped and re-created one, can
never share a token for different rows.
"""
import uuid

from alembic import op
import sqlalchemy as sa

# The tables core.cache.REFERENCE_TABLES names (frozen here: a later migration changes the list).
REFERENCE_TABLES = ("region", "warehouse", "approval_rule", "scheme", "sku", "skuunit", "product", "brand",
                    "category")

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ref_version',
                    sa.Column('name', sa.String(), nullable=False),
                    sa.Column('token', sa.String(), nullable=False),
                    sa.PrimaryKeyConstraint('name'))
    op.execute(sa.text("INSERT INTO ref_version (name, token) VALUES ('reference', :t)")
               .bindparams(t=uuid.uuid4().hex))
    if op.get_bind().dialect.name == "postgresql":
        # Once per transaction (a bulk import is thousands of statements): the process never
        # caches what a transaction derives after writing (core/cache.py), so a token taken at
        # the transaction's first write stands for what it commits.
        op.execute("""CREATE FUNCTION ref_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('dms.ref_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        UPDATE ref_version SET token = md5(gen_random_uuid()::text);
        PERFORM set_config('dms.ref_bumped', txid_current()::text, true);
    END IF;
    RETURN NULL;
END $$""")
        for table in REFERENCE_TABLES:
            op.execute(f"CREATE TRIGGER ref_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION ref_version_bump()")
    else:  # SQLite: row triggers only
        for table in REFERENCE_TABLES:
            for op_name in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER ref_version_{table}_{op_name.lower()} AFTER {op_name} ON {table} "
                           f"BEGIN UPDATE ref_version SET token = lower(hex(randomblob(16))); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in REFERENCE_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS ref_version_bump ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ref_version_bump()")
    else:
        for table in REFERENCE_TABLES:
            for op_name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS ref_version_{table}_{op_name}")
    op.drop_table('ref_version')
