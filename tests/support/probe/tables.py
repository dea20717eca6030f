from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

from shared.db import define_backbone_tables

metadata = MetaData()
backbone = define_backbone_tables(metadata)
records = Table("records", metadata, Column("record_id", String(36), primary_key=True),
                Column("value", String(200), nullable=False))
# No unique constraint on purpose: a second effect of one event would show as a second row.
effects = Table("effects", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                Column("event_id", String(36), nullable=False), Column("value", String(200), nullable=False),
                Column("handled_at", DateTime(timezone=True), nullable=False))
