"""The broker's declared topology (compose definitions, the Kubernetes policy) against the code.

RabbitMQ refuses a re-declaration whose arguments differ (PRECONDITION_FAILED), so exchanges and
queues that deploy/rabbitmq/definitions.json creates before the services start must be exactly
what shared/events/amqp.py declares. The code's declarations are recorded on a stand-in channel
(no broker needed) and compared.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re

import pytest

from shared.config import SERVICE_PORTS
from shared.events import amqp
from tests.deploy.helpers import DEPLOY, K8S, documents

DEFINITIONS = json.loads((DEPLOY / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))


class RecordingChannel:
    """Records what the code declares; stands in for an amqp.Channel."""

    def __init__(self):
        self.exchanges: dict[str, dict] = {}
        self.queues: dict[str, dict] = {}
        self.bindings: set[tuple[str, str, str]] = set()

    def exchange_declare(self, name, type, durable=False, auto_delete=True, arguments=None, **_):
        self.exchanges[name] = {"type": type, "durable": durable, "auto_delete": auto_delete,
                                "arguments": dict(arguments or {})}

    def queue_declare(self, name, durable=False, auto_delete=True, arguments=None, **_):
        self.queues[name] = {"durable": durable, "auto_delete": auto_delete, "arguments": dict(arguments or {})}

    def queue_bind(self, queue, exchange, routing_key="", **_):
        self.bindings.add((exchange, queue, routing_key))


def code_topology() -> RecordingChannel:
    channel = RecordingChannel()
    for service in SERVICE_PORTS:
        amqp.declare_exchange(channel, service)
    return channel


def load_definitions_module():
    spec = importlib.util.spec_from_file_location("load_definitions", DEPLOY / "rabbitmq" / "load_definitions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_definitions_declare_each_services_exchanges_and_catch_all_exactly_as_the_code_does():
    code = code_topology()
    platform = {e["name"]: e for e in DEFINITIONS["exchanges"] if e["name"].split(".")[0] in SERVICE_PORTS}
    assert set(platform) == set(code.exchanges)
    for name, declared in code.exchanges.items():
        exchange = platform[name]
        assert (exchange["type"], exchange["durable"], exchange["auto_delete"], exchange["arguments"]) == (
            declared["type"], declared["durable"], declared["auto_delete"], declared["arguments"]), name
        assert exchange["internal"] is False and exchange["vhost"] == "/"
    queues = {q["name"]: q for q in DEFINITIONS["queues"] if q["name"].split(".")[0] in SERVICE_PORTS}
    assert set(queues) == set(code.queues)
    for name, declared in code.queues.items():
        assert (queues[name]["durable"], queues[name]["auto_delete"], queues[name]["arguments"]) == (
            declared["durable"], declared["auto_delete"], declared["arguments"]), name
    bindings = {(b["source"], b["destination"], b["routing_key"]) for b in DEFINITIONS["bindings"]
                if b["source"].split(".")[0] in SERVICE_PORTS}
    assert bindings == code.bindings
    assert all(b["destination_type"] == "queue" for b in DEFINITIONS["bindings"])


def test_every_durable_queue_the_services_declare_is_a_quorum_queue():
    channel = code_topology()
    amqp.declare_consumer(channel, "legal_review.on_penalty_decided", "enforcement", ["penalty.decided"],
                          retry_delay_ms=2000, delivery_limit=10)
    durable = {name: q for name, q in channel.queues.items() if q["durable"]}
    assert {"legal_review.on_penalty_decided", "legal_review.on_penalty_decided.retry",
            "legal_review.on_penalty_decided.dlq"} <= set(durable)
    assert all(q["arguments"].get("x-queue-type") == "quorum" for q in durable.values()), durable


def test_the_kubernetes_quorum_policy_covers_exactly_the_services_queues():
    policy = next(d for d in documents(K8S / "rabbitmq.yaml") if d["kind"] == "Policy")["spec"]
    assert policy["applyTo"] == "quorum_queues"
    pattern = re.compile(policy["pattern"])
    channel = code_topology()
    amqp.declare_consumer(channel, "legal_review.on_penalty_decided", "enforcement", ["penalty.decided"],
                          retry_delay_ms=2000, delivery_limit=10)
    assert all(pattern.search(name) for name in channel.queues), channel.queues
    for other in ("procuratorate.penalties", "police.transfers", "amq.gen-123"):
        assert not pattern.search(other)
    cluster = next(d for d in documents(K8S / "rabbitmq.yaml") if d["kind"] == "RabbitmqCluster")
    assert policy["rabbitmqClusterReference"]["name"] == cluster["metadata"]["name"]
    assert cluster["spec"]["replicas"] == 3


def test_departments_user_reads_the_event_exchanges_but_cannot_publish_or_touch_platform_queues():
    permission = next(p for p in DEFINITIONS["permissions"] if p["user"] == "departments")
    configure, write, read = (re.compile(permission[k]) for k in ("configure", "write", "read"))
    for service in SERVICE_PORTS:
        exchange = amqp.exchange_name(service)
        assert read.search(exchange), exchange
        assert not write.search(exchange) and not configure.search(exchange), exchange   # no publishing
        queue = f"{service}.on_something"
        assert not (configure.search(queue) or write.search(queue) or read.search(queue)), queue
    own = "procuratorate.penalties"       # the queue name examples/subscribe_with_pika.py suggests
    assert configure.search(own) and write.search(own) and read.search(own)
    user = next(u for u in DEFINITIONS["users"] if u["name"] == "departments")
    assert user["tags"] == [] and user["password_hash"] == ""     # filled in at load time, never committed


def test_departments_dead_letter_policy_sends_to_an_exchange_that_is_declared_and_bound():
    policy = next(p for p in DEFINITIONS["policies"] if p["name"] == "departments-dead-letter")
    target = policy["definition"]["dead-letter-exchange"]
    assert any(e["name"] == target for e in DEFINITIONS["exchanges"])
    assert any(b["source"] == target for b in DEFINITIONS["bindings"])
    assert re.search(policy["pattern"], "procuratorate.penalties")
    assert not any(re.search(policy["pattern"], f"{s}.events.unrouted") for s in SERVICE_PORTS)


def test_loader_stores_the_departments_password_as_rabbitmq_sha256_hash():
    module = load_definitions_module()
    body = module.build(DEFINITIONS, "s3cret-pass")
    stored = next(u for u in body["users"] if u["name"] == "departments")["password_hash"]
    raw = base64.b64decode(stored)
    salt, digest = raw[:4], raw[4:]
    assert digest == hashlib.sha256(salt + b"s3cret-pass").digest()
    assert DEFINITIONS["users"][0]["password_hash"] == ""     # the file itself is left alone
    with pytest.raises(SystemExit):
        module.build(DEFINITIONS, "")
