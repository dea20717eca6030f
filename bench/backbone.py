"""Backbone benchmark: ``python -m bench.backbone [--backend sqlite|postgresql|both] [--events N] [--quick]``.

Measures events/s and publish-to-handled latency through our backbone (UnitOfWork -> outbox ->
OutboxRelay -> RabbitMQ quorum queue -> @subscribe -> inbox + effect row in one transaction), on
SQLite and on PostgreSQL, next to two baselines measured in the same run: raw pika (persistent,
windowed confirms, quorum queue, manual acks) and nameko's own EventDispatcher -> @event_handler.
See bench/README.md. It prints a table and writes bench/results/latest.json.

Every phase is bounded (``PHASE_TIMEOUT``); processes, databases, queues and exchanges it created
are removed at the end, whatever happens (names are unique per run: ``bench<hex>``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pika
import requests
from sqlalchemy import create_engine, func, select as sql_select, text

from bench import rawpika
from bench.cpu import CpuSampler
from bench.tables import backbone, effects
from shared.config import DEFAULT_AMQP_URI
from shared.db import make_engine, upgrade_to_head
from shared.events.amqp import connect, declare_exchange
from shared.events.outbox import OutboxRelay
from shared.store import CATALOG, FlowContext, UnitOfWork

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
MIGRATIONS = BENCH_DIR / "migrations"
RESULTS = BENCH_DIR / "results" / "latest.json"
CATALOG.add_directory(BENCH_DIR / "schemas")

AMQP_URI = os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_URL_PREFIX = PG_ADMIN_URL.rsplit("/", 1)[0] + "/"
PHASE_TIMEOUT = 180.0
EVENT_TYPE = "bench.measured"
PAYLOAD = "x" * 100          # same data payload on every path
WARMUP_EVENTS = 200
# seq ranges per phase, so one effects table tells the phases apart
SEQ_WARMUP, SEQ_THROUGHPUT, SEQ_LATENCY, SEQ_STAGES = 0, 1_000_000, 2_000_000, 3_000_000


class BenchError(RuntimeError):
    pass


@dataclass
class Result:
    path: str
    backend: str
    phase: str                 # "throughput" or "latency@<rate>/s"
    events: int
    seconds: float
    rate: float                # events/s end to end
    p50_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    stages: dict = field(default_factory=dict)
    note: str = ""


# -- small helpers -----------------------------------------------------------------------------

def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def latency_summary(seconds: list[float]) -> dict:
    ms = [s * 1000.0 for s in seconds]
    return {"p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99), "max_ms": max(ms) if ms else None}


def epoch(value: datetime) -> float:
    if value.tzinfo is None:  # SQLite gives naive UTC back
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1, alive=None):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if alive is not None:
            alive()
        if time.monotonic() > deadline:
            raise BenchError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


class Cleanup:
    """Clean-up actions, run last-in first-out; one failing does not stop the others."""

    def __init__(self):
        self._actions: list[tuple[str, object]] = []

    def push(self, label: str, action) -> None:
        self._actions.append((label, action))

    def run(self) -> None:
        while self._actions:
            label, action = self._actions.pop()
            try:
                action()
            except Exception as exc:  # keep cleaning
                log(f"clean-up '{label}' failed: {exc!r}")


class Process:
    """A child process with its output in a log file; stopped (then killed) at clean-up."""

    def __init__(self, label: str, argv: list[str], env: dict, log_dir: Path, stdout_pipe: bool = False):
        self.label = label
        self.log_path = log_dir / f"{label}.log"
        self._log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            argv, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=subprocess.PIPE if stdout_pipe else self._log, stderr=self._log,
            start_new_session=True)

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise BenchError(f"{self.label} exited with {self.popen.returncode}:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def read_json_line(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.popen.stdout], [], [], 0.5)
            if ready:
                line = self.popen.stdout.readline()
                if line:
                    return json.loads(line)
                self.check_alive()
        raise BenchError(f"{self.label}: no answer within {timeout:.0f}s\n{self.tail()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)  # its own session: only this child's group
                self.popen.wait(10)
        if self.popen.stdout:
            self.popen.stdout.close()
        self._log.close()


def start_service(label: str, target: str, env: dict, log_dir: Path, cleanup: Cleanup) -> tuple[Process, str]:
    port = free_port()
    process = Process(label, [sys.executable, "-m", "shared.runner", target],
                      {"AMQP_URI": AMQP_URI, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(port), **env}, log_dir)
    cleanup.push(f"stop {label}", process.stop)
    url = f"http://127.0.0.1:{port}"

    def healthy():
        try:
            return requests.get(url + "/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_until(healthy, 60, f"{label} /health", alive=process.check_alive)
    return process, url


# -- AMQP topology -------------------------------------------------------------------------------

def queue_exists(queue: str) -> bool:
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URI))
    try:
        connection.channel().queue_declare(queue, passive=True)
        return True
    except pika.exceptions.ChannelClosedByBroker:
        return False
    finally:
        if connection.is_open:
            connection.close()


def queue_depths(queues: list[str]) -> dict[str, int]:
    depths = {}
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URI))
    try:
        for queue in queues:
            try:
                channel = connection.channel()
                depths[queue] = channel.queue_declare(queue, passive=True).method.message_count
                channel.close()
            except pika.exceptions.ChannelClosedByBroker:
                pass
    finally:
        connection.close()
    return depths


def delete_topology(queues: list[str], exchanges: list[str]) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URI))
    try:
        for kind, names in (("queue", queues), ("exchange", exchanges)):
            for name in names:
                try:
                    channel = connection.channel()
                    channel.queue_delete(name) if kind == "queue" else channel.exchange_delete(name)
                    channel.close()
                except pika.exceptions.ChannelClosedByBroker:
                    pass
    finally:
        connection.close()


# -- databases -------------------------------------------------------------------------------------

def create_pg_database(name: str) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL_PREFIX + name


def drop_pg_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# -- our path: outbox -> relay -> broker -> @subscribe -> inbox ------------------------------------

class OurPath:
    def __init__(self, backend: str, run_id: str, workdir: Path, cleanup: Cleanup):
        self.backend = backend
        self.name = f"{run_id}{backend[0]}"           # bench<hex>s / bench<hex>p
        self.producer = f"{self.name}_producer"
        self.consumer = f"{self.name}_consumer"
        self.queue = f"{self.consumer}.on_measured"
        self.workdir = workdir
        self.cleanup = cleanup

    def topology(self) -> tuple[list[str], list[str]]:
        queues = [self.queue, f"{self.queue}.retry", f"{self.queue}.dlq",
                  f"{self.producer}.events.unrouted", f"{self.consumer}.events.unrouted"]
        exchanges = [f"{self.producer}.events", f"{self.producer}.events.unrouted",
                     f"{self.consumer}.events", f"{self.consumer}.events.unrouted"]
        return queues, exchanges

    def setup(self) -> None:
        cleanup = self.cleanup
        if self.backend == "sqlite":
            producer_url = f"sqlite:///{self.workdir / (self.producer + '.db')}"
            consumer_url = f"sqlite:///{self.workdir / (self.consumer + '.db')}"
        else:
            producer_url = create_pg_database(self.producer)
            cleanup.push(f"drop database {self.producer}", lambda: drop_pg_database(self.producer))
            consumer_url = create_pg_database(self.consumer)
            cleanup.push(f"drop database {self.consumer}", lambda: drop_pg_database(self.consumer))
        cleanup.push("delete our exchanges and queues", lambda: delete_topology(*self.topology()))

        upgrade_to_head(producer_url, MIGRATIONS)
        self.engine = make_engine(producer_url)
        cleanup.push("dispose producer engine", self.engine.dispose)
        connection = connect(AMQP_URI)
        try:
            declare_exchange(connection.channel(), self.producer)   # before the consumer binds to it
        finally:
            connection.close()

        self.consumer_url = consumer_url
        self.start_consumer()
        self.consumer_engine = make_engine(consumer_url)
        cleanup.push("dispose consumer engine", self.consumer_engine.dispose)
        self.relay = None
        cleanup.push("stop relay", self.stop_relay)
        self.start_relay()

    def start_consumer(self) -> None:
        self.process, _ = start_service(
            f"{self.consumer}", "bench.service:Consumer",
            {"BENCH_NAME": self.name, "DATABASE_URL": self.consumer_url}, self.workdir, self.cleanup)
        wait_until(lambda: queue_exists(self.queue), 30, f"queue {self.queue}", interval=0.2,
                   alive=self.process.check_alive)

    def start_relay(self) -> None:
        self.relay = OutboxRelay(service=self.producer, engine=self.engine, outbox=backbone["outbox"],
                                 amqp_uri=AMQP_URI, poll_seconds=1.0)
        self.relay_thread = threading.Thread(target=self.relay.run, name="outbox-relay", daemon=True)
        self.relay_thread.start()

    def stop_relay(self) -> None:
        relay, self.relay = self.relay, None
        if relay is not None:
            relay.stop()
            self.relay_thread.join(15)

    def commit_one(self, seq: int) -> None:
        with UnitOfWork(service=self.producer, engine=self.engine, tables=backbone, catalog=CATALOG,
                        context=FlowContext(), on_commit_with_events=self.relay.wake if self.relay else None) as uow:
            uow.publish(EVENT_TYPE, subject=f"bench-{seq}", data={"seq": seq, "payload": PAYLOAD})

    def produce(self, first_seq: int, count: int, rate: float | None = None,
                producers: int = 1) -> tuple[float, float]:
        """Commit ``count`` events, one unit of work each, from ``producers`` threads (each as fast as
        it can, or all together paced at ``rate``/s); return (start, end) epoch seconds."""
        deadline = time.monotonic() + PHASE_TIMEOUT
        errors: list[BaseException] = []
        started = time.time()

        def loop(offset: int) -> None:
            try:
                for n, i in enumerate(range(offset, count, producers)):
                    if rate is not None:
                        delay = started + i / rate - time.time()
                        if delay > 0:
                            time.sleep(delay)
                    self.commit_one(first_seq + i)
                    if n % 500 == 499 and (errors or time.monotonic() > deadline):
                        raise BenchError(f"producing {count} events took over {PHASE_TIMEOUT:.0f}s")
            except BaseException as exc:
                errors.append(exc)

        if producers == 1:
            loop(0)
        else:
            threads = [threading.Thread(target=loop, args=(k,), name=f"producer-{k}", daemon=True)
                       for k in range(producers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(max(1.0, deadline - time.monotonic() + 5))
            if any(thread.is_alive() for thread in threads):
                errors.append(BenchError("producer threads did not finish in time"))
        if errors:
            raise errors[0]
        self.process.check_alive()
        return started, time.time()

    def handled(self, first_seq: int, count: int) -> int:
        with self.consumer_engine.connect() as conn:
            return conn.execute(sql_select(func.count()).select_from(effects).where(
                effects.c.seq >= first_seq, effects.c.seq < first_seq + count)).scalar()

    def wait_handled(self, first_seq: int, count: int) -> None:
        wait_until(lambda: self.handled(first_seq, count) >= count, PHASE_TIMEOUT,
                   f"{count} events handled by {self.consumer}", interval=0.2, alive=self.process.check_alive)

    def effect_rows(self, first_seq: int, count: int):
        with self.consumer_engine.connect() as conn:
            return conn.execute(sql_select(effects.c.event_id, effects.c.event_time, effects.c.handled_at).where(
                effects.c.seq >= first_seq, effects.c.seq < first_seq + count)).all()

    def outbox_rows(self, since: float):
        outbox = backbone["outbox"]
        with self.engine.connect() as conn:
            return conn.execute(sql_select(outbox.c.event_id, outbox.c.created_at, outbox.c.published_at).where(
                outbox.c.created_at >= datetime.fromtimestamp(since, timezone.utc))).all()

    def pending(self) -> int:
        outbox = backbone["outbox"]
        with self.engine.connect() as conn:
            return conn.execute(sql_select(func.count()).select_from(outbox).where(
                outbox.c.published_at.is_(None))).scalar()

    def isolated_stages(self, count: int) -> dict:
        """Each stage alone, on a machine otherwise quiet: producer commits with no relay running;
        the relay draining that backlog (500-event batches) while the consumer is stopped; then a
        fresh consumer process draining the queue."""
        label = f"ours ({self.backend})"
        log(f"{label}: isolated stages, {count} events: producer alone")
        self.stop_relay()
        cpu = CpuSampler().start()
        started, committed = self.produce(SEQ_STAGES, count)
        out = {"events": count, "producer_alone_per_s": count / (committed - started),
               "producer_alone_cpu": cpu.stop(count)}
        log(f"{label}: isolated stages: relay alone (consumer stopped)")
        self.process.stop()
        cpu = CpuSampler().start()
        started = time.time()
        self.start_relay()
        wait_until(lambda: self.pending() == 0, PHASE_TIMEOUT, "the relay to drain the outbox", interval=0.05)
        published = [epoch(r.published_at) for r in self.outbox_rows(started - 3600) if r.published_at]
        out["relay_alone_per_s"] = count / (max(published) - started)
        out["relay_alone_cpu"] = cpu.stop(count)
        log(f"{label}: isolated stages: consumer alone (draining {count} queued events)")
        self.start_consumer()
        cpu = CpuSampler({"consumer service": self.process.popen.pid}).start()
        since = time.time()
        self.wait_handled(SEQ_STAGES, count)
        handled = sorted(epoch(r.handled_at) for r in self.effect_rows(SEQ_STAGES, count))
        window = [t for t in handled if t >= since]
        out["consumer_alone_per_s"] = len(window) / max(1e-9, handled[-1] - since)
        out["consumer_alone_cpu"] = cpu.stop(max(1, len(window)))
        return out

    def run(self, events: int, latency_rate: float, latency_seconds: float, producers: int,
            stage_events: int) -> list[Result]:
        self.setup()
        label = f"ours ({self.backend})"
        log(f"{label}: warm-up, {WARMUP_EVENTS} events")
        self.produce(SEQ_WARMUP, WARMUP_EVENTS)
        self.wait_handled(SEQ_WARMUP, WARMUP_EVENTS)

        log(f"{label}: throughput, {events} events, one unit of work each, {producers} producer thread(s)")
        cpu = CpuSampler({"consumer service": self.process.popen.pid}).start()
        started, committed = self.produce(SEQ_THROUGHPUT, events, producers=producers)
        self.wait_handled(SEQ_THROUGHPUT, events)
        cpu = cpu.stop(events)
        rows = self.effect_rows(SEQ_THROUGHPUT, events)
        handled = [epoch(r.handled_at) for r in rows]
        finished = max(handled)
        outbox = self.outbox_rows(started)
        published = [epoch(r.published_at) for r in outbox if r.published_at is not None]
        seconds = finished - started
        stages = {
            "producer_commits_per_s": events / (committed - started),
            "producer_commit_seconds": committed - started,
            "relay_published_per_s": len(published) / (max(published) - started),
            "relay_done_after_s": max(published) - started,
            # one UPDATE per pass stamps one published_at: distinct values = relay passes
            "relay_passes": len(set(published)),
            "relay_mean_batch": len(published) / max(1, len(set(published))),
            "consumer_handled_per_s": events / (finished - min(handled)),
            "consumer_first_handled_after_s": min(handled) - started,
            **{f"latency_under_load_{k}": v for k, v in latency_summary(
                [epoch(r.handled_at) - epoch(r.event_time) for r in rows]).items()},
            "producer_threads": producers,
            "cpu": cpu,
        }
        results = [Result("ours", self.backend, "throughput", events, seconds, events / seconds, stages=stages,
                          note="one UnitOfWork (outbox row) per event -> OutboxRelay -> quorum queue -> "
                               "@subscribe -> effect row + inbox row in one transaction")]

        count = int(latency_rate * latency_seconds)
        log(f"{label}: latency, {count} events paced at {latency_rate:.0f}/s")
        started, _ = self.produce(SEQ_LATENCY, count, rate=latency_rate)
        self.wait_handled(SEQ_LATENCY, count)
        rows = self.effect_rows(SEQ_LATENCY, count)
        times = {r.event_id: epoch(r.event_time) for r in rows}
        latencies = [epoch(r.handled_at) - epoch(r.event_time) for r in rows]
        finished = max(epoch(r.handled_at) for r in rows)
        relay = [epoch(r.published_at) - times[r.event_id] for r in self.outbox_rows(started)
                 if r.event_id in times and r.published_at is not None]
        stages = {f"commit_to_confirmed_{k}": v for k, v in latency_summary(relay).items()}
        results.append(Result("ours", self.backend, f"latency@{latency_rate:.0f}/s", count, finished - started,
                              count / (finished - started), **latency_summary(latencies), stages=stages,
                              note="handled_at - event.time (event.time has ms resolution)"))

        if stage_events:
            results[0].stages["isolated"] = self.isolated_stages(stage_events)

        queues, _ = self.topology()
        stray = {q: n for q, n in queue_depths(queues).items() if n}
        if stray:
            log(f"{label}: WARNING messages left in {stray}")
            results[0].stages["left_in_queues"] = stray
        return results


# -- baseline 1: raw pika ------------------------------------------------------------------------------

def run_raw_pika(run_id: str, events: int, latency_rate: float, latency_seconds: float, workdir: Path,
                 cleanup: Cleanup) -> list[Result]:
    queue = f"{run_id}_raw"
    cleanup.push("delete raw pika queue", lambda: delete_topology([queue], []))
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URI))
    connection.channel().queue_declare(queue, durable=True, arguments=rawpika.QUEUE_ARGUMENTS)
    connection.close()

    def phase(name: str, count: int, rate: float | None) -> tuple[rawpika.WindowedPublisher, dict]:
        consumer = Process(f"raw-pika-consumer-{name}", [
            sys.executable, "-m", "bench.rawpika", "consume", "--uri", AMQP_URI, "--queue", queue,
            "--count", str(count), "--timeout", str(PHASE_TIMEOUT)], {}, workdir, stdout_pipe=True)
        cleanup.push(f"stop raw pika consumer {name}", consumer.stop)
        consumer.read_json_line(30)  # ready
        cpu = CpuSampler({"raw pika consumer": consumer.popen.pid}).start()
        publisher = rawpika.WindowedPublisher(AMQP_URI, queue, count, PAYLOAD, window=1000, rate=rate,
                                              phase=name, timeout=PHASE_TIMEOUT).run()
        stats = consumer.read_json_line(PHASE_TIMEOUT)
        stats["cpu"] = cpu.stop(count)
        consumer.stop()
        if stats["count"] < count or publisher.nacked:
            raise BenchError(f"raw pika {name}: {stats['count']}/{count} consumed, {publisher.nacked} nacked")
        return publisher, stats

    log(f"raw pika: throughput, {events} messages")
    publisher, stats = phase("throughput", events, None)
    seconds = stats["last"] - publisher.started
    results = [Result("raw pika", "-", "throughput", events, seconds, events / seconds, stages={
        "publisher_confirmed_per_s": events / (publisher.finished - publisher.started),
        "cpu": stats["cpu"],
        **{f"latency_under_load_{k}": v for k, v in latency_summary(stats["latencies"]).items()}},
        note="quorum queue, delivery_mode=2, <=1000 unconfirmed in flight, prefetch 200, manual acks")]
    count = int(latency_rate * latency_seconds)
    log(f"raw pika: latency, {count} messages paced at {latency_rate:.0f}/s")
    publisher, stats = phase("latency", count, latency_rate)
    seconds = stats["last"] - publisher.started
    results.append(Result("raw pika", "-", f"latency@{latency_rate:.0f}/s", count, seconds, count / seconds,
                          **latency_summary(stats["latencies"]), note="receive time - publish time"))
    return results


# -- baseline 2: nameko's EventDispatcher -> @event_handler ------------------------------------------

def run_nameko(run_id: str, events: int, latency_rate: float, latency_seconds: float, workdir: Path,
               cleanup: Cleanup) -> list[Result]:
    from nameko.standalone.events import event_dispatcher

    name = f"{run_id}n"
    source = f"{name}_nk_src"
    queue = f"evt-{source}-{EVENT_TYPE}--{name}_nk_sink.on_measured"
    cleanup.push("delete nameko queue and exchange", lambda: delete_topology([queue], [f"{source}.events"]))
    process, url = start_service(f"{name}_nk_sink", "bench.nameko_baseline:Sink", {"BENCH_NAME": name},
                                 workdir, cleanup)
    wait_until(lambda: queue_exists(queue), 30, f"queue {queue}", interval=0.2, alive=process.check_alive)
    dispatch = event_dispatcher({"AMQP_URI": AMQP_URI, "serializer": "json"})

    def phase(phase_name: str, count: int, rate: float | None) -> tuple[float, dict]:
        deadline = time.monotonic() + PHASE_TIMEOUT
        cpu = CpuSampler({"nameko sink service": process.popen.pid}).start()
        started = time.time()
        for i in range(count):
            if rate is not None:
                delay = started + i / rate - time.time()
                if delay > 0:
                    time.sleep(delay)
            dispatch(source, EVENT_TYPE, {"phase": phase_name, "seq": i, "sent": time.time(), "payload": PAYLOAD})
            if i % 500 == 499 and time.monotonic() > deadline:
                raise BenchError(f"nameko dispatch of {count} took over {PHASE_TIMEOUT:.0f}s")
        dispatched = time.time()

        def done():
            stats = requests.get(f"{url}/stats/{phase_name}", timeout=5).json()
            return stats if stats["count"] >= count else None
        stats = wait_until(done, PHASE_TIMEOUT, f"nameko sink to count {count}", interval=0.2,
                           alive=process.check_alive)
        stats["dispatched_after_s"] = dispatched - started
        stats["cpu"] = cpu.stop(count)
        return started, stats

    log(f"nameko: warm-up, {WARMUP_EVENTS} events")
    phase("warmup", WARMUP_EVENTS, None)
    log(f"nameko: throughput, {events} events")
    started, stats = phase("throughput", events, None)
    seconds = stats["last"] - started
    results = [Result("nameko events", "-", "throughput", events, seconds, events / seconds, stages={
        "dispatcher_per_s": events / stats["dispatched_after_s"],
        "cpu": stats["cpu"],
        **{f"latency_under_load_{k}": v for k, v in latency_summary(stats["latencies"]).items()}},
        note="standalone event_dispatcher (confirms on, one at a time) -> classic queue -> "
             "@event_handler counting in memory (no DB), prefetch 20")]
    count = int(latency_rate * latency_seconds)
    log(f"nameko: latency, {count} events paced at {latency_rate:.0f}/s")
    started, stats = phase("latency", count, latency_rate)
    seconds = stats["last"] - started
    results.append(Result("nameko events", "-", f"latency@{latency_rate:.0f}/s", count, seconds, count / seconds,
                          **latency_summary(stats["latencies"]), note="handler time - dispatch call time"))
    return results


# -- report --------------------------------------------------------------------------------------------

def fmt(value, spec: str) -> str:
    if value is None:
        width = "".join(c for c in spec.split(".")[0] if c.isdigit())
        return "-".rjust(int(width or 0))
    return format(value, spec)


def report(results: list[Result], targets: dict) -> str:
    lines = [f"{'path':<15} {'backend':<11} {'phase':<15} {'events':>7} {'seconds':>8} {'events/s':>9} "
             f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"]
    lines.append("-" * len(lines[0]))
    for r in results:
        lines.append(f"{r.path:<15} {r.backend:<11} {r.phase:<15} {r.events:>7} {r.seconds:>8.2f} {r.rate:>9.0f} "
                     f"{fmt(r.p50_ms, '7.1f')} {fmt(r.p99_ms, '7.1f')} {fmt(r.max_ms, '7.1f')}")
    lines.append("")
    notes = {}
    for r in results:
        if r.phase == "throughput":
            notes.setdefault(r.path, r.note)
    for path, note in notes.items():
        lines.append(f"  {path}: {note}")
    lines.append("  latency rows: events paced at the given rate; p50/p99/max of publish -> handled")
    lines.append("")
    lines.append("stages of our throughput runs (same run):")
    for r in results:
        if r.path == "ours" and r.phase == "throughput":
            s = r.stages
            lines.append(
                f"  {r.backend:<10} producer commits {s['producer_commits_per_s']:.0f}/s; relay published all after "
                f"{s['relay_done_after_s']:.1f}s ({s['relay_published_per_s']:.0f}/s, {s['relay_passes']} passes, "
                f"{s['relay_mean_batch']:.1f} events/pass); consumer handled "
                f"{s['consumer_handled_per_s']:.0f}/s (first after {s['consumer_first_handled_after_s']:.2f}s); "
                f"latency under load p50 {fmt(s['latency_under_load_p50_ms'], '.0f')} ms")
            iso = s.get("isolated")
            if iso:
                lines.append(
                    f"  {r.backend:<10} each stage alone ({iso['events']} events): producer commits "
                    f"{iso['producer_alone_per_s']:.0f}/s, relay publishes {iso['relay_alone_per_s']:.0f}/s, "
                    f"consumer handles {iso['consumer_alone_per_s']:.0f}/s")
        if r.path == "ours" and r.phase.startswith("latency"):
            s = r.stages
            lines.append(f"  {r.backend:<10} @rate: commit -> broker-confirmed p50 "
                         f"{fmt(s.get('commit_to_confirmed_p50_ms'), '.1f')} ms, p99 "
                         f"{fmt(s.get('commit_to_confirmed_p99_ms'), '.1f')} ms")
    lines.append("")
    lines.append("CPU per event during the throughput runs (ms of CPU, all processes on this machine):")
    for r in results:
        cpu = r.stages.get("cpu") if r.phase == "throughput" else None
        if cpu:
            parts = ", ".join(f"{g} {ms:.2f}" for g, ms in cpu["cpu_ms_per_event"].items() if ms >= 0.005)
            lines.append(f"  {r.path + ' ' + (r.backend if r.backend != '-' else ''):<22} machine "
                         f"{cpu['machine_busy_pct']:3.0f}% busy; {parts}")
    lines.append("")
    lines.append("ratios (throughput, events/s):")
    for key, value in targets["ratios"].items():
        lines.append(f"  {key:<34} {value:6.2f}")
    if targets["checks"]:
        lines.append("")
        lines.append("targets (PostgreSQL):")
        for key, (ok, detail) in targets["checks"].items():
            lines.append(f"  [{'met' if ok else 'MISSED'}] {key}: {detail}")
    return "\n".join(lines)


def evaluate(results: list[Result], latency_rate: float) -> dict:
    def find(path, backend, phase):
        return next((r for r in results if r.path == path and r.backend == backend and r.phase.startswith(phase)),
                    None)
    raw, nameko = find("raw pika", "-", "throughput"), find("nameko events", "-", "throughput")
    ratios, checks = {}, {}
    for backend in ("sqlite", "postgresql"):
        ours = find("ours", backend, "throughput")
        if ours is None:
            continue
        if raw:
            ratios[f"ours({backend}) / raw pika"] = ours.rate / raw.rate
        if nameko:
            ratios[f"ours({backend}) / nameko events"] = ours.rate / nameko.rate
    ours, lat = find("ours", "postgresql", "throughput"), find("ours", "postgresql", "latency")
    if ours:
        checks[">= 1000 events/s"] = (ours.rate >= 1000, f"{ours.rate:.0f} events/s")
        if raw:
            checks[">= 25% of raw pika"] = (ours.rate >= 0.25 * raw.rate, f"{100 * ours.rate / raw.rate:.0f}%")
        if nameko:
            checks["well above nameko events"] = (ours.rate >= 2 * nameko.rate,
                                                  f"{ours.rate / nameko.rate:.1f}x (counted as met from 2x)")
    if lat:
        checks[f"p99 < 50 ms at {latency_rate:.0f}/s"] = (lat.p99_ms is not None and lat.p99_ms < 50,
                                                          f"p99 {fmt(lat.p99_ms, '.1f')} ms")
    return {"ratios": ratios, "checks": checks}


# -- main --------------------------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backbone", description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--events", type=int, default=None, help="events per throughput run (default 20000)")
    parser.add_argument("--nameko-events", type=int, default=None, help="default 3000")
    parser.add_argument("--rate", type=float, default=200.0, help="paced rate of the latency runs (events/s)")
    parser.add_argument("--latency-seconds", type=float, default=None, help="default 10")
    parser.add_argument("--quick", action="store_true", help="2000 events, 3 s latency runs, 500 nameko events")
    parser.add_argument("--producers", type=int, default=1,
                        help="producer threads committing concurrently in the throughput runs (default 1)")
    parser.add_argument("--stage-events", type=int, default=None,
                        help="events for the isolated-stage runs (producer, relay, consumer each alone); "
                             "0 skips them (default 3000, 1000 with --quick)")
    parser.add_argument("--skip-baselines", action="store_true")
    args = parser.parse_args(argv)
    events = args.events or (2000 if args.quick else 20000)
    nameko_events = args.nameko_events or (500 if args.quick else 3000)
    latency_seconds = args.latency_seconds or (3.0 if args.quick else 10.0)
    stage_events = (1000 if args.quick else 3000) if args.stage_events is None else args.stage_events
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    run_id = f"bench{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix=f"{run_id}-"))
    cleanup = Cleanup()
    results: list[Result] = []
    failed = False

    def on_term(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_term)
    log(f"run {run_id}; logs in {workdir}")
    try:
        if not args.skip_baselines:
            results += run_raw_pika(run_id, events, args.rate, latency_seconds, workdir, cleanup)
            cleanup.run()
            results += run_nameko(run_id, nameko_events, args.rate, latency_seconds, workdir, cleanup)
            cleanup.run()
        for backend in backends:
            results += OurPath(backend, run_id, workdir, cleanup).run(events, args.rate, latency_seconds,
                                                                       args.producers, stage_events)
            cleanup.run()
    except BaseException as exc:
        failed = True
        log(f"benchmark failed: {exc!r}")
        raise
    finally:
        cleanup.run()
        if failed:
            log(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    targets = evaluate(results, args.rate)
    print(report(results, targets))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "run": run_id, "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {"events": events, "nameko_events": nameko_events, "latency_rate": args.rate,
                     "latency_seconds": latency_seconds, "payload_chars": len(PAYLOAD),
                     "producer_threads": args.producers},
        "results": [asdict(r) for r in results],
        "ratios": targets["ratios"],
        "targets": {k: {"met": ok, "detail": d} for k, (ok, d) in targets["checks"].items()},
    }, indent=2))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
