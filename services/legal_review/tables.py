"""The legal_review service's own tables (plus the backbone's outbox, inbox, idempotency keys)."""
from sqlalchemy import JSON, Boolean, Column, Date, DateTime, MetaData, String, Table

from shared.db import define_backbone_tables

metadata = MetaData()
backbone = define_backbone_tables(metadata)

# Every decision.proposed, classified against the rule table in force (M-*).
proposals = Table(
    "proposals", metadata,
    Column("proposal_hash", String(64), primary_key=True),
    Column("case_no", String(64), nullable=False, index=True),
    Column("proposal_id", String(64), nullable=False),
    Column("major", Boolean, nullable=False),
    Column("grounds", JSON, nullable=False),
    Column("evaluated", JSON, nullable=False),
    Column("table_version", String(64), nullable=False),
    Column("review_id", String(64), nullable=True),
    Column("data", JSON, nullable=False),
    Column("correlation_id", String(100), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# 法制审核: one review per major proposal.
reviews = Table(
    "reviews", metadata,
    Column("review_id", String(64), primary_key=True),
    Column("proposal_hash", String(64), nullable=False, unique=True),
    Column("case_no", String(64), nullable=False, index=True),
    Column("state", String(20), nullable=False, index=True),   # open | approved | returned
    Column("reviewer", String(100), nullable=True),
    Column("opinion", String(20000), nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)

# The audit of every penalty.decided (the 100% review promise).
decisions = Table(
    "decisions", metadata,
    Column("decision_no", String(100), primary_key=True),
    Column("case_no", String(64), nullable=False),
    Column("proposal_hash", String(64), nullable=False),
    Column("major", Boolean, nullable=False),
    Column("reviewed_before_decision", Boolean, nullable=False),
    Column("bypass", Boolean, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# 公示: one public disclosure per in-scope penalty decision (P-SCOPE), redacted (P-REDACT).
disclosures = Table(
    "disclosures", metadata,
    Column("disclosure_id", String(64), primary_key=True),
    Column("decision_no", String(100), nullable=False, unique=True),
    Column("case_no", String(64), nullable=False),
    Column("party_name", String(200), nullable=False, index=True),
    Column("party_uscc", String(18), nullable=True, index=True),
    Column("fields", JSON, nullable=False),
    Column("penalty", JSON, nullable=False),                     # kinds and amounts, for P-PERIOD / P-REPAIR
    Column("category", String(100), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("due_by", Date, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_on_time", Boolean, nullable=False),       # P-DUE: within 20 WD of the decision
    Column("period_ends", Date, nullable=False),
    Column("state", String(20), nullable=False),   # published | withdrawn | taken_down
)
