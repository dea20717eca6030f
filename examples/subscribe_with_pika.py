"""How another department's system subscribes to the platform's events with plain pika.

    python examples/subscribe_with_pika.py --exchange enforcement.events --bind 'penalty.decided' \
        --queue procuratorate.penalties

- Your queue is yours: name it after your system, make it durable (a quorum queue survives a broker
  node's loss), and bind it to the routing keys (event types) you need; ``#`` means all.
- The exchange belongs to the producing service: declare it passively (it exists once the service
  has started), never with your own arguments.
- Acknowledge after you have stored the event; if you crash before, the broker redelivers it. Use
  the event's ``id`` to ignore a redelivery you already stored.
- Each body is a CloudEvents 1.0 JSON object; ``dataschema`` names its schema (docs/asyncapi.yaml).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import pika


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--exchange", required=True, help="e.g. enforcement.events")
    parser.add_argument("--bind", action="append", default=[], help="routing key (event type); repeatable")
    parser.add_argument("--queue", required=True, help="your own durable queue, e.g. procuratorate.penalties")
    parser.add_argument("--count", type=int, default=0, help="stop after this many events (0: run forever)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(args.amqp_uri))
    channel = connection.channel()
    channel.exchange_declare(args.exchange, passive=True)
    channel.queue_declare(args.queue, durable=True, arguments={"x-queue-type": "quorum"})
    for routing_key in args.bind or ["#"]:
        channel.queue_bind(args.queue, args.exchange, routing_key)
    channel.basic_qos(prefetch_count=50)
    print(f"listening on {args.queue} <- {args.exchange} {args.bind or ['#']}", flush=True)

    seen = 0
    for method, properties, body in channel.consume(args.queue, inactivity_timeout=None):
        event = json.loads(body)
        # Store the event here (keyed by event["id"]), then acknowledge.
        print(json.dumps({"type": event["type"], "id": event["id"], "subject": event["subject"],
                          "correlationid": event["correlationid"], "data": event["data"]}, ensure_ascii=False),
              flush=True)
        channel.basic_ack(method.delivery_tag)
        seen += 1
        if args.count and seen >= args.count:
            break
    channel.cancel()
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
