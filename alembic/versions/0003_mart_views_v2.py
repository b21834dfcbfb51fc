"""mart views v2 (now a no-op)

This revision rebuilt the mart views when views were still migrated. Views are now
applied from sql/views/*.sql after every upgrade (etnc_db.db.views), so the revision
is kept only to preserve the migration history of existing databases.

Revision ID: 0003
Revises: 0002
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
