"""A district's work against the whole platform, then the invariant checker; optionally under faults.

    python -m bench.district --cases 2000                 # the run, its figures and the invariants
    python -m bench.district --cases 500 --chaos          # the same under faults (SIGKILL a service,
                                                          # restart the broker, restart PostgreSQL)
    python -m bench.district --cases 300 --steady 100     # plus 100 lifecycles paced at 5/s first

The four services run as real processes (own vhost, scratch PostgreSQL databases, or SQLite with
``--backend sqlite``); another department's plain-pika subscriber records every event. Exit status 0
only when every invariant holds. Figures go to ``bench/results/district.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform as host
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from bench.backbone import Cleanup, log, percentile
from bench.cpu import CpuSampler
from bench.district import invariants
from bench.district.client import Api
from bench.district.platform import SERVICES, Platform, restart_broker, restart_postgresql, start_recorder
from bench.district.scenario import District

RESULTS = Path(__file__).resolve().parents[1] / "results" / "district.json"
FAULTS = ("kill_service", "restart_broker", "restart_postgresql")


class Chaos:
    """Injects faults at random moments while the cases run, round-robin over the kinds so each kind
    gets its share; logs what it did and how long the platform took to come back."""

    def __init__(self, platform: Platform, *, per_kind: int, interval: float, seed: int,
                 kinds: tuple[str, ...] = FAULTS):
        self.platform = platform
        self.kinds = [k for k in kinds if k != "restart_postgresql" or platform.backend == "postgresql"]
        self.per_kind = per_kind
        self.interval = interval
        self.rng = random.Random(seed)
        self.victims = self.rng.sample(SERVICES, len(SERVICES))
        self.log: list[dict] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="chaos", daemon=True)

    def start(self) -> "Chaos":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(600)

    def done(self) -> bool:
        return all(sum(1 for f in self.log if f["kind"] == k) >= self.per_kind for k in self.kinds)

    def _run(self) -> None:
        turn = 0
        while not self._stop.wait(self.rng.uniform(0.5, 1.5) * self.interval):
            if self.done():
                continue
            kind = self.kinds[turn % len(self.kinds)]
            turn += 1
            started = time.monotonic()
            target = ""
            try:
                if kind == "kill_service":  # every service in turn, in an order the seed shuffles
                    kills = sum(1 for f in self.log if f["kind"] == "kill_service")
                    target = self.victims[kills % len(self.victims)]
                    self.platform.kill_and_restart(target)
                elif kind == "restart_broker":
                    restart_broker()
                else:
                    restart_postgresql()
                outcome = "recovered"
            except Exception as exc:  # noqa: BLE001 - the log says what went wrong; the checker judges
                outcome = f"failed: {exc!r}"
            entry = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "kind": kind,
                     "target": target, "seconds": round(time.monotonic() - started, 1), "outcome": outcome}
            self.log.append(entry)
            log(f"fault {len(self.log)}: {kind} {target} ({entry['seconds']} s, {outcome})")


def run_cases(district: District, count: int, *, workers: int, rate: float | None,
              until=lambda: True, alive=lambda: None) -> tuple[list, float]:
    """``count`` lifecycles (paced at ``rate`` per second, or as fast as ``workers`` allow); then more,
    ``workers`` at a time, until ``until()`` holds (a chaos run keeps cases going through every fault).
    ``alive()`` raises when the platform broke (a service exited by itself)."""
    started = time.monotonic()
    flows: list = []
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = []
        for n in range(count):
            if rate:
                wait = started + n / rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            futures.append(pool.submit(district.run_one))
        while not until():
            alive()
            running = [f for f in futures if not f.done()]
            flows += [f.result() for f in futures if f.done()]
            futures = running + [pool.submit(district.run_one) for _ in range(workers - len(running))]
            time.sleep(0.2)
        for future in futures:
            while not future.done():
                alive()
                time.sleep(0.2)
            flows.append(future.result())
            if len(flows) % 100 == 0:
                log(f"{len(flows)} cases done")
    except BaseException:
        district.api.stopped = True  # the pool's threads give up instead of holding the exit
        raise
    finally:
        pool.shutdown(wait=True)
    return flows, time.monotonic() - started


def latencies(sent, events, since: float, until: float) -> dict:
    """Seconds from an HTTP command to the subscriber receiving the event it caused."""
    arrivals = defaultdict(list)
    for event in events:
        arrivals[(event["correlationid"], event["type"])].append(event["received_at"])
    for times in arrivals.values():
        times.sort()
    samples = []
    for command in sent:
        if not since <= command.sent_at <= until:
            continue
        later = [t for t in arrivals.get((command.correlation, command.expects), []) if t >= command.sent_at - 0.005]
        if later:
            samples.append((later[0] - command.sent_at) * 1000)
    return {"samples": len(samples), "p50_ms": percentile(samples, 50), "p99_ms": percentile(samples, 99),
            "max_ms": max(samples) if samples else None}


def quiesce(platform: Platform, log_path: Path, timeout: float = 300) -> None:
    """Wait until every outbox is empty and the subscriber's log stops growing."""
    import requests
    deadline = time.monotonic() + timeout
    size, still = -1, 0
    while time.monotonic() < deadline:
        pending = 0
        for name, url in platform.urls.items():
            try:
                text = requests.get(url + "/metrics", timeout=5).text
                pending += sum(float(line.split()[-1]) for line in text.splitlines()
                               if line.startswith("amr_outbox_pending{"))
            except Exception:  # noqa: BLE001
                pending += 1
        current = log_path.stat().st_size if log_path.exists() else 0
        still = still + 1 if (current == size and pending == 0) else 0
        size = current
        if still >= 6:
            return
        time.sleep(0.5)
    log("the platform did not quiesce within the timeout; checking anyway")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.district", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="lifecycles at full speed (default 2000)")
    parser.add_argument("--steady", type=int, default=0, help="lifecycles paced at --rate first (latency)")
    parser.add_argument("--rate", type=float, default=5.0, help="paced lifecycles per second (default 5)")
    parser.add_argument("--workers", type=int, default=24, help="concurrent lifecycles at full speed")
    parser.add_argument("--entities", type=int, default=300, help="entities registered through the API")
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--chaos", action="store_true", help="inject faults while the cases run")
    parser.add_argument("--faults", type=int, default=10, help="with --chaos: faults of each kind (default 10)")
    parser.add_argument("--fault-interval", type=float, default=3.0, help="with --chaos: mean seconds between faults")
    parser.add_argument("--fault-kinds", default=",".join(FAULTS),
                        help=f"with --chaos: which faults, comma-separated (default {','.join(FAULTS)})")
    parser.add_argument("--raw-events", type=int, default=20000, help="raw broker ceiling messages (0: skip)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, event log, manifest)")
    args = parser.parse_args(argv)

    def on_term(signum, frame):  # clean up (processes, vhost, databases) when stopped
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_term)
    workdir = Path(tempfile.mkdtemp(prefix="district-"))
    cleanup = Cleanup()
    figures: dict = {"backend": args.backend, "chaos": args.chaos}
    ok = False
    try:
        platform = Platform(args.backend, workdir, cleanup)
        platform.start()
        log_path = workdir / "events.jsonl"
        recorder = start_recorder(platform, log_path, cleanup)
        baseline = invariants.published_counters(Api(platform.urls))  # e.g. the seed marks, before it
        api = Api(platform.urls)
        district = District(api, seed=args.seed, entities=args.entities)
        log(f"registering {args.entities} entities; logs in {workdir}")
        district.register_entities()
        expected_inspections = int((args.cases + args.steady) * 0.06) + 5
        district.prepare_inspections(expected_inspections)

        phases = {}
        if args.steady:
            log(f"steady: {args.steady} lifecycles at {args.rate}/s")
            since = time.time()
            flows, seconds = run_cases(district, args.steady, workers=max(args.workers, 64), rate=args.rate,
                                       alive=platform.check_alive)
            phases["steady"] = {"lifecycles": len(flows), "seconds": round(seconds, 1), "since": since,
                                "until": time.time()}
        chaos = Chaos(platform, per_kind=args.faults, interval=args.fault_interval, seed=args.seed,
                      kinds=tuple(k for k in args.fault_kinds.split(",") if k in FAULTS)).start() \
            if args.chaos else None
        log(f"full speed: {args.cases} lifecycles, {args.workers} at a time" + (" under faults" if chaos else ""))
        since = time.time()
        cpu = CpuSampler({name: process.popen.pid for name, process in platform.processes.items()}
                         | {"subscriber (pika)": recorder.popen.pid}).start()
        flows, seconds = run_cases(district, args.cases, workers=args.workers, rate=None,
                                   until=chaos.done if chaos else (lambda: True),
                                   alive=platform.supervise if chaos else platform.check_alive)
        phases["max"] = {"lifecycles": len(flows), "seconds": round(seconds, 1), "since": since, "until": time.time(),
                         "cpu": cpu.stop(len(flows))}
        if chaos:
            chaos.stop()
        peaks = platform.peak_rss_mb()
        quiesce(platform, log_path)

        manifest = [f.as_dict() for f in district.flows]
        (workdir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        report = invariants.check(manifest, log_path, api, district.staff, restarted=bool(chaos and chaos.log),
                                  baseline=baseline)
        events, _ = invariants.read_log(log_path)
        for name, phase in phases.items():
            in_phase = [e for e in events if phase["since"] <= e["received_at"] <= phase["until"] + 5]
            completed = sum(1 for f in district.flows if not f.error)
            phase.update(lifecycles_per_second=round(phase["lifecycles"] / phase["seconds"], 2),
                         events_per_second=round(len(in_phase) / phase["seconds"], 1),
                         latency=latencies(api.sent, events, phase["since"], phase["until"]),
                         completed_without_error=completed)
        figures.update(phases=phases, peak_rss_mb=peaks, invariants=report.checks, checker=report.figures,
                       retries=api.retries, faults=chaos.log if chaos else [],
                       unplanned_restarts=platform.unplanned,
                       kinds=dict(sorted(_count(f.kind for f in district.flows).items())))
        if args.raw_events:
            from bench.backbone import run_raw_pika
            raw = run_raw_pika(platform.run_id, args.raw_events, 200.0, 3.0, workdir, cleanup)
            figures["raw_broker_msgs_per_second"] = round(raw[0].rate, 1)
        print(render(figures, report))
        ok = report.ok and (not chaos or chaos.done())
        return 0 if ok else 1
    finally:
        if "api" in locals():
            api.stopped = True  # threads still waiting on the platform give up
        cleanup.run()
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                       "machine": {"cpus": os.cpu_count(), "python": host.python_version()},
                                       **_plain(figures)}, indent=2, ensure_ascii=False, default=str) + "\n")
        if args.keep or not ok:
            log(f"work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _count(items) -> dict:
    counts: dict = defaultdict(int)
    for item in items:
        counts[item] += 1
    return counts


def _plain(figures: dict) -> dict:
    return json.loads(json.dumps(figures, default=str))


def render(figures: dict, report: invariants.Report) -> str:
    lines = [f"\nDistrict run ({figures['backend']}{', chaos' if figures['chaos'] else ''}, {os.cpu_count()} CPUs)"]
    lines.append("  case mix: " + ", ".join(f"{k} {v}" for k, v in figures["kinds"].items()))
    for name, phase in figures["phases"].items():
        lat = phase["latency"]
        lines.append(f"  {name:>6}: {phase['lifecycles']} lifecycles in {phase['seconds']} s = "
                     f"{phase['lifecycles_per_second']}/s, {phase['events_per_second']} events/s; "
                     f"command→subscriber p50 {_ms(lat['p50_ms'])} p99 {_ms(lat['p99_ms'])} "
                     f"({lat['samples']} samples)")
    cpu = figures["phases"].get("max", {}).get("cpu") or {}
    if cpu:
        lines.append(f"  CPU per lifecycle at full speed (machine {cpu['machine_busy_pct']:.0f}% busy): " + ", ".join(
            f"{k} {v:.0f} ms" for k, v in cpu["cpu_ms_per_event"].items() if v >= 0.5))
    lines.append("  peak RSS: " + ", ".join(f"{k} {v:.0f} MB" for k, v in figures["peak_rss_mb"].items()))
    if "raw_broker_msgs_per_second" in figures:
        events = max((p["events_per_second"] for p in figures["phases"].values()), default=0)
        lines.append(f"  raw broker ceiling: {figures['raw_broker_msgs_per_second']} msgs/s; platform events/s at "
                     f"full speed / ceiling = {events / figures['raw_broker_msgs_per_second']:.3f}")
    lines.append(f"  client retries: {figures['retries']}; events {report.figures['events']}, "
                 f"redelivered to the subscriber {report.figures['redelivered']}")
    if figures["faults"]:
        lines.append(f"  fault log ({len(figures['faults'])}):")
        lines += [f"    {f['at']} {f['kind']:<18} {f['target']:<14} {f['seconds']:>5} s  {f['outcome']}"
                  for f in figures["faults"]]
    if figures.get("unplanned_restarts"):
        lines.append(f"  services that exited by themselves and were started again (as a supervisor would): "
                     f"{len(figures['unplanned_restarts'])}")
        lines += [f"    {u['at']} {u['service']} (exit code {u['code']}, log {u['log']})"
                  for u in figures["unplanned_restarts"]]
    lines.append("  invariants:")
    lines.append(report.render())
    return "\n".join(lines)


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f} ms"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
