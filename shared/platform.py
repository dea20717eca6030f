"""``make up``: all four services in the foreground on the local RabbitMQ and SQLite.

Checks the broker first and says how to start it if it is unreachable; prints each service's
URLs; Ctrl-C stops them all.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from shared.config import SERVICE_PORTS, load_settings


def broker_reachable(uri: str) -> str | None:
    from shared.events.amqp import connect
    try:
        connect(uri, connect_timeout=3).close()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def wait_healthy(port: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except Exception:
            pass
        time.sleep(0.3)
    return False


def main() -> int:
    settings = load_settings("registration")
    problem = broker_reachable(settings.amqp_uri)
    if problem:
        print(f"RabbitMQ is not reachable at {settings.amqp_uri} ({problem}).\n"
              "Start it with `rabbitmq-server -detached` (Debian package rabbitmq-server), or run the whole\n"
              "stack in containers with `docker compose up`. Set AMQP_URI to use another broker.",
              file=sys.stderr)
        return 2
    processes = {name: subprocess.Popen([sys.executable, "-m", "shared.runner", name], env=os.environ.copy())
                 for name in SERVICE_PORTS}

    def stop_all(*_):
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop_all(), sys.exit(0)))
    try:
        for name in SERVICE_PORTS:
            host, port = load_settings(name).http_host, load_settings(name).http_port
            state = "up" if wait_healthy(port) else "NOT HEALTHY (see its log above)"
            print(f"  {name:<14} {state:<6} http://{host}:{port}  (/health /metrics /openapi.json)", flush=True)
        print("All services started; Ctrl-C stops them all.", flush=True)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        dead = [n for n, p in processes.items() if p.poll() is not None]
        print(f"service(s) exited: {', '.join(dead)}; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        return 0
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
