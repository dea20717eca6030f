"""Proposals seen, reviews, the decision audit. Revision ID: legal_review_0002"""
from shared.db import tables_migration

revision, down_revision, branch_labels, depends_on = "legal_review_0002", "legal_review_0001", None, None
upgrade, downgrade = tables_migration("services.legal_review.tables", ("proposals", "reviews", "decisions"))
