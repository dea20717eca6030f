"""The unit of work: one database transaction holding a state change, the events it causes
(outbox) and, when handling an event, the record that this event was handled (inbox).

Services get it through the :class:`Store` dependency::

    class EnforcementService:
        store = Store(metadata, migrations_dir)

        @subscribe("legal_review", "review.approved")
        def on_review_approved(self, event):
            with self.store.unit_of_work() as uow:
                ...                                   # state change through uow.connection
                uow.publish("case.cleared", subject=case_no, data={...})

Inside an event handler the unit of work refuses an event this consumer already handled
(:class:`DuplicateEvent`, before the handler does anything) and records it on commit, so a
redelivered event has no second effect; if two deliveries race, the inbox primary key makes the
second one wait for the first and then fail as a duplicate.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import MetaData, insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from shared.config import load_settings
from shared.errors import Conflict
from shared.db import define_backbone_tables, make_engine, upgrade_to_head
from shared.events.amqp import connect, declare_exchange
from shared.events.catalog import EventCatalog
from shared.events.envelope import Event, source_of
from shared.events.outbox import OutboxRelay

log = logging.getLogger(__name__)

CATALOG = EventCatalog()


class DuplicateEvent(Exception):
    """This consumer has already handled this event: acknowledge it and do nothing."""


@dataclass(frozen=True)
class FlowContext:
    """Where a unit of work sits in a business flow (CloudEvents ``correlationid``/``causationid``)."""

    correlation_id: str | None = None
    causation_id: str = ""
    consumer: str | None = None          # set when handling an event: the inbox key's first half
    event: Event | None = None           # the event being handled
    idempotency: tuple[str, str, str] | None = None  # (principal, key, fingerprint) of an HTTP create
    # Set when a batch of deliveries is handled in one transaction (see shared.events.subscriber):
    # the unit of work joins it; the batch has already claimed this event in the inbox.
    batch_connection: Connection | None = field(default=None, compare=False)


class UnitOfWork:
    def __init__(self, *, service: str, engine: Engine, tables: dict, catalog: EventCatalog,
                 context: FlowContext, on_commit_with_events=None):
        self.service = service
        self._engine = engine
        self._tables = tables
        self._catalog = catalog
        self.context = context
        self._on_commit_with_events = on_commit_with_events
        self.connection: Connection | None = None
        self.events: list[Event] = []

    def __enter__(self) -> "UnitOfWork":
        ctx = self.context
        if ctx.batch_connection is not None:
            self.connection = ctx.batch_connection
            return self
        self.connection = self._engine.connect()
        self._transaction = self.connection.begin()
        if ctx.consumer and ctx.event is not None:
            # Claim the event first: one statement, and a duplicate is refused before the handler
            # does anything. A concurrent duplicate waits on the primary key, then fails here.
            try:
                self.connection.execute(insert(self._tables["inbox"]).values(
                    consumer=ctx.consumer, event_id=ctx.event.id, event_type=ctx.event.type,
                    handled_at=datetime.now(timezone.utc)))
            except IntegrityError:
                self._close(commit=False)
                raise DuplicateEvent(ctx.event.id) from None
        return self

    def execute(self, statement, parameters: Any = None):
        return self.connection.execute(statement, parameters)

    def publish(self, event_type: str, *, subject: str, data: dict[str, Any], version: int | None = None) -> Event:
        """Record an event in the outbox of this transaction; it is published after commit.

        The event is validated against its catalog schema here, before commit: a producer never
        commits an event its subscribers would reject.
        """
        event = Event(
            type=event_type, source=source_of(self.service), subject=subject, data=data,
            dataschema=self._catalog.schema_uri(event_type, version),
            correlationid=self.context.correlation_id or "", causationid=self.context.causation_id,
        )
        self._catalog.check(event)
        self.connection.execute(insert(self._tables["outbox"]).values(
            event_id=event.id, event_type=event.type, subject=event.subject,
            body=event.to_json().decode("utf-8"), created_at=datetime.now(timezone.utc),
        ))
        self.events.append(event)
        return event

    def __exit__(self, exc_type, exc, tb) -> None:
        ctx = self.context
        if ctx.batch_connection is not None:
            return  # the batch commits or rolls back, and wakes the relay
        if exc_type is not None:
            self._close(commit=False)
            return
        now = datetime.now(timezone.utc)
        try:
            if ctx.idempotency is not None:
                principal, key, fingerprint = ctx.idempotency
                # Until the route stores the answer, the row says what the command changed: if the
                # process dies before answering, a retry learns that it was applied, and where.
                applied = json.dumps({"subjects": [e.subject for e in self.events],
                                      "event_types": [e.type for e in self.events]}, ensure_ascii=False)
                self.connection.execute(insert(self._tables["idempotency_keys"]).values(
                    principal=principal, key=key, fingerprint=fingerprint, created_at=now, body=applied))
            self._transaction.commit()
        except IntegrityError:
            self._close(commit=False)
            if ctx.idempotency is not None:
                raise Conflict("another request with this Idempotency-Key was processed at the same time") from None
            raise
        except BaseException:
            self._close(commit=False)
            raise
        self._close(commit=None)
        if self.events and self._on_commit_with_events:
            self._on_commit_with_events()

    def _close(self, commit: bool | None) -> None:
        if commit is False and self._transaction.is_active:
            self._transaction.rollback()
        self.connection.close()


class StoreHandle:
    """What a worker sees as ``self.store``."""

    def __init__(self, store: "Store", context: FlowContext):
        self._store = store
        self.context = context

    def unit_of_work(self) -> UnitOfWork:
        return self._store.unit_of_work(self.context)

    @property
    def engine(self) -> Engine:
        return self._store.engine

    @property
    def amqp_uri(self) -> str:
        return self._store.amqp_uri

    def wake_relay(self) -> None:
        if self._store.relay is not None:
            self._store.relay.wake()

    def refresh_outbox_gauges(self) -> None:
        """Outbox backlog gauges, read at scrape time so they are exact even while the broker is down."""
        if self._store.relay is not None:
            self._store.relay.refresh_gauges()

    @property
    def entrypoints(self):
        return self._store.container.entrypoints


class Store(DependencyProvider):
    """The service's database, migrated at start-up, plus its outbox relay."""

    def __init__(self, metadata: MetaData, migrations_dir: Path | str):
        self.metadata = metadata
        self.tables = define_backbone_tables(metadata) if "outbox" not in metadata.tables else {
            name: metadata.tables[name] for name in ("outbox", "inbox", "idempotency_keys")}
        self.migrations_dir = Path(migrations_dir)
        self.catalog = CATALOG
        self.engine: Engine | None = None
        self.relay: OutboxRelay | None = None

    # nameko life cycle -----------------------------------------------------------------------
    def setup(self) -> None:
        service = self.container.service_name
        settings = load_settings(service)
        url = self.container.config.get("DATABASE_URL") or settings.database_url
        upgrade_to_head(url, self.migrations_dir)
        self.engine = make_engine(url)
        self.amqp_uri = self.container.config.get("AMQP_URI") or settings.amqp_uri
        self.relay_enabled = settings.outbox_relay_enabled
        self.relay = OutboxRelay(
            service=service, engine=self.engine, outbox=self.tables["outbox"], amqp_uri=self.amqp_uri,
            poll_seconds=float(self.container.config.get("OUTBOX_POLL_SECONDS", settings.outbox_poll_seconds)),
            retention=timedelta(days=settings.outbox_retention_days),
        )
        # Declare the exchange before any extension starts (nameko starts them all at once), so
        # subscribers can bind as soon as the service answers, before its first event.
        try:
            connection = connect(self.amqp_uri, connect_timeout=3)
            try:
                declare_exchange(connection.channel(), service)
            finally:
                connection.close()
        except Exception as exc:  # the relay declares it again once the broker is back
            log.warning("could not declare %s's exchange at start-up: %s", service, exc)

    def start(self) -> None:
        if self.relay_enabled:
            self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")
        else:
            log.warning("OUTBOX_RELAY_ENABLED is off: %s commits events but does not publish them",
                        self.container.service_name)

    def stop(self) -> None:
        if self.relay:
            self.relay.stop()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx) -> StoreHandle:
        return StoreHandle(self, flow_context_of(worker_ctx))

    # used by handles and by tests ------------------------------------------------------------
    def unit_of_work(self, context: FlowContext | None = None) -> UnitOfWork:
        return UnitOfWork(service=self.container.service_name, engine=self.engine, tables=self.tables,
                          catalog=self.catalog, context=context or FlowContext(),
                          on_commit_with_events=self.relay.wake if self.relay else None)


FLOW_CONTEXT_KEY = "amr.flow"


def flow_context_of(worker_ctx) -> FlowContext:
    """Entrypoints put a :class:`FlowContext` in ``worker_ctx.data`` under FLOW_CONTEXT_KEY."""
    return worker_ctx.data.get(FLOW_CONTEXT_KEY) or FlowContext()
