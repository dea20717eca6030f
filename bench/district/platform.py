"""The four services as real processes for a district run: their own RabbitMQ vhost, scratch databases
(PostgreSQL by default), fixed ports per run so a restarted service answers where it did."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

from bench.backbone import (AMQP_URI, BenchError, Cleanup, Process, create_pg_database, drop_pg_database,
                            free_port, log, wait_until)

SERVICES = ("registration", "enforcement", "ip_protection", "legal_review")
ROOT = Path(__file__).resolve().parents[2]


def rabbitmqctl(*args: str, timeout: float = 120) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=timeout)


class Platform:
    def __init__(self, backend: str, workdir: Path, cleanup: Cleanup, *, env: dict[str, str] | None = None):
        self.backend = backend
        self.workdir = workdir
        self.cleanup = cleanup
        self.run_id = f"district{uuid.uuid4().hex[:8]}"
        self.extra_env = env or {}
        self.processes: dict[str, Process] = {}
        self.ports: dict[str, int] = {}
        self.databases: dict[str, str] = {}
        self.amqp_uri = AMQP_URI
        self.restarts = 0
        self._restarting: dict[str, bool] = {}
        self.unplanned: list[dict] = []  # services that exited by themselves and were started again

    @property
    def urls(self) -> dict[str, str]:
        return {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}

    def start(self) -> None:
        if shutil.which("rabbitmqctl"):
            vhost = f"bench-{self.run_id}"
            rabbitmqctl("add_vhost", vhost)
            rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
            self.cleanup.push(f"delete vhost {vhost}", lambda: rabbitmqctl("delete_vhost", vhost))
            self.amqp_uri = AMQP_URI.rstrip("/") + "/" + quote(vhost, safe="")
        for name in SERVICES:
            if self.backend == "postgresql":
                database = f"{self.run_id}_{name}"
                self.databases[name] = create_pg_database(database)
                self.cleanup.push(f"drop {database}", lambda d=database: drop_pg_database(d))
            else:
                self.databases[name] = f"sqlite:///{self.workdir / (name + '.db')}"
            self.ports[name] = free_port()
        for name in SERVICES:
            self.start_service(name)

    def env(self, name: str) -> dict[str, str]:
        return {"AMQP_URI": self.amqp_uri, "DATABASE_URL": self.databases[name], "HTTP_HOST": "127.0.0.1",
                "HTTP_PORT": str(self.ports[name]), "DEADLINE_SCAN_SECONDS": "5", "DISCLOSURE_SCAN_SECONDS": "5",
                "REGISTRATION_SCAN_SECONDS": "3600", "OUTBOX_POLL_SECONDS": "0.5", **self.extra_env}

    def start_service(self, name: str, *, timeout: float = 120) -> None:
        label = f"{name}-{self.restarts}" if name in self.processes else name
        process = Process(label, [sys.executable, "-m", "shared.runner", name], self.env(name), self.workdir)
        self.processes[name] = process
        self.cleanup.push(f"stop {label}", process.stop)
        wait_until(lambda: self.healthy(name), timeout, f"{name} /health", interval=0.2, alive=process.check_alive)

    def check_alive(self) -> None:
        """A service that exited by itself (not one the chaos killed and restarted) fails the run."""
        for name, process in self.processes.items():
            if process.popen.poll() is not None and not self._restarting.get(name):
                raise BenchError(f"{name} exited by itself (code {process.popen.returncode}); its log: "
                                 f"{process.log_path}\n{process.tail(1500)}")

    def supervise(self) -> None:
        """What Kubernetes does for a pod whose process exits: start it again. Used under chaos, where
        each such restart is logged (``unplanned``) beside the injected faults."""
        for name, process in list(self.processes.items()):
            if process.popen.poll() is not None and not self._restarting.get(name):
                self.unplanned.append({"service": name, "code": process.popen.returncode,
                                       "at": time.strftime("%H:%M:%S"), "log": str(process.log_path)})
                self._restarting[name] = True
                try:
                    self.restarts += 1
                    self.start_service(name)
                finally:
                    self._restarting[name] = False

    def healthy(self, name: str) -> bool:
        try:
            return requests.get(self.urls[name] + "/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def kill_and_restart(self, name: str) -> None:
        """SIGKILL: no clean shutdown, whatever was in flight is cut."""
        process = self.processes[name]
        self._restarting[name] = True
        try:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait(10)
            self.restarts += 1
            self.start_service(name)
        finally:
            self._restarting[name] = False

    def peak_rss_mb(self) -> dict[str, float]:
        peaks = {}
        for name, process in self.processes.items():
            try:
                for line in Path(f"/proc/{process.popen.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[name] = int(line.split()[1]) / 1024
            except OSError:
                pass
        return peaks


def restart_broker() -> None:
    """Stop and start the RabbitMQ application: every connection is cut, durable queues stay."""
    rabbitmqctl("stop_app")
    rabbitmqctl("start_app")
    rabbitmqctl("await_startup")


def restart_postgresql() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                   capture_output=True, timeout=120)
    deadline = time.monotonic() + 60
    while subprocess.run(["pg_isready", "-h", "127.0.0.1"], capture_output=True).returncode != 0:
        if time.monotonic() > deadline:
            raise BenchError("PostgreSQL did not come back within 60 s")
        time.sleep(0.2)


def start_recorder(platform: Platform, out: Path, cleanup: Cleanup) -> Process:
    recorder = Process("recorder", [sys.executable, "-m", "bench.district.recorder", "--uri", platform.amqp_uri,
                                    "--queue", f"{platform.run_id}.recorder", "--out", str(out)],
                       {}, platform.workdir, stdout_pipe=True)
    cleanup.push("stop recorder", recorder.stop)
    deadline = time.monotonic() + 30
    while recorder.popen.stdout.readline().strip() != b"ready":
        recorder.check_alive()
        if time.monotonic() > deadline:
            raise BenchError("the recorder did not start")
    log("recorder bound to the four exchanges")
    return recorder
