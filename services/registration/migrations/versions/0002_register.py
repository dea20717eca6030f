"""Entities, annual reports, listings, party facts, credit entries, numbering. Revision ID: registration_0002"""
from shared.db import tables_migration

revision, down_revision, branch_labels, depends_on = "registration_0002", "registration_0001", None, None
upgrade, downgrade = tables_migration("services.registration.tables", (
    "entities", "annual_reports", "listings", "party_facts", "credit_entries", "sequences"))
