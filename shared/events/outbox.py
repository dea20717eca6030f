"""The transactional outbox relay: publishes committed events, in commit order, with confirms.

An event is written to the ``outbox`` table in the same transaction as the state change that
caused it (see ``shared.store.UnitOfWork.publish``). This relay reads pending rows in position
order, publishes them as one batch on the service's exchange, waits for the broker's confirms,
and only then marks them published. A crash between confirm and mark re-sends the batch on
restart: consumers are idempotent (inbox), so that costs a duplicate delivery, never an effect.

It is woken at once after every commit that wrote an event; the poll is only a safety net (for
rows committed by a process that died before publishing them). On PostgreSQL a session advisory
lock makes one replica of a service the active relay, which keeps per-aggregate order.
"""
from __future__ import annotations

import logging
import threading
import time
import zlib
from datetime import datetime, timedelta, timezone

import amqp
from sqlalchemy import Table, delete, func, select, text, update
from sqlalchemy.engine import Connection, Engine

from shared import metrics
from shared.db import is_postgresql
from shared.events.amqp import PERSISTENT, ConfirmingChannel, declare_exchange, exchange_name
from shared.events.envelope import CONTENT_TYPE

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, *, service: str, engine: Engine, outbox: Table, amqp_uri: str,
                 poll_seconds: float = 1.0, batch_size: int = 500, max_backoff: float = 5.0,
                 retention: timedelta = timedelta(days=7), prune_every_seconds: float = 600.0,
                 coalesce_seconds: float = 0.005, leader_check_seconds: float = 1.0):
        self.service = service
        self.engine = engine
        self.outbox = outbox
        self.exchange = exchange_name(service)
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.max_backoff = max_backoff
        self._channel = ConfirmingChannel(amqp_uri, on_connect=lambda ch: declare_exchange(ch, service))
        self._wakeup = threading.Event()  # green under eventlet's monkey patching
        self._stopped = threading.Event()  # backoff waits on this alone: commits do not hurry a retry
        self._stopping = False
        self._leader_connection: Connection | None = None
        self._lock_key = zlib.crc32(f"outbox-relay:{service}".encode())
        self.coalesce_seconds = coalesce_seconds
        self.leader_check_seconds = leader_check_seconds
        self._leader_checked_at = 0.0
        self.retention = retention
        self.prune_every_seconds = prune_every_seconds
        self._next_prune = time.monotonic() + prune_every_seconds

    # -- control -------------------------------------------------------------------------------
    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping = True
        self._stopped.set()
        self._wakeup.set()

    def run(self) -> None:
        """The relay loop; returns when :meth:`stop` is called."""
        backoff = 0.1
        while not self._stopping:
            try:
                published = self.publish_pending()
                backoff = 0.1
            except Exception as exc:  # broker or database unreachable: back off, never give up
                metrics.OUTBOX_PUBLISH_ERRORS.labels(self.service).inc()
                log.warning("outbox relay of %s: %s; retrying in %.1fs", self.service, exc, backoff)
                self._channel.close()
                self._release_leadership()
                self._best_effort(self.refresh_gauges)
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if time.monotonic() >= self._next_prune:
                self._next_prune = time.monotonic() + self.prune_every_seconds
                self._best_effort(self.prune_published)
            if published < self.batch_size:
                self._wakeup.wait(self.poll_seconds)
                self._wakeup.clear()
                if published:
                    # Under load, commits keep coming: wait a moment so the next pass carries a
                    # batch, not the one or two events committed since the last one.
                    self._stopped.wait(self.coalesce_seconds)
        self._channel.close()
        self._release_leadership()

    def prune_published(self) -> int:
        """Delete events published longer ago than the retention (they stay for audit until then)."""
        cutoff = datetime.now(timezone.utc) - self.retention
        with self.engine.begin() as conn:
            return conn.execute(delete(self.outbox).where(self.outbox.c.published_at < cutoff)).rowcount

    def _best_effort(self, action) -> None:
        try:
            action()
        except Exception as exc:
            log.debug("outbox relay of %s: %s failed: %s", self.service, action.__name__, exc)

    # -- one pass ------------------------------------------------------------------------------
    def publish_pending(self) -> int:
        """Publish one batch of pending events; return how many were published."""
        if not self._is_leader():
            return 0
        outbox = self.outbox
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(outbox.c.position, outbox.c.event_id, outbox.c.event_type, outbox.c.body)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.position)
                .limit(self.batch_size)
            ).all()
        if not rows:
            self._update_gauges(0, None)
            return 0
        self._channel.publish_batch(
            (self.exchange, row.event_type, amqp.Message(
                row.body, content_type=CONTENT_TYPE, content_encoding="utf-8",
                delivery_mode=PERSISTENT, message_id=row.event_id, type=row.event_type,
                app_id=self.service,
            ))
            for row in rows
        )
        now = datetime.now(timezone.utc)
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.position.in_([r.position for r in rows]))
                         .values(published_at=now))
        for row in rows:
            metrics.EVENTS_PUBLISHED.labels(self.service, row.event_type).inc()
        if len(rows) < self.batch_size:
            self._update_gauges(0, None)
        else:
            self.refresh_gauges()
        return len(rows)

    def refresh_gauges(self) -> None:
        outbox = self.outbox
        with self.engine.connect() as conn:
            count, oldest = conn.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None))
            ).one()
        self._update_gauges(count, oldest)

    def _update_gauges(self, count: int, oldest: datetime | None) -> None:
        metrics.OUTBOX_PENDING.labels(self.service).set(count)
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:  # SQLite returns naive UTC
                oldest = oldest.replace(tzinfo=timezone.utc)
            age = max(0.0, (datetime.now(timezone.utc) - oldest).total_seconds())
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(age)

    # -- leadership (PostgreSQL only: one active relay per service) -----------------------------
    def _is_leader(self) -> bool:
        if not is_postgresql(self.engine):
            return True
        if self._leader_connection is None:
            connection = self.engine.connect()
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock_key}).scalar()
            connection.commit()
            if not got:
                connection.close()
                return False
            self._leader_connection = connection
        elif time.monotonic() - self._leader_checked_at > self.leader_check_seconds:
            # If this connection died, so did the lock (another replica may have taken over).
            self._leader_connection.execute(text("SELECT 1"))
            self._leader_connection.commit()
        self._leader_checked_at = time.monotonic()
        return True

    def _release_leadership(self) -> None:
        connection, self._leader_connection = self._leader_connection, None
        if connection is not None:
            try:
                connection.invalidate()
                connection.close()
            except Exception:
                log.debug("closing the relay's leadership connection failed", exc_info=True)
