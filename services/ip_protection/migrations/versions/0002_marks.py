"""Marks, authorised users, infringement reports, each mark's history, numbering. Revision ID: ip_protection_0002"""
from shared.db import tables_migration

revision, down_revision, branch_labels, depends_on = "ip_protection_0002", "ip_protection_0001", None, None
upgrade, downgrade = tables_migration("services.ip_protection.tables", (
    "marks", "authorized_users", "infringement_reports", "mark_history", "sequences"))
