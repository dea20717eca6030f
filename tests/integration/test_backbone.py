"""The backbone's promises, through the real broker and the real databases (SQLite and PostgreSQL):
nothing is lost, nothing has two effects, a poison message ends in a dead-letter queue with its
reason. The probe services (tests/support/probe) run as real processes.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from urllib.parse import urlparse

import pytest
import requests
from sqlalchemy import create_engine, func, select

from shared.events.envelope import Event, dataschema_uri, source_of
from shared.store import CATALOG
from tests.support.probe.tables import effects
from tests.support.tcp_proxy import TcpProxy
from tests.support.tokens import OPERATOR

pytestmark = pytest.mark.integration

PRODUCER = "tests.support.probe.service:Producer"
CONSUMER = "tests.support.probe.service:Consumer"


def post_record(service, value: str, **extra) -> requests.Response:
    return requests.post(service.url + "/records", json={"value": value, **extra}, headers=OPERATOR, timeout=10)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def attempts_of(log_path, event_id: str | None = None) -> int:
    """How many times the probe consumer's handler was called (for one event, or at all)."""
    if not log_path.exists():
        return 0
    lines = log_path.read_text().split()
    return len(lines) if event_id is None else lines.count(event_id)


def count_rows(url: str, table, *where) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()
    finally:
        engine.dispose()


def test_committed_event_reaches_a_plain_pika_subscriber_exactly_once_and_a_rollback_publishes_nothing(
        database_url, probe_name, amqp_admin, processes):
    producer = processes(PRODUCER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url})
    queue = amqp_admin.subscribe(f"{probe_name}_producer.events", "probe.recorded")

    first = post_record(producer, "第一条 记录")
    rolled_back = post_record(producer, "never", rollback=True)
    last = post_record(producer, "last")
    assert first.status_code == 201 and last.status_code == 201
    assert rolled_back.status_code == 409
    assert rolled_back.headers["Content-Type"].startswith("application/problem+json")

    received = amqp_admin.get(queue, 2, timeout=10) + amqp_admin.drain(queue, settle=1.5)
    assert [m.body["id"] for m in received] == [first.json()["event_id"], last.json()["event_id"]]
    for message in received:
        event = CATALOG.parse(message.body)  # valid against envelope and data schema
        assert event.source == source_of(f"{probe_name}_producer")
        assert message.properties.delivery_mode == 2
        assert message.properties.content_type == "application/cloudevents+json"
    assert received[0].body["data"]["value"] == "第一条 记录"


def test_events_committed_while_the_broker_is_unreachable_all_arrive_once_it_is_back(
        database_factory, probe_name, amqp_admin, processes):
    from tests.conftest import AMQP_URI
    broker = urlparse(AMQP_URI)
    proxy = TcpProxy(broker.hostname, broker.port or 5672)
    proxied = AMQP_URI.replace(f"{broker.hostname}:{broker.port or 5672}", f"127.0.0.1:{proxy.port}")
    consumer_db = database_factory("consumer")
    producer = processes(PRODUCER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_factory("producer"),
                                    "AMQP_URI": proxied})
    processes(CONSUMER, {"PROBE_NAME": probe_name, "DATABASE_URL": consumer_db})
    queue = amqp_admin.subscribe(f"{probe_name}_producer.events", "probe.recorded")
    try:
        ids = [post_record(producer, f"before-{i}").json()["event_id"] for i in range(3)]
        assert len(amqp_admin.get(queue, 3, timeout=10)) == 3

        proxy.cut()
        ids += [post_record(producer, f"during-{i}").json()["event_id"] for i in range(20)]
        time.sleep(0.5)  # the relay tries, fails and backs off while the broker is away
        metrics = requests.get(producer.url + "/metrics", timeout=5).text
        assert 'amr_outbox_publish_errors_total{service="%s_producer"}' % probe_name in metrics
        pending = float(re.search(r'amr_outbox_pending\{service="%s_producer"\} ([0-9.]+)' % probe_name,
                                  metrics).group(1))
        # 20 committed during the outage; one or two earlier ones too if the cut swallowed their
        # confirms (at-least-once: the relay sends them again, consumers ignore the repeat).
        assert 20 <= pending <= 23
        health = requests.get(producer.url + "/health", timeout=10)
        assert health.status_code == 503 and health.json()["broker"].startswith("unreachable")
        assert health.json()["database"] == "ok"
        proxy.restore()

        received = amqp_admin.get(queue, 20, timeout=30) + amqp_admin.drain(queue, settle=1.0)
        arrived = [m.body["id"] for m in received]
        assert set(ids[3:]) <= set(arrived)  # none of the outage's events is lost
        assert set(arrived) <= set(ids) and len(arrived) - len(set(arrived)) == 0  # nothing else, no repeats now
        assert wait_for(lambda: count_rows(consumer_db, effects) == 23), count_rows(consumer_db, effects)
        assert count_rows(consumer_db, effects) == 23
        engine = create_engine(consumer_db)
        with engine.connect() as conn:
            handled = [row.event_id for row in conn.execute(select(effects.c.event_id))]
        engine.dispose()
        assert sorted(handled) == sorted(ids)
    finally:
        proxy.close()


def test_a_service_killed_between_commit_and_publish_publishes_after_restart(
        database_url, probe_name, amqp_admin, processes):
    env = {"PROBE_NAME": probe_name, "DATABASE_URL": database_url}
    stalled = processes(PRODUCER, {**env, "OUTBOX_RELAY_ENABLED": "false"})
    queue = amqp_admin.subscribe(f"{probe_name}_producer.events", "probe.recorded")
    ids = [post_record(stalled, f"committed-{i}").json()["event_id"] for i in range(3)]
    assert amqp_admin.drain(queue, settle=1.0) == []  # committed, not yet published
    stalled.kill()

    processes(PRODUCER, env)
    received = amqp_admin.get(queue, 3, timeout=15) + amqp_admin.drain(queue, settle=1.0)
    assert [m.body["id"] for m in received] == ids  # all of them, once, in commit order


def _probe_event(probe_name: str, value, **overrides) -> Event:
    record_id = str(uuid.uuid4())
    return Event(type="probe.recorded", source=source_of(f"{probe_name}_producer"), subject=record_id,
                 data={"record_id": record_id, "value": value},
                 dataschema=dataschema_uri("probe.recorded", 1), **overrides)


def test_a_failing_handler_is_retried_a_bounded_number_of_times_then_dead_lettered_with_its_reason(
        database_url, probe_name, amqp_admin, processes, tmp_path):
    log = tmp_path / "attempts.log"
    processes(PRODUCER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url})
    consumer_db = database_url.replace("service", "consumer") if database_url.startswith("sqlite") else None
    consumer_db = consumer_db or database_url  # PostgreSQL: probe tables do not clash, one database is fine
    processes(CONSUMER, {"PROBE_NAME": probe_name, "DATABASE_URL": consumer_db, "EVENT_MAX_RETRIES": "3",
                         "PROBE_ATTEMPTS_FILE": str(log)})
    exchange = f"{probe_name}_producer.events"
    dlq = f"{probe_name}_consumer.on_recorded.dlq"

    poison = _probe_event(probe_name, "fail: always")
    amqp_admin.publish_raw(exchange, "probe.recorded", poison.to_json(), content_type="application/cloudevents+json")
    dead = amqp_admin.get(dlq, 1, timeout=20)
    assert len(dead) == 1
    assert dead[0].body["id"] == poison.id
    assert dead[0].headers["x-dead-letter-reason"] == "handler_failed"
    assert "deliberate failure" in dead[0].headers["x-error"]
    assert dead[0].headers["x-retry-count"] == 3
    assert attempts_of(log, poison.id) == 3  # bounded: no loop
    time.sleep(1.0)
    assert attempts_of(log, poison.id) == 3
    assert count_rows(consumer_db, effects, effects.c.event_id == poison.id) == 0


def test_malformed_and_schema_invalid_messages_are_dead_lettered_at_once(
        database_url, probe_name, amqp_admin, processes, tmp_path):
    log = tmp_path / "attempts.log"
    processes(PRODUCER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url})
    consumer = processes(CONSUMER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url,
                                    "PROBE_ATTEMPTS_FILE": str(log)})
    exchange = f"{probe_name}_producer.events"
    dlq = f"{probe_name}_consumer.on_recorded.dlq"

    amqp_admin.publish_raw(exchange, "probe.recorded", b"{not json", content_type="application/json")
    invalid = _probe_event(probe_name, 42)  # value must be a string
    amqp_admin.publish_raw(exchange, "probe.recorded", invalid.to_json())
    no_envelope = json.dumps({"record_id": "x", "value": "bare data, no envelope"}).encode()
    amqp_admin.publish_raw(exchange, "probe.recorded", no_envelope)

    dead = amqp_admin.get(dlq, 3, timeout=15)
    reasons = [m.headers["x-dead-letter-reason"] for m in dead]
    assert reasons == ["malformed", "schema_invalid", "schema_invalid"]
    assert "/data/value" in dead[1].headers["x-error"]
    assert attempts_of(log) == 0  # never reached a handler
    metrics = requests.get(consumer.url + "/metrics", timeout=5).text
    assert (f'amr_dead_letters_total{{reason="schema_invalid",service="{probe_name}_consumer",'
            f'type="probe.recorded"}} 2.0') in metrics


def test_a_duplicate_delivery_has_one_effect(database_url, probe_name, amqp_admin, processes, tmp_path):
    log = tmp_path / "attempts.log"
    processes(PRODUCER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url})
    consumer = processes(CONSUMER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url,
                                    "PROBE_ATTEMPTS_FILE": str(log)})
    exchange = f"{probe_name}_producer.events"
    event = _probe_event(probe_name, "once only")
    for _ in range(3):
        amqp_admin.publish_raw(exchange, "probe.recorded", event.to_json())
    assert wait_for(lambda: count_rows(database_url, effects, effects.c.event_id == event.id) >= 1)
    time.sleep(1.0)
    assert count_rows(database_url, effects, effects.c.event_id == event.id) == 1
    metrics = requests.get(consumer.url + "/metrics", timeout=5).text
    assert (f'amr_events_consumed_total{{outcome="duplicate",service="{probe_name}_consumer",'
            f'type="probe.recorded"}} 2.0') in metrics


def test_a_message_that_kills_its_consumer_is_dead_lettered_by_the_delivery_limit_not_redelivered_forever(
        database_url, probe_name, amqp_admin, processes, tmp_path):
    log = tmp_path / "attempts.log"
    processes(PRODUCER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url})
    env = {"PROBE_NAME": probe_name, "DATABASE_URL": database_url, "EVENT_DELIVERY_LIMIT": "2",
           "PROBE_ATTEMPTS_FILE": str(log)}
    consumer = processes(CONSUMER, env)
    exchange = f"{probe_name}_producer.events"
    crash = _probe_event(probe_name, "crash")
    amqp_admin.publish_raw(exchange, "probe.recorded", crash.to_json())
    restarts = 0
    while restarts < 8:
        consumer.process.wait(30)  # it dies on the message
        consumer = processes(CONSUMER, env, wait_healthy=False)
        restarts += 1
        time.sleep(2.0)
        if consumer.process.poll() is None:
            break
    dead = amqp_admin.get(f"{probe_name}_consumer.on_recorded.dlq", 1, timeout=10)
    assert len(dead) == 1 and dead[0].body["id"] == crash.id
    assert dead[0].headers["x-death"][0]["reason"] == "delivery_limit"
    assert attempts_of(log, crash.id) == 3  # first delivery + 2
    consumer.wait_until_serving()


def test_the_readme_pika_subscriber_example_receives_an_event(database_url, probe_name, amqp_admin, processes):
    import subprocess
    import sys

    from tests.conftest import AMQP_URI, ROOT
    producer = processes(PRODUCER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url})
    queue = f"{probe_name}_department.records"
    example = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "subscribe_with_pika.py"), "--amqp-uri", AMQP_URI,
         "--exchange", f"{probe_name}_producer.events", "--bind", "probe.recorded", "--queue", queue,
         "--count", "1"], stdout=subprocess.PIPE, text=True)
    try:
        assert "listening on" in example.stdout.readline()
        created = post_record(producer, "给公安局").json()
        printed = json.loads(example.stdout.readline())
        assert example.wait(15) == 0
        assert printed["id"] == created["event_id"] and printed["data"]["value"] == "给公安局"
    finally:
        example.kill()
        amqp_admin.channel.queue_delete(queue)


def test_one_poison_message_in_a_burst_neither_blocks_nor_duplicates_the_others(
        database_url, probe_name, amqp_admin, processes, tmp_path):
    """Deliveries that arrive together are handled in one transaction; when one of them fails, the
    batch is rolled back and each is handled on its own: the good ones once, the bad one retried."""
    log = tmp_path / "attempts.log"
    processes(PRODUCER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url})
    consumer = processes(CONSUMER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url,
                                    "EVENT_MAX_RETRIES": "2", "PROBE_ATTEMPTS_FILE": str(log)})
    consumer.stop()  # let the burst pile up in the queue, so it is delivered together
    exchange = f"{probe_name}_producer.events"
    good = [_probe_event(probe_name, f"good-{i}") for i in range(30)]
    poison = _probe_event(probe_name, "fail: in the middle")
    for event in good[:15] + [poison] + good[15:]:
        amqp_admin.publish_raw(exchange, "probe.recorded", event.to_json())
    consumer.start()

    dead = amqp_admin.get(f"{probe_name}_consumer.on_recorded.dlq", 1, timeout=20)
    assert [m.body["id"] for m in dead] == [poison.id]
    assert wait_for(lambda: count_rows(database_url, effects) == 30)
    time.sleep(0.5)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        handled = [row.event_id for row in conn.execute(select(effects.c.event_id).order_by(effects.c.id))]
    engine.dispose()
    assert handled == [e.id for e in good]  # each once, in delivery order
    # How deliveries group into batches depends on how the broker's frames arrive, so the counts are
    # ranges: a good event is tried once, or twice when its batch held the poison and was rolled back;
    # the poison is tried (in its batch,) alone, and once more after the retry delay: bounded.
    assert all(1 <= attempts_of(log, e.id) <= 2 for e in good)
    assert attempts_of(log, poison.id) in (2, 3)
