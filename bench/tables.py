"""Tables of the benchmark services: the backbone tables plus one effect row per handled event."""
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table

from shared.db import define_backbone_tables

metadata = MetaData()
backbone = define_backbone_tables(metadata)
# The consumer's real effect, committed with its inbox record. event_time is the event's own
# ``time`` (set by the producer when it built the event, just before commit); handled_at is taken
# by the handler just before its transaction commits.
effects = Table(
    "bench_effects", metadata,
    Column("event_id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("handled_at", DateTime(timezone=True), nullable=False),
)
