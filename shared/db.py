"""Databases: engines for SQLite and PostgreSQL, the backbone tables, and migrations at start-up.

Every service database holds, beside its own tables, the three backbone tables:
``outbox`` (events committed with the state change that caused them), ``inbox`` (events already
handled, per consumer) and ``idempotency_keys`` (HTTP creates already answered).
"""
from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import (
    BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text, create_engine, event,
    text,
)
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

_MIGRATION_LOCK = 0x616D725F6D6967  # "amr_mig": one advisory lock key for migrations

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants a BIGINT identity.
Position = BigInteger().with_variant(Integer(), "sqlite")


def define_backbone_tables(metadata: MetaData) -> dict[str, Table]:
    """Add the outbox, inbox and idempotency-key tables to a service's metadata."""
    outbox = Table(
        "outbox", metadata,
        Column("position", Position, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Index("ix_outbox_pending", "position", postgresql_where=text("published_at IS NULL"),
              sqlite_where=text("published_at IS NULL")),
    )
    inbox = Table(
        "inbox", metadata,
        Column("consumer", String(200), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False),
    )
    idempotency_keys = Table(
        "idempotency_keys", metadata,
        Column("principal", String(100), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("status", Integer, nullable=True),
        Column("body", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    return {"outbox": outbox, "inbox": inbox, "idempotency_keys": idempotency_keys}


def define_sequences_table(metadata: MetaData) -> Table:
    """Gap-free numbering series of a service (case numbers, decision numbers, code serials)."""
    return Table("sequences", metadata, Column("name", String(40), primary_key=True),
                 Column("value", Integer, nullable=False))


def next_number(uow, sequences: Table, name: str) -> int:
    """The next number of a series, in the caller's transaction (the row lock keeps it gap-free)."""
    from sqlalchemy import insert, select, update

    row = uow.execute(select(sequences.c.value).where(sequences.c.name == name).with_for_update()).first()
    if row is None:
        uow.execute(insert(sequences).values(name=name, value=1))
        return 1
    uow.execute(update(sequences).where(sequences.c.name == name).values(value=row.value + 1))
    return row.value + 1


def make_engine(database_url: str) -> Engine:
    """An engine for the service's database; SQLite files get WAL and a busy timeout."""
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    # No pre-ping (a round trip per unit of work): a connection found dead raises a disconnect
    # error, SQLAlchemy discards the pool, and the caller's retry (event redelivery, relay
    # backoff, the client on a 503) gets a fresh connection.
    return create_engine(database_url, pool_size=5, max_overflow=10, pool_recycle=3600)


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def upgrade_to_head(database_url: str, migrations_dir: Path) -> None:
    """Run a service's alembic migrations to head (at start-up, and in tests)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if database_url.startswith("postgresql"):
        # Replicas starting together: one migrates, the others wait for it, then find nothing to do.
        engine = make_engine(database_url)
        try:
            with engine.connect() as lock:
                lock.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
                try:
                    command.upgrade(config, "head")
                finally:
                    lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
        finally:
            engine.dispose()
    else:
        command.upgrade(config, "head")


def run_migrations_env(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py`` (online mode only)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=engine.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def create_backbone_tables(bind) -> None:
    """For a service's first migration: create outbox, inbox and idempotency_keys."""
    metadata = MetaData()
    define_backbone_tables(metadata)
    metadata.create_all(bind)


def backbone_migration():
    """``upgrade, downgrade`` of every service's first revision (the backbone tables)."""
    from alembic import op

    def upgrade() -> None:
        create_backbone_tables(op.get_bind())

    def downgrade() -> None:
        for table in ("idempotency_keys", "inbox", "outbox"):
            op.drop_table(table)

    return upgrade, downgrade


def tables_migration(metadata_module: str, tables: tuple[str, ...] | None = None):
    """``upgrade, downgrade`` creating tables (all, or the named ones) of a module's ``metadata``,
    as defined when the revision runs: for a first revision of a new set of tables."""
    import importlib

    from alembic import op

    def _tables():
        metadata = importlib.import_module(metadata_module).metadata
        return [metadata.tables[name] for name in tables] if tables else None

    def upgrade() -> None:
        metadata = importlib.import_module(metadata_module).metadata
        metadata.create_all(op.get_bind(), tables=_tables())

    def downgrade() -> None:
        metadata = importlib.import_module(metadata_module).metadata
        metadata.drop_all(op.get_bind(), tables=_tables())

    return upgrade, downgrade
