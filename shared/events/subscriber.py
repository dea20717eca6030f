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

import logging
import threading
import time
import traceback
from datetime import datetime, timezone
from functools import partial
from typing import Iterable

import amqp
from kombu import Connection
from kombu.messaging import Consumer as KombuConsumer, Queue
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
from shared.events.envelope import CONTENT_TYPE, MalformedEvent, parse_json_body
from shared.store import CATALOG, FLOW_CONTEXT_KEY, DuplicateEvent, FlowContext

log = logging.getLogger(__name__)

RETRY_COUNT_HEADER = "x-retry-count"
REASON_HEADER = "x-dead-letter-reason"
ERROR_HEADER = "x-error"


class RawQueueConsumer(QueueConsumer):
    """nameko's shared queue consumer, but handing entrypoints the raw, undecoded message."""

    def get_consumers(self, consumer_cls, channel):
        for provider in self._providers:
            consumer = consumer_cls(queues=[provider.queue], on_message=partial(self.handle_message, provider),
                                    accept=None)
            consumer.qos(prefetch_count=self.prefetch_count)
            self._consumers[provider] = consumer
        return self._consumers.values()

    def handle_message(self, provider, message):  # type: ignore[override]
        self.container.spawn_managed_thread(partial(provider.handle_message, message),
                                            identifier=f"{type(provider).__name__}.handle_message")


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
        self.failures = FailurePublisher(self.amqp_uri)
        self.queue_consumer.register_provider(self)

    def stop(self) -> None:
        self.queue_consumer.unregister_provider(self)
        self.failures.close()

    # -- one message ---------------------------------------------------------------------------
    def handle_message(self, message) -> None:
        event_type = message.properties.get("type") or message.delivery_info.get("routing_key") or "unknown"
        try:
            body = parse_json_body(message.body)
            event = CATALOG.parse(body)
            if event.type not in self.event_types:
                raise SchemaViolation(f"{self.queue_name} does not handle {event.type!r}")
        except MalformedEvent as exc:
            return self._dead_letter(message, event_type, "malformed", str(exc), outcome="invalid")
        except SchemaViolation as exc:
            return self._dead_letter(message, event_type, "schema_invalid", str(exc), outcome="invalid")

        context = FlowContext(correlation_id=event.correlationid, causation_id=event.id,
                              consumer=self.queue_name, event=event)
        started = time.perf_counter()
        try:
            self.container.spawn_worker(
                self, (event,), {}, context_data={FLOW_CONTEXT_KEY: context},
                handle_result=partial(self.handle_result, message, event, started))
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def handle_result(self, message, event, started, worker_ctx, result=None, exc_info=None):
        elapsed = time.perf_counter() - started
        service = self.container.service_name
        metrics.HANDLER_SECONDS.labels(service, event.type).observe(elapsed)
        if exc_info is None:
            metrics.EVENTS_CONSUMED.labels(service, event.type, "handled").inc()
            _observe_end_to_end(service, event)
            self.queue_consumer.ack_message(message)
        elif issubclass(exc_info[0], DuplicateEvent):
            metrics.EVENTS_CONSUMED.labels(service, event.type, "duplicate").inc()
            self.queue_consumer.ack_message(message)
        else:
            error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
            attempts = _retry_count(message) + 1
            if attempts < self.max_retries:
                self._retry(message, event.type, attempts, error)
            else:
                self._dead_letter(message, event.type, "handler_failed", error, outcome="dead_lettered",
                                  attempts=attempts)
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
        self.queue_consumer.ack_message(message)

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
        self.queue_consumer.ack_message(message)


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


subscribe = EventSubscriber.decorator
