"""The backbone tables: outbox, inbox, idempotency keys. Revision ID: enforcement_0001"""
from shared.db import backbone_migration

revision, down_revision, branch_labels, depends_on = "enforcement_0001", None, None, None
upgrade, downgrade = backbone_migration()
