"""Register benchmark: ``python -m bench.inspections [--backend postgresql|sqlite] [--count N] [--draws K]``.

Registers the whole synthetic district (53,453 entities: 7,513 enterprises, 210 cooperatives, 45,730
individual businesses) into a running registration service's database with the import command,
measures how fast the entities reach enforcement's target library through the broker, then times
random-inspection draws (I-DRAW) over the full register through ``POST /inspections/draws`` and
their verification. Prints a table and writes ``bench/results/inspections.json``.

The services run as real processes in a RabbitMQ vhost of their own (``bench-<hex>``, deleted at the
end) with scratch databases (PostgreSQL databases dropped at the end, or SQLite files). Not a test:
it prints figures and checks nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import requests

from bench.backbone import (AMQP_URI, BenchError, Cleanup, create_pg_database, drop_pg_database, log,
                            start_service, wait_until)
from services.registration.domain.synthetic import DISTRICT_MIX, synthetic_register
from shared.http.auth import mint_token

RESULTS = Path(__file__).resolve().parent / "results" / "inspections.json"
SUPERVISOR = {"Authorization": "Bearer " + mint_token("BENCH-S", ["supervisor"], name="bench",
                                                       cert_no="B0", cert_expires="2099-12-31")}


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


def own_vhost(run_id: str, cleanup: Cleanup) -> str:
    if not shutil.which("rabbitmqctl"):
        log("rabbitmqctl not found: using the default vhost (stop `make up` first)")
        return AMQP_URI
    vhost = f"bench-{run_id}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    cleanup.push(f"delete vhost {vhost}", lambda: rabbitmqctl("delete_vhost", vhost))
    return AMQP_URI.rstrip("/") + "/" + quote(vhost, safe="")


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def database(backend: str, role: str, run_id: str, workdir: Path, cleanup: Cleanup) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / (role + '.db')}"
    name = f"{run_id}_{role}"
    url = create_pg_database(name)
    cleanup.push(f"drop {name}", lambda: drop_pg_database(name))
    return url


def run(backend: str, count: int | None, draws: int, inspectors: int, ratio: float) -> dict:
    run_id = f"bench{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix=f"{run_id}-"))
    cleanup = Cleanup()
    total = count if count is not None else sum(DISTRICT_MIX.values())
    figures: dict = {"backend": backend, "entities": total}
    try:
        amqp = own_vhost(run_id, cleanup)
        registration_db = database(backend, "registration", run_id, workdir, cleanup)
        enforcement_db = database(backend, "enforcement", run_id, workdir, cleanup)
        env = {"AMQP_URI": amqp, "DEADLINE_SCAN_SECONDS": "3600", "REGISTRATION_SCAN_SECONDS": "3600"}
        enforcement, enforcement_url = start_service("enforcement", "enforcement", {
            **env, "DATABASE_URL": enforcement_db}, workdir, cleanup)
        registration, registration_url = start_service("registration", "registration", {
            **env, "DATABASE_URL": registration_db}, workdir, cleanup)

        log(f"importing {total:,} entities into registration ({backend})")
        started = time.perf_counter()
        command = [sys.executable, "-m", "services.registration.importer", "--database-url", registration_db]
        if count is not None:
            command += ["--count", str(count)]
        subprocess.run(command, check=True, cwd=Path(__file__).resolve().parents[1],
                       env={**os.environ, "AMQP_URI": amqp})
        imported = time.perf_counter() - started
        figures["import_seconds"] = round(imported, 1)

        def library_size() -> int:
            return requests.get(f"{enforcement_url}/inspections/targets?limit=1", headers=SUPERVISOR,
                                timeout=30).json()["total"]

        wait_until(lambda: library_size() >= total, 900, "enforcement's target library", interval=1.0,
                   alive=enforcement.check_alive)
        caught_up = time.perf_counter() - started
        figures["register_to_library_seconds"] = round(caught_up, 1)
        figures["register_events_per_second"] = round(total / caught_up, 1)
        log(f"imported in {imported:.1f} s; target library complete after {caught_up:.1f} s")

        for n in range(inspectors):
            conflicts = [e["uscc"] for e in _sample_codes(n)]
            requests.put(f"{enforcement_url}/inspectors/BENCH-{n:03d}", headers=SUPERVISOR, timeout=30,
                         json={"name": f"检查员{n:03d}", "cert_expires": "2099-12-31", "conflicts": conflicts}
                         ).raise_for_status()
        body = {"item": {"name": "全区综合抽查"}, "sample_ratio": ratio, "team_size": 2}
        seconds, verify_seconds, last = [], [], None
        for n in range(draws):
            started = time.perf_counter()
            answer = requests.post(f"{enforcement_url}/inspections/draws", json={**body, "seed": f"bench-{run_id}-{n}"},
                                   headers=SUPERVISOR, timeout=300)
            if answer.status_code != 201:
                raise BenchError(f"draw answered {answer.status_code}: {answer.text[:500]}")
            seconds.append(time.perf_counter() - started)
            last = answer.json()
            started = time.perf_counter()
            check = requests.get(f"{enforcement_url}/inspections/draws/{last['draw_id']}/verification",
                                 headers=SUPERVISOR, timeout=300).json()
            verify_seconds.append(time.perf_counter() - started)
            if not check["valid"]:
                raise BenchError(f"draw {last['draw_id']} did not verify")
        figures.update({
            "inspectors": inspectors, "sample_ratio": ratio, "candidates": last["eligible_count"],
            "drawn": last["sample_size"], "draws": draws,
            "draw_seconds_median": round(statistics.median(seconds), 3), "draw_seconds_max": round(max(seconds), 3),
            "verify_seconds_median": round(statistics.median(verify_seconds), 3),
            "peak_rss_mb": {"registration": peak_rss_mb(registration.popen.pid),
                            "enforcement": peak_rss_mb(enforcement.popen.pid)}})
        return figures
    finally:
        cleanup.run()
        shutil.rmtree(workdir, ignore_errors=True)


def _sample_codes(n: int) -> list[dict]:
    """A few entities each inspector must not inspect (回避), spread over the register."""
    register = synthetic_register(2020, **DISTRICT_MIX)
    return [e for i, e in zip(range(n * 7 + 3), register) if i % 7 == 0][-3:]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inspections", description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--count", type=int, default=None, help="entities (default: the whole district, 53,453)")
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--inspectors", type=int, default=60)
    parser.add_argument("--ratio", type=float, default=0.03, help="sample ratio of each draw (default 3%%)")
    args = parser.parse_args(argv)
    figures = run(args.backend, args.count, args.draws, args.inspectors, args.ratio)
    rows = [("entities registered", f"{figures['entities']:,}"),
            ("import (database, with outbox events)", f"{figures['import_seconds']} s"),
            ("register -> enforcement's target library", f"{figures['register_to_library_seconds']} s "
                                                          f"({figures['register_events_per_second']} entities/s)"),
            ("draw over the register (median / max)", f"{figures['draw_seconds_median']} s / "
                                                       f"{figures['draw_seconds_max']} s"),
            ("  candidates, drawn, inspectors", f"{figures['candidates']:,}, {figures['drawn']:,}, "
                                                f"{figures['inspectors']}"),
            ("verification (median)", f"{figures['verify_seconds_median']} s"),
            ("peak RSS registration / enforcement", " / ".join(f"{v:.0f} MB" for v in figures["peak_rss_mb"].values()
                                                               if v is not None))]
    width = max(len(r[0]) for r in rows)
    print(f"\nRegister and I-DRAW benchmark ({figures['backend']}, {os.cpu_count()} CPUs)")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                   "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                                   **figures}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
