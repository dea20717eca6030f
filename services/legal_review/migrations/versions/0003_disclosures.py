"""Public disclosures. Revision ID: legal_review_0003"""
from shared.db import tables_migration

revision, down_revision, branch_labels, depends_on = "legal_review_0003", "legal_review_0002", None, None
upgrade, downgrade = tables_migration("services.legal_review.tables", ("disclosures",))
