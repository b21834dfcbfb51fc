"""materialize the fact views (fct_investment, fct_agreement, fct_agreement_party,
fct_policy_measure, fct_evidence): analysis queries read precomputed rows; loads refresh
them concurrently inside their transaction

Revision ID: 0004
Revises: 0003
"""
from alembic import op

from etnc_db.db.views import create_views

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_views(op.get_bind())


def downgrade() -> None:
    # the view files are the definition (see etnc_db.db.views); 0002's downgrade removes them
    create_views(op.get_bind())
