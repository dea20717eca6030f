"""The IP-protection service's own tables (plus the backbone's outbox, inbox, idempotency keys).

A mark is a document with the columns lists need; ``history`` is each mark's infringement history
(reports, the cases they became, the penalties decided), filled from this service's reports and from
enforcement's events, never from enforcement's database.
"""
from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, String, Table, UniqueConstraint

from shared.db import define_backbone_tables, define_sequences_table

metadata = MetaData()
backbone = define_backbone_tables(metadata)

marks = Table(
    "marks", metadata,
    Column("mark_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("normalised_name", String(200), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("registration_number", String(40), nullable=True, unique=True),
    Column("data", JSON, nullable=False),
)

authorized_users = Table(
    "authorized_users", metadata,
    Column("mark_id", String(64), primary_key=True),
    Column("uscc", String(18), primary_key=True),
    Column("state", String(20), nullable=False),        # authorized | revoked | refused
    Column("data", JSON, nullable=False),
)

infringement_reports = Table(
    "infringement_reports", metadata,
    Column("report_id", String(40), primary_key=True),
    Column("mark_id", String(64), nullable=False, index=True),
    Column("seller_uscc", String(18), nullable=True, index=True),
    Column("infringement", Integer, nullable=False),
    Column("observed_on", Date, nullable=False),
    Column("clue_id", String(40), nullable=True, unique=True),
    Column("case_no", String(40), nullable=True, index=True),
    Column("data", JSON, nullable=False),
)

mark_history = Table(
    "mark_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mark_id", String(64), nullable=False, index=True),
    Column("kind", String(40), nullable=False),          # reported | case_opened | penalty_decided
    Column("reference", String(100), nullable=False),
    Column("entry_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("data", JSON, nullable=False),
    UniqueConstraint("mark_id", "kind", "reference"),
)

sequences = define_sequences_table(metadata)
