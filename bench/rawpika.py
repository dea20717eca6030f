"""Baseline: raw pika, the broker's ceiling for this machine and message size.

Publisher: ``pika.SelectConnection`` in confirm mode, persistent messages (delivery_mode=2), up to
``window`` unconfirmed messages in flight (the broker's ``multiple`` acks free the window), into a
durable quorum queue. Consumer: a separate process (``python -m bench.rawpika consume ...``) with a
``BlockingConnection``, prefetch 200, one manual ack per message. It prints one JSON line when ready
and one with its figures when it has received ``count`` messages (or its deadline passed).
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import pika
from pika.spec import Basic

QUEUE_ARGUMENTS = {"x-queue-type": "quorum"}


class WindowedPublisher:
    """Publish ``count`` messages with at most ``window`` unconfirmed, optionally paced at ``rate``/s."""

    def __init__(self, amqp_uri: str, queue: str, count: int, payload: str, *, window: int = 1000,
                 rate: float | None = None, phase: str = "throughput", timeout: float = 180.0):
        self.params = pika.URLParameters(amqp_uri)
        self.queue, self.count, self.payload, self.window = queue, count, payload, window
        self.rate, self.phase, self.timeout = rate, phase, timeout
        self.published = 0
        self.nacked = 0
        self._outstanding: set[int] = set()
        self._low = 0
        self.started = self.finished = None
        self.error: str | None = None
        self._connection = self._channel = None
        self._pump_scheduled = False

    def run(self) -> "WindowedPublisher":
        self._connection = pika.SelectConnection(
            self.params, on_open_callback=self._on_open, on_open_error_callback=self._on_open_error,
            on_close_callback=lambda conn, reason: conn.ioloop.stop())
        self._connection.ioloop.call_later(self.timeout, self._on_timeout)
        self._connection.ioloop.start()
        if self.error:
            raise RuntimeError(f"raw pika publisher: {self.error}")
        return self

    # -- callbacks -----------------------------------------------------------------------------
    def _on_open_error(self, connection, error):
        self.error = f"cannot connect: {error}"
        connection.ioloop.stop()

    def _on_timeout(self):
        self.error = f"timed out after {self.timeout}s ({self.published} published)"
        self._close()

    def _on_open(self, connection):
        connection.channel(on_open_callback=self._on_channel)

    def _on_channel(self, channel):
        self._channel = channel
        channel.confirm_delivery(ack_nack_callback=self._on_confirm, callback=self._on_confirm_mode)

    def _on_confirm_mode(self, _frame):
        self.started = time.time()
        self._pump()

    def _on_confirm(self, frame):
        method = frame.method
        if isinstance(method, Basic.Nack):
            self.nacked += 1
        if method.multiple:
            for tag in range(self._low + 1, method.delivery_tag + 1):
                self._outstanding.discard(tag)
            self._low = max(self._low, method.delivery_tag)
        else:
            self._outstanding.discard(method.delivery_tag)
        if self.published >= self.count and not self._outstanding:
            self.finished = time.time()
            self._close()
        elif not self._pump_scheduled:
            self._pump()

    def _pump(self):
        self._pump_scheduled = False
        now = time.time()
        properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")
        while self.published < self.count and len(self._outstanding) < self.window:
            if self.rate is not None:
                due = self.started + self.published / self.rate
                if due > now:
                    self._pump_scheduled = True
                    self._connection.ioloop.call_later(due - now, self._pump)
                    return
            body = json.dumps({"seq": self.published, "phase": self.phase, "sent": time.time(),
                               "payload": self.payload}).encode()
            self._channel.basic_publish("", self.queue, body, properties)
            self.published += 1
            self._outstanding.add(self.published)

    def _close(self):
        if self._connection and self._connection.is_open:
            self._connection.close()
        else:
            self._connection.ioloop.stop()


def consume(amqp_uri: str, queue: str, count: int, timeout: float, prefetch: int = 200) -> dict:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=prefetch)
    stats = {"count": 0, "first": None, "last": None, "latencies": []}

    def on_message(ch, method, properties, body):
        now = time.time()
        data = json.loads(body)
        ch.basic_ack(method.delivery_tag)
        stats["count"] += 1
        stats["first"] = stats["first"] or now
        stats["last"] = now
        stats["latencies"].append(now - data["sent"])
        if stats["count"] >= count:
            ch.stop_consuming()

    channel.basic_consume(queue, on_message, auto_ack=False)
    print(json.dumps({"ready": True}), flush=True)
    deadline = time.monotonic() + timeout
    while stats["count"] < count and time.monotonic() < deadline:
        connection.process_data_events(time_limit=0.2)
    try:
        connection.close()
    except Exception:
        pass
    return stats


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rawpika")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("consume")
    c.add_argument("--uri", required=True)
    c.add_argument("--queue", required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--timeout", type=float, default=180.0)
    c.add_argument("--prefetch", type=int, default=200)
    args = parser.parse_args(argv)
    print(json.dumps(consume(args.uri, args.queue, args.count, args.timeout, args.prefetch)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
