"""mart views v2: row keys for agreement parties, pre-aggregated arrays instead of per-row
subqueries (analysis queries at scale), a mention's chapter by equi-join, and the
investor's ultimate parent on fct_investment

Revision ID: 0003
Revises: 0002
"""
from alembic import op

from etnc_db.db.views import create_views

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_views(op.get_bind())


def downgrade() -> None:
    # the view files are the definition (see etnc_db.db.views): recreating them is the
    # only state there is; 0002's downgrade removes them
    create_views(op.get_bind())
