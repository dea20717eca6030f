"""Clues, cases, the full-process record, numbering, overdue notices. Revision ID: enforcement_0002"""
from shared.db import tables_migration

revision, down_revision, branch_labels, depends_on = "enforcement_0002", "enforcement_0001", None, None
upgrade, downgrade = tables_migration("services.enforcement.tables", (
    "clues", "cases", "record_entries", "record_heads", "sequences", "overdue_notices"))
