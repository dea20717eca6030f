"""The backbone tables: outbox, inbox, idempotency keys.

Revision ID: enforcement_0001
"""
from alembic import op

from shared.db import create_backbone_tables

revision = "enforcement_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_backbone_tables(op.get_bind())


def downgrade() -> None:
    for table in ("idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
