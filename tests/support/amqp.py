"""A plain pika client, as another department would use it: bind a queue, read what arrives."""
from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass

import pika


@dataclass
class Received:
    body: dict
    routing_key: str
    properties: pika.BasicProperties
    headers: dict


class AmqpAdmin:
    def __init__(self, uri: str):
        self.uri = uri
        self._prefixes: list[str] = []
        self._queues: list[str] = []
        self._connection = pika.BlockingConnection(pika.URLParameters(uri))
        self.channel = self._connection.channel()

    def forget_prefix(self, prefix: str) -> None:
        """Delete, after the test, every exchange and queue this prefix names."""
        self._prefixes.append(prefix)

    def subscribe(self, exchange: str, *routing_keys: str) -> str:
        """Bind a fresh exclusive queue to ``exchange`` (declared passively: the producer owns it)."""
        queue = f"subscriber-{uuid.uuid4().hex[:8]}"
        self.channel.exchange_declare(exchange, passive=True)
        self.channel.queue_declare(queue, exclusive=True, auto_delete=True)
        for key in routing_keys or ("#",):
            self.channel.queue_bind(queue, exchange, key)
        return queue

    def wait_for_exchange(self, exchange: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                channel = self._connection.channel()
                channel.exchange_declare(exchange, passive=True)
                channel.close()
                return
            except pika.exceptions.ChannelClosedByBroker:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def get(self, queue: str, count: int, timeout: float = 15.0) -> list[Received]:
        """Read up to ``count`` messages, waiting at most ``timeout`` seconds in all."""
        received: list[Received] = []
        deadline = time.monotonic() + timeout
        while len(received) < count and time.monotonic() < deadline:
            method, properties, body = self.channel.basic_get(queue, auto_ack=True)
            if method is None:
                self._connection.process_data_events(time_limit=0.05)
                continue
            received.append(Received(json.loads(body) if _is_json(body) else {"raw": body}, method.routing_key,
                                     properties, dict(properties.headers or {})))
        return received

    def drain(self, queue: str, settle: float = 1.0) -> list[Received]:
        """Everything in the queue now, waiting ``settle`` seconds for stragglers."""
        return self.get(queue, count=10**9, timeout=settle)

    def queue_depth(self, queue: str) -> int:
        return self.channel.queue_declare(queue, passive=True).method.message_count

    def publish_raw(self, exchange: str, routing_key: str, body: bytes, **properties) -> None:
        self.channel.confirm_delivery() if not getattr(self, "_confirming", False) else None
        self._confirming = True
        self.channel.basic_publish(exchange, routing_key, body,
                                   pika.BasicProperties(delivery_mode=2, **properties))

    def cleanup(self) -> None:
        for prefix in self._prefixes:
            for name in _names_with_prefix(prefix):
                try:
                    channel = self._connection.channel()
                    channel.queue_delete(name)
                    channel.close()
                except Exception:
                    pass
                try:
                    channel = self._connection.channel()
                    channel.exchange_delete(name)
                    channel.close()
                except Exception:
                    pass
        try:
            self._connection.close()
        except Exception:
            pass


def _names_with_prefix(prefix: str) -> list[str]:
    """Queues and exchanges a probe prefix creates (there is no management API here to list them)."""
    names = []
    for service in (f"{prefix}_producer", f"{prefix}_consumer"):
        names += [f"{service}.events", f"{service}.events.unrouted"]
    queue = f"{prefix}_consumer.on_recorded"
    names += [queue, f"{queue}.retry", f"{queue}.dlq"]
    return names


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
        return True
    except ValueError:
        return False


def purge_queues(uri: str, *queues: str) -> None:
    """Empty the services' consumer queues (and their retry queues) before a service starts: events
    other tests left there would otherwise reach this test's fresh database."""
    quiet = logging.getLogger("pika")
    level, quiet.level = quiet.level, logging.ERROR  # "no queue" is expected, not worth a warning
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    channel = connection.channel()
    for name in queues:
        for queue in (name, name + ".retry"):
            try:
                channel.queue_purge(queue)
            except pika.exceptions.ChannelClosedByBroker:  # never declared yet: nothing to purge
                channel = connection.channel()
    connection.close()
    quiet.level = level
