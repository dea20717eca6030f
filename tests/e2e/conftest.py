"""The platform as a newcomer starts it: ``make up``, on SQLite, in a RabbitMQ vhost of its own."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import requests

from shared.config import SERVICE_PORTS
from tests.conftest import ROOT
from tests.support.processes import free_port


class Platform:
    def __init__(self, process: subprocess.Popen, ports: dict[str, int], output: list[str]):
        self.process = process
        self.ports = ports
        self.output = output

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


@pytest.fixture(scope="session")
def platform(e2e_vhost_uri, tmp_path_factory):
    """``make up`` itself, with free ports; stopped with Ctrl-C (SIGINT) at the end."""
    ports = {name: free_port() for name in SERVICE_PORTS}
    env = {**os.environ, "AMQP_URI": e2e_vhost_uri, "DATA_DIR": str(tmp_path_factory.mktemp("data")),
           **{f"{name.upper()}_HTTP_PORT": str(port) for name, port in ports.items()}}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(["make", "--no-print-directory", "up"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output: list[str] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        output.append(line)
        if "All services started" in line:
            break
    else:
        os.killpg(process.pid, signal.SIGKILL)
    if not any("All services started" in line for line in output):
        raise RuntimeError("make up did not start:\n" + "".join(output[-80:]))
    import threading
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    yield Platform(process, ports, output)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_for_health(url: str, timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        answer = requests.get(url + "/health", timeout=5)
        if answer.status_code == 200 or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)
