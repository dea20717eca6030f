"""The legal_review service's own database tables (plus the backbone's outbox, inbox, idempotency keys)."""
from sqlalchemy import MetaData

from shared.db import define_backbone_tables

metadata = MetaData()
backbone = define_backbone_tables(metadata)
