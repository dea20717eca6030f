"""The enforcement service's own tables (plus the backbone's outbox, inbox, idempotency keys).

Clues and cases are stored as documents (their domain state as JSON) with the columns that lists
and queries need beside them; ``version`` guards against lost updates. The full-process record
(A-RECORD) is an append-only chain of entries per clue, which a filed case continues.
"""
from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.db import define_backbone_tables, define_sequences_table

metadata = MetaData()
backbone = define_backbone_tables(metadata)

clues = Table(
    "clues", metadata,
    Column("clue_id", String(40), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("subject_uscc", String(18), nullable=True, index=True),
    Column("received_on", Date, nullable=False),
    Column("case_no", String(40), nullable=True),
    Column("data", JSON, nullable=False),
    Column("version", Integer, nullable=False),
)

cases = Table(
    "cases", metadata,
    Column("case_no", String(40), primary_key=True),
    Column("clue_id", String(40), nullable=False, unique=True),
    Column("state", String(20), nullable=False, index=True),
    Column("subject_uscc", String(18), nullable=True, index=True),
    Column("filed_on", Date, nullable=False),
    Column("data", JSON, nullable=False),
    Column("version", Integer, nullable=False),
)

record_entries = Table(
    "record_entries", metadata,
    Column("record_key", String(40), primary_key=True),   # the clue id: one chain from clue to archive
    Column("sequence", Integer, primary_key=True),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(100), nullable=False),
    Column("content", Text, nullable=False),              # canonical JSON, exactly as hashed
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

record_heads = Table(
    "record_heads", metadata,
    Column("record_key", String(40), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("head_hash", String(64), nullable=False),
)

sequences = define_sequences_table(metadata)

overdue_notices = Table(
    "overdue_notices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("aggregate", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("due", Date, nullable=False),
    UniqueConstraint("aggregate", "kind", "due"),
)

# -- random inspections (I-DRAW) -------------------------------------------------------------------
# The target library: enforcement's read model of the register, kept from registration's events.
register_entities = Table(
    "register_entities", metadata,
    Column("uscc", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("category", String(30), nullable=False),
    Column("status", String(30), nullable=False),
    Column("sector", String(60), nullable=False),
    Column("town", String(100), nullable=False),
    Column("credit_risk", String(10), nullable=False),
)

# The inspector library (执法检查人员名录库).
inspectors = Table(
    "inspectors", metadata,
    Column("staff_id", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("active", Integer, nullable=False),
    Column("data", JSON, nullable=False),
)

inspection_draws = Table(
    "inspection_draws", metadata,
    Column("draw_id", String(40), primary_key=True),
    Column("drawn_on", Date, nullable=False),
    Column("data", JSON, nullable=False),              # the result as published, plus the item's name
    Column("candidates", Text, nullable=False),        # canonical JSON snapshot: what verification re-runs
    Column("roster", Text, nullable=False),
)

inspection_results = Table(
    "inspection_results", metadata,
    Column("draw_id", String(40), primary_key=True),
    Column("uscc", String(18), primary_key=True),
    Column("inspected_on", Date, nullable=False),
    Column("data", JSON, nullable=False),
)
