"""The registration service's own tables (plus the backbone's outbox, inbox, idempotency keys).

An entity is stored as a document (its domain state as JSON) with the columns that lists, timers and
the draw's read model query beside it; ``version`` guards against lost updates. ``party_facts`` is
registration's read model of other services' facts about a party (an open case, an unexecuted
penalty), kept from their events: registration never reads their databases.
"""
from sqlalchemy import (JSON, Column, Date, DateTime, Integer, MetaData, String, Table, UniqueConstraint)

from shared.db import define_backbone_tables, define_sequences_table

metadata = MetaData()
backbone = define_backbone_tables(metadata)

entities = Table(
    "entities", metadata,
    Column("uscc", String(18), primary_key=True),
    Column("category", String(30), nullable=False),
    Column("status", String(30), nullable=False, index=True),
    Column("name", String(200), nullable=False, index=True),
    Column("town", String(100), nullable=False),
    Column("sector", String(60), nullable=False),
    Column("established_on", Date, nullable=False),
    Column("data", JSON, nullable=False),
    Column("version", Integer, nullable=False),
)

annual_reports = Table(
    "annual_reports", metadata,
    Column("uscc", String(18), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("filed_on", Date, nullable=False),
)

listings = Table(
    "listings", metadata,
    Column("listing_id", String(40), primary_key=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("list", String(20), nullable=False),        # abnormal | serious
    Column("ground", String(40), nullable=False),
    Column("report_year", Integer, nullable=True),     # no_annual_report: the missing year
    Column("listed_on", Date, nullable=False),
    Column("state", String(20), nullable=False, index=True),  # active | removed | escalated
    Column("data", JSON, nullable=False),
)

party_facts = Table(
    "party_facts", metadata,
    Column("kind", String(30), primary_key=True),      # open_case | unexecuted_penalty
    Column("reference", String(100), primary_key=True),  # case number / decision number
    Column("uscc", String(18), nullable=False, index=True),
    Column("since", Date, nullable=False),
)

credit_entries = Table(
    "credit_entries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("entry_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("data", JSON, nullable=False),
    UniqueConstraint("uscc", "kind", "reference"),
)

sequences = define_sequences_table(metadata)
