"""Benchmark tables.

Revision ID: bench_0001
"""
from alembic import op

revision = "bench_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bench.tables import metadata
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    pass
