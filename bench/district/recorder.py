"""Another department's subscriber, written with plain pika: binds one durable quorum queue to every
service's event exchange and appends each event, with the moment it arrived, to a JSON-lines file.

    python -m bench.district.recorder --uri amqp://... --queue district.recorder --out events.jsonl

It acknowledges an event only after its line is written and flushed, and reconnects when the broker
restarts, so the log misses nothing (a redelivery may appear twice: the checker dedupes by id).
SIGTERM stops it after the current event.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import time

import pika

EXCHANGES = ("registration.events", "enforcement.events", "ip_protection.events", "legal_review.events")


def declare(uri: str, queue: str) -> None:
    """The queue and its bindings, before the run produces anything. The exchanges are the services'
    (declared with their own arguments when they start): only looked up here."""
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    channel = connection.channel()
    channel.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    for exchange in EXCHANGES:
        channel.exchange_declare(exchange, passive=True)
        channel.queue_bind(queue, exchange, "#")
    connection.close()


def run(uri: str, queue: str, out: str) -> None:
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    with open(out, "a", encoding="utf-8") as log:
        while not stopping:
            try:
                connection = pika.BlockingConnection(pika.URLParameters(uri))
                channel = connection.channel()
                channel.basic_qos(prefetch_count=500)
                for method, _properties, body in channel.consume(queue, inactivity_timeout=0.5):
                    if stopping:
                        break
                    if method is None:
                        continue
                    event = json.loads(body)
                    event["received_at"] = time.time()
                    log.write(json.dumps(event, ensure_ascii=False) + "\n")
                    log.flush()
                    channel.basic_ack(method.delivery_tag)
                connection.close()
            except pika.exceptions.AMQPError:
                time.sleep(1.0)  # the broker is restarting: the queue keeps what arrives meanwhile


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.district.recorder")
    parser.add_argument("--uri", required=True)
    parser.add_argument("--queue", default="district.recorder")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    declare(args.uri, args.queue)
    print("ready", flush=True)
    run(args.uri, args.queue, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
