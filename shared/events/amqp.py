"""The wire: exchange and queue topology, and a publisher that waits for broker confirms.

Topology (all durable; consumer queues are quorum queues):

- ``<service>.events``: the topic exchange a service publishes on, routing key = event type
  (CONTRACT §3). Its alternate exchange ``<service>.events.unrouted`` catches any event no queue
  is bound for, into the queue of the same name, so an event is never silently dropped.
- ``<queue>``: a consumer's quorum queue. ``x-delivery-limit`` dead-letters a message that keeps
  killing its consumer (a crash loop never requeues forever).
- ``<queue>.retry``: a handler that failed waits here for ``EVENT_RETRY_DELAY_MS`` (queue TTL),
  then is dead-lettered back to ``<queue>``.
- ``<queue>.dlq``: where a message ends after its bounded retries, or at once when malformed;
  headers carry the reason.
"""
from __future__ import annotations

import logging
import socket
from typing import Callable, Iterable
from urllib.parse import unquote, urlparse

import amqp

log = logging.getLogger(__name__)

PERSISTENT = 2
UNROUTED_TTL_MS = 7 * 24 * 3600 * 1000


def exchange_name(service: str) -> str:
    return f"{service}.events"


def unrouted_name(service: str) -> str:
    return f"{service}.events.unrouted"


def retry_queue_name(queue: str) -> str:
    return f"{queue}.retry"


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


def _quorum(extra: dict | None = None) -> dict:
    args = {"x-queue-type": "quorum"}
    args.update(extra or {})
    return args


def consumer_queue_arguments(queue: str, delivery_limit: int) -> dict:
    return _quorum({
        "x-delivery-limit": delivery_limit,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": dead_letter_queue_name(queue),
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    })


def declare_exchange(channel: amqp.Channel, service: str) -> str:
    """Declare a producer's topic exchange and its unrouted catch-all; return the exchange name."""
    unrouted = unrouted_name(service)
    channel.exchange_declare(unrouted, "fanout", durable=True, auto_delete=False)
    # Kept a week, then dropped: a catch-all must not fill the broker's disk.
    channel.queue_declare(unrouted, durable=True, auto_delete=False,
                          arguments=_quorum({"x-message-ttl": UNROUTED_TTL_MS}))
    channel.queue_bind(unrouted, unrouted, "")
    name = exchange_name(service)
    channel.exchange_declare(name, "topic", durable=True, auto_delete=False,
                             arguments={"alternate-exchange": unrouted})
    return name


def declare_consumer(channel: amqp.Channel, queue: str, source_service: str,
                     event_types: Iterable[str], *, retry_delay_ms: int, delivery_limit: int) -> None:
    """Declare a consumer queue bound to a producer's event types, with its retry and DLQ queues."""
    declare_exchange(channel, source_service)
    channel.queue_declare(dead_letter_queue_name(queue), durable=True, auto_delete=False,
                          arguments=_quorum())
    channel.queue_declare(retry_queue_name(queue), durable=True, auto_delete=False, arguments=_quorum({
        "x-message-ttl": retry_delay_ms,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": queue,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }))
    channel.queue_declare(queue, durable=True, auto_delete=False,
                          arguments=consumer_queue_arguments(queue, delivery_limit))
    for event_type in event_types:
        channel.queue_bind(queue, exchange_name(source_service), event_type)


def connect(amqp_uri: str, *, connect_timeout: float = 5.0, heartbeat: int = 30) -> amqp.Connection:
    """Open a py-amqp connection from an ``amqp://user:pass@host:port/vhost`` URI."""
    url = urlparse(amqp_uri)
    vhost = unquote(url.path[1:]) if len(url.path) > 1 else "/"
    connection = amqp.Connection(
        host=f"{url.hostname or '127.0.0.1'}:{url.port or 5672}",
        userid=unquote(url.username or "guest"), password=unquote(url.password or "guest"),
        virtual_host=vhost, connect_timeout=connect_timeout, heartbeat=heartbeat,
    )
    connection.connect()
    return connection


class PublishNotConfirmed(ConnectionError):
    """The broker nacked a message or the confirm did not arrive in time."""


class ConfirmingChannel:
    """A channel in confirm mode that publishes a batch and waits for all its confirms.

    Confirming one message at a time costs a round trip each; a batch is published in one go and
    the broker's (usually ``multiple``) acks are collected together.
    """

    def __init__(self, amqp_uri: str, on_connect: Callable[[amqp.Channel], None] | None = None):
        self._uri = amqp_uri
        self._on_connect = on_connect
        self._connection: amqp.Connection | None = None
        self._channel: amqp.Channel | None = None
        self._next_tag = 1
        self._confirmed_upto = 0
        self._confirmed: set[int] = set()
        self._nacked: set[int] = set()

    @property
    def is_open(self) -> bool:
        return self._channel is not None

    def _open(self) -> amqp.Channel:
        if self._channel is None:
            # No heartbeat: nothing reads this connection while idle, so heartbeats would not be
            # answered and the broker would drop it; a dead socket shows at the next publish.
            self._connection = connect(self._uri, heartbeat=0)
            channel = self._connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            if self._on_connect:
                self._on_connect(channel)
            self._channel = channel
            self._next_tag, self._confirmed_upto = 1, 0
            self._confirmed.clear()
            self._nacked.clear()
        return self._channel

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            self._confirmed_upto = max(self._confirmed_upto, delivery_tag)
        else:
            self._confirmed.add(delivery_tag)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked.add(delivery_tag)
        if multiple:
            self._nacked.update(range(self._confirmed_upto + 1, delivery_tag))

    def _is_confirmed(self, tag: int) -> bool:
        return tag <= self._confirmed_upto or tag in self._confirmed

    def publish_batch(self, messages: Iterable[tuple[str, str, amqp.Message]], timeout: float = 10.0) -> int:
        """Publish ``(exchange, routing_key, message)`` items; return once every one is confirmed.

        Raises :class:`PublishNotConfirmed` or a connection error; the caller then retries the
        whole batch later (consumers are idempotent, so a re-sent event has no second effect).
        """
        channel = self._open()
        tags = []
        try:
            for exchange, routing_key, message in messages:
                channel.basic_publish(message, exchange=exchange, routing_key=routing_key)
                tags.append(self._next_tag)
                self._next_tag += 1
            for tag in tags:
                while not self._is_confirmed(tag):
                    if tag in self._nacked:
                        raise PublishNotConfirmed(f"broker nacked delivery {tag}")
                    self._connection.drain_events(timeout=timeout)
                if tag in self._nacked:
                    raise PublishNotConfirmed(f"broker nacked delivery {tag}")
        except (socket.timeout, TimeoutError) as exc:
            self.close()
            raise PublishNotConfirmed(f"no confirm within {timeout}s") from exc
        except Exception:
            self.close()
            raise
        self._confirmed.difference_update(tags)
        return len(tags)

    def publish(self, exchange: str, routing_key: str, message: amqp.Message, timeout: float = 10.0) -> None:
        self.publish_batch([(exchange, routing_key, message)], timeout=timeout)

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                connection.collect()
            except Exception:  # closing a broken connection: nothing more to do
                log.debug("error while discarding a broken AMQP connection", exc_info=True)
