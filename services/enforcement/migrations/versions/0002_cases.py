"""Clues, cases, the full-process record, numbering, overdue notices. Revision ID: enforcement_0002"""
from alembic import op

revision, down_revision, branch_labels, depends_on = "enforcement_0002", "enforcement_0001", None, None

TABLES = ("clues", "cases", "record_entries", "record_heads", "sequences", "overdue_notices")


def upgrade() -> None:
    from services.enforcement.tables import metadata
    metadata.create_all(op.get_bind(), tables=[metadata.tables[name] for name in TABLES])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
