"""database setting: JIT compilation off for this database

The mart's analysis queries run in tens of milliseconds, but on a large database the
planner's cost estimates pass `jit_above_cost` and PostgreSQL spends most of a query's
time compiling it (measured by the benchmark at 100×: 852 of 971 ms for one analysis
query). `ALTER DATABASE ... SET jit = off` turns it off for every new session on this
database, readers and BI tools included; a session may still `SET jit = on`. Needs the
database's owner (or a superuser): a migrating role that is neither leaves the server's
setting as it is and says so.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 17:50:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _set(clause: str) -> None:
    op.execute(f"""
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I {clause}', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'etnc-db: not the owner of database %, JIT setting left as it is', current_database();
END $$""")


def upgrade() -> None:
    _set("SET jit = off")


def downgrade() -> None:
    _set("RESET jit")
