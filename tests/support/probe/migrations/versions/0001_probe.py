"""Probe tables.

Revision ID: probe_0001
"""
from alembic import op

revision = "probe_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from tests.support.probe.tables import metadata
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    pass
