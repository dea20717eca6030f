"""``@subscribe``: the one way a service consumes another service's events.

Why not nameko's ``event_handler``: it acknowledges a message whose handler failed (the event is
silently lost), ``requeue_on_error=True`` loops forever on a poison message, and its consumer
decodes bodies before we can see them, so a malformed body breaks the consumer. Here:

- the raw body is parsed and checked against the catalog (envelope and data schema); a malformed
  or schema-invalid message goes to ``<queue>.dlq`` at once, with its reason in the headers;
- a handler that raises is retried after ``EVENT_RETRY_DELAY_MS`` through ``<queue>.retry``, up to
  ``EVENT_MAX_RETRIES`` attempts, then dead-lettered with the last error;
- an event this consumer already handled is acknowledged without effect (the unit of work's inbox);
- the message is acknowledged only after the handler's transaction committed, or after its copy
  was confirmed by the broker in the retry or dead-letter queue: nothing is lost in between.
"""
from __future__ import annotations

import functools
import logging
import sys
import threading
import time
import traceback
from dataclasses import replace
from datetime import datetime, timezone
from functools import partial

import amqp
from kombu import Connection
from sqlalchemy import insert, select
from kombu.messaging import Queue
from eventlet.event import Event as GreenEvent
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import Entrypoint
from nameko.messaging import QueueConsumer

from shared import metrics
from shared.config import load_settings
from shared.events.amqp import (
    PERSISTENT, ConfirmingChannel, consumer_queue_arguments, dead_letter_queue_name, declare_consumer,
    exchange_name, retry_queue_name,
)
from shared.events.catalog import SchemaViolation
from shared.events.envelope import CONTENT_TYPE, MalformedEvent, parse_json_body, source_of
from shared.store import CATALOG, FLOW_CONTEXT_KEY, DuplicateEvent, FlowContext, Store

log = logging.getLogger(__name__)

DEFAULT_PREFETCH = 256
MAX_BATCH = 100
RETRY_COUNT_HEADER = "x-retry-count"
REASON_HEADER = "x-dead-letter-reason"
ERROR_HEADER = "x-error"


class RawQueueConsumer(QueueConsumer):
    """nameko's shared queue consumer, but handing entrypoints the raw, undecoded message.

    Messages are handed over in the consumer's own green thread (no thread per message): the
    entrypoint only buffers them, and handles everything that arrived together as one batch.
    """

    @property
    def prefetch_count(self):
        return int(self.container.config.get("EVENT_PREFETCH", DEFAULT_PREFETCH))

    def get_consumers(self, consumer_cls, channel):
        for provider in self._providers:
            consumer = consumer_cls(queues=[provider.queue], on_message=partial(self.handle_message, provider),
                                    accept=None)
            consumer.qos(prefetch_count=self.prefetch_count)
            self._consumers[provider] = consumer
        return self._consumers.values()

    def handle_message(self, provider, message):  # type: ignore[override]
        provider.receive(message)


class FailurePublisher:
    """Puts a failed message into its retry or dead-letter queue, waiting for the broker's confirm."""

    def __init__(self, amqp_uri: str):
        self._channel = ConfirmingChannel(amqp_uri)
        self._lock = threading.Lock()

    def send(self, queue: str, body: bytes, headers: dict, properties: dict) -> None:
        message = amqp.Message(body, application_headers=headers, delivery_mode=PERSISTENT,
                               content_type=properties.get("content_type") or CONTENT_TYPE,
                               message_id=properties.get("message_id"), type=properties.get("type"),
                               app_id=properties.get("app_id"))
        with self._lock:
            try:
                self._channel.publish("", queue, message)
            except Exception:
                # one reconnect; if the broker is gone, the caller leaves the message unacked
                self._channel.publish("", queue, message)

    def close(self) -> None:
        self._channel.close()


class EventSubscriber(Entrypoint):
    """Entrypoint: ``@subscribe(source_service, *event_types)``."""

    queue_consumer = RawQueueConsumer()

    def __init__(self, source_service: str, *event_types: str, **kwargs):
        if not event_types:
            raise ValueError("subscribe to at least one event type")
        self.source_service = source_service
        self.event_types = tuple(event_types)
        super().__init__(**kwargs)

    # -- set-up --------------------------------------------------------------------------------
    def setup(self) -> None:
        service = self.container.service_name
        settings = load_settings(service)
        config = self.container.config
        self.amqp_uri = config.get("AMQP_URI") or settings.amqp_uri
        self.max_retries = int(config.get("EVENT_MAX_RETRIES", settings.event_max_retries))
        self.retry_delay_ms = int(config.get("EVENT_RETRY_DELAY_MS", settings.event_retry_delay_ms))
        self.queue_name = f"{service}.{self.method_name}"
        self.expected_source = source_of(self.source_service)
        for event_type in self.event_types:
            CATALOG.schema_uri(event_type)  # an unknown type is a programming error: fail at start
        # Crash-loop guard: a message that kills the process before it is acked is redelivered at
        # most this many times by the quorum queue, then dead-lettered (reason "delivery_limit").
        delivery_limit = int(config.get("EVENT_DELIVERY_LIMIT", settings.event_delivery_limit))
        connection = Connection(self.amqp_uri)
        try:
            declare_consumer(connection.default_channel, self.queue_name, self.source_service, self.event_types,
                             retry_delay_ms=self.retry_delay_ms, delivery_limit=delivery_limit)
        except amqp.exceptions.PreconditionFailed as exc:
            # The queues exist with other arguments (EVENT_RETRY_DELAY_MS or EVENT_DELIVERY_LIMIT
            # changed since they were declared): keep them and their messages, and say so.
            log.error("%s exists with other arguments than configured (%s); keeping the existing queues. "
                      "To apply new settings, drain and delete %s, %s and %s.", self.queue_name, exc,
                      self.queue_name, retry_queue_name(self.queue_name), dead_letter_queue_name(self.queue_name))
            connection.release()
            connection = Connection(self.amqp_uri)
            channel = connection.default_channel
            channel.queue_declare(self.queue_name, passive=True)
            for event_type in self.event_types:
                channel.queue_bind(self.queue_name, exchange_name(self.source_service), event_type)
        finally:
            connection.release()
        self.queue = Queue(self.queue_name, durable=True, no_declare=True,
                           queue_arguments=consumer_queue_arguments(self.queue_name, delivery_limit))
        stores = [d for d in self.container.dependencies if isinstance(d, Store)]
        if len(stores) != 1:
            raise TypeError(f"{service} needs exactly one Store dependency to handle events idempotently")
        self.store_attr = stores[0].attr_name
        self.inbox = stores[0].tables["inbox"]
        self._buffer: list = []
        self._flushing = False
        self.failures = FailurePublisher(self.amqp_uri)
        self.queue_consumer.register_provider(self)

    def stop(self) -> None:
        self.queue_consumer.unregister_provider(self)
        self.failures.close()

    # -- deliveries -----------------------------------------------------------------------------
    def receive(self, message) -> None:
        """Called by the consumer for each delivery: buffer it. The first delivery of a batch
        schedules a flush, which runs as soon as the consumer has drained what the broker sent:
        under load, deliveries that arrived together are handled in one transaction; when idle,
        a lone delivery is handled at once (no timer, no added latency)."""
        self._buffer.append(message)
        if not self._flushing:
            self._flushing = True
            self.container.spawn_managed_thread(self._flush, identifier=f"{self.queue_name}.flush")

    def _flush(self) -> None:
        # One flusher at a time, so batches reach workers in delivery order.
        try:
            while self._buffer:
                messages, self._buffer = self._buffer[:MAX_BATCH], self._buffer[MAX_BATCH:]
                try:
                    self._handle(messages)
                except Exception:  # never let one batch kill the container; unacked ones are redelivered
                    log.exception("%s could not hand over %d deliveries", self.queue_name, len(messages))
        finally:
            self._flushing = False

    def _handle(self, messages) -> None:
        deliveries = []
        for message in messages:
            event_type = message.properties.get("type") or message.delivery_info.get("routing_key") or "unknown"
            try:
                event = CATALOG.parse(parse_json_body(message.body))
                if event.type not in self.event_types:
                    raise SchemaViolation(f"{self.queue_name} does not handle {event.type!r}")
                if event.source != self.expected_source:
                    raise SchemaViolation(f"{event.type} must come from {self.expected_source}, not {event.source!r}")
            except MalformedEvent as exc:
                self._dead_letter(message, event_type, "malformed", str(exc), outcome="invalid")
                continue
            except SchemaViolation as exc:
                self._dead_letter(message, event_type, "schema_invalid", str(exc), outcome="invalid")
                continue
            except Exception as exc:  # whatever a hostile body does, it never kills the consumer
                self._dead_letter(message, event_type, "malformed", f"{type(exc).__name__}: {exc}"[:500],
                                  outcome="invalid")
                continue
            deliveries.append(Delivery(message, event, FlowContext(
                correlation_id=event.correlationid, causation_id=event.id, consumer=self.queue_name, event=event)))
        if not deliveries:
            return
        batch = DeliveryBatch(deliveries, store_attr=self.store_attr, inbox=self.inbox)
        try:
            self.container.spawn_worker(self, (batch,), {}, context_data={FLOW_CONTEXT_KEY: deliveries[0].context},
                                        handle_result=partial(self.handle_result, batch))
        except ContainerBeingKilled:
            for delivery in deliveries:
                self.queue_consumer.requeue_message(delivery.message)
            return
        # One batch of this queue at a time: a worker that yields (network I/O; green database
        # waits if an operator sets PSYCOPG_WAIT_FUNC=wait_select) must not let a second batch
        # apply a later event before an earlier one.
        batch.done.wait()

    def _ack(self, message) -> None:
        # If the broker connection went away meanwhile this raises and nameko stops the service
        # (its supervisor restarts it; the delivery is redelivered and the inbox makes it a no-op).
        # Swallowing the error instead was tried: the consumer then stalled silently (see the
        # session note of 2026-12-01), which is worse than a visible restart.
        self.queue_consumer.ack_message(message)

    def handle_result(self, batch: "DeliveryBatch", worker_ctx, result=None, exc_info=None):
        try:
            return self._settle(batch, result, exc_info)
        finally:
            batch.done.send(True)

    def _settle(self, batch: "DeliveryBatch", result, exc_info):
        service = self.container.service_name
        elapsed = time.perf_counter() - batch.started
        for delivery in batch.deliveries:
            event = delivery.event
            outcome = delivery.outcome if exc_info is None else exc_info
            metrics.HANDLER_SECONDS.labels(service, event.type).observe(elapsed / len(batch.deliveries))
            if outcome == "handled":
                metrics.EVENTS_CONSUMED.labels(service, event.type, "handled").inc()
                _observe_end_to_end(service, event)
                self._ack(delivery.message)
            elif outcome == "duplicate":
                metrics.EVENTS_CONSUMED.labels(service, event.type, "duplicate").inc()
                self._ack(delivery.message)
            else:
                error_type, error_value = outcome[0], outcome[1]
                error = "".join(traceback.format_exception_only(error_type, error_value)).strip()
                attempts = _retry_count(delivery.message) + 1
                if attempts < self.max_retries:
                    self._retry(delivery.message, event.type, attempts, error)
                else:
                    self._dead_letter(delivery.message, event.type, "handler_failed", error,
                                      outcome="dead_lettered", attempts=attempts)
        return result, exc_info

    def _retry(self, message, event_type: str, attempts: int, error: str) -> None:
        headers = dict(message.headers or {})
        headers.update({RETRY_COUNT_HEADER: attempts, ERROR_HEADER: error[:1000]})
        try:
            self.failures.send(retry_queue_name(self.queue_name), message.body, headers, message.properties)
        except Exception:
            log.exception("could not put %s in its retry queue; leaving it for redelivery", event_type)
            return  # not acked: the broker redelivers it when this consumer's channel closes
        metrics.EVENTS_CONSUMED.labels(self.container.service_name, event_type, "retried").inc()
        self._ack(message)

    def _dead_letter(self, message, event_type: str, reason: str, error: str, *, outcome: str,
                     attempts: int | None = None) -> None:
        headers = dict(message.headers or {})
        headers.update({
            REASON_HEADER: reason, ERROR_HEADER: error[:1000], "x-consumer": self.queue_name,
            "x-failed-at": datetime.now(timezone.utc).isoformat(),
            "x-original-exchange": message.delivery_info.get("exchange", ""),
            "x-original-routing-key": message.delivery_info.get("routing_key", ""),
        })
        if attempts is not None:
            headers[RETRY_COUNT_HEADER] = attempts
        try:
            self.failures.send(dead_letter_queue_name(self.queue_name), message.body, headers, message.properties)
        except Exception:
            log.exception("could not dead-letter %s; leaving it for redelivery", event_type)
            return
        service = self.container.service_name
        log.warning("dead-lettered %s on %s: %s (%s)", event_type, self.queue_name, reason, error[:200])
        metrics.DEAD_LETTERS.labels(service, event_type, reason).inc()
        metrics.EVENTS_CONSUMED.labels(service, event_type, outcome).inc()
        self._ack(message)


def _retry_count(message) -> int:
    try:
        return int((message.headers or {}).get(RETRY_COUNT_HEADER, 0))
    except (TypeError, ValueError):
        return 0


def _observe_end_to_end(service: str, event) -> None:
    try:
        sent = datetime.fromisoformat(event.time.replace("Z", "+00:00"))
    except ValueError:
        return
    metrics.PUBLISH_TO_HANDLED_SECONDS.labels(service, event.type).observe(
        max(0.0, (datetime.now(timezone.utc) - sent).total_seconds()))


class Delivery:
    __slots__ = ("message", "event", "context", "outcome")

    def __init__(self, message, event, context: FlowContext):
        self.message, self.event, self.context = message, event, context
        self.outcome: object = None  # "handled", "duplicate", or the exc_info of the handler's error


class DeliveryBatch:
    """Deliveries that arrived together, handled by one worker.

    First, all together in one transaction: the inbox is read once for the whole batch, every fresh
    event is claimed, the handler runs for each in delivery order, one commit. If anything fails,
    that transaction is rolled back and each delivery is handled again on its own, in its own unit
    of work, so one poison message cannot hold back or roll back the others.
    """

    def __init__(self, deliveries: list[Delivery], *, store_attr: str, inbox):
        self.deliveries = deliveries
        self.store_attr = store_attr
        self.inbox = inbox
        self.started = time.perf_counter()
        self.done = GreenEvent()  # sent once the batch is settled (acked, retried or dead-lettered)

    def run(self, service, handler) -> None:
        store = getattr(service, self.store_attr)
        if len(self.deliveries) > 1:
            try:
                self._together(store, service, handler)
                return
            except Exception:
                log.info("a batch of %d failed together; handling each on its own", len(self.deliveries),
                         exc_info=True)
                for delivery in self.deliveries:
                    delivery.outcome = None
        for delivery in self.deliveries:
            store.context = delivery.context
            try:
                handler(service, delivery.event)
                delivery.outcome = "handled"
            except DuplicateEvent:
                delivery.outcome = "duplicate"
            except Exception:
                delivery.outcome = sys.exc_info()

    def _together(self, store, service, handler) -> None:
        inbox = self.inbox
        consumer = self.deliveries[0].context.consumer
        with store.engine.connect() as connection:
            with connection.begin():
                ids = [d.event.id for d in self.deliveries]
                seen = set(connection.execute(select(inbox.c.event_id).where(
                    inbox.c.consumer == consumer, inbox.c.event_id.in_(ids))).scalars())
                fresh = []
                for delivery in self.deliveries:
                    if delivery.event.id in seen:
                        delivery.outcome = "duplicate"
                    else:
                        seen.add(delivery.event.id)  # the same event twice in one batch
                        fresh.append(delivery)
                if fresh:
                    now = datetime.now(timezone.utc)
                    connection.execute(insert(inbox), [
                        {"consumer": consumer, "event_id": d.event.id, "event_type": d.event.type, "handled_at": now}
                        for d in fresh])
                for delivery in fresh:
                    store.context = replace(delivery.context, batch_connection=connection)
                    handler(service, delivery.event)
                    delivery.outcome = "handled"
        store.wake_relay()


def subscribe(source_service: str, *event_types: str, **kwargs):
    """Decorate ``handler(self, event)``: it is called once per event (never twice for one event
    id), and does its database work in ``with self.store.unit_of_work() as uow:``."""
    def decorate(handler):
        @functools.wraps(handler)
        def handle_batch(self, batch: DeliveryBatch):
            batch.run(self, handler)
        handle_batch.handles = handler
        return EventSubscriber.decorator(source_service, *event_types, **kwargs)(handle_batch)
    return decorate
