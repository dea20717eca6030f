"""Load deploy/rabbitmq/definitions.json into RabbitMQ through its management API (docker compose).

Run once by the compose service ``rabbitmq-definitions`` after the broker is healthy, before the
platform's services start. Why not ``load_definitions`` at broker boot: a node that imports
definitions at boot does not create its default user (RABBITMQ_DEFAULT_USER/PASS), so the
platform's own account would have to be committed as a password hash. Here the broker creates
``amr`` from the environment as usual and this script adds the rest:

- the four event exchanges ``<service>.events`` (topic, alternate exchange
  ``<service>.events.unrouted``) with their unrouted catch-all queues, declared exactly as
  ``shared/events/amqp.py`` declares them (a test compares the two), so they exist before a
  department binds to them;
- the read-only user ``departments`` for other departments' systems: it may declare, bind and
  read its own queues (``police.*``, ``procuratorate.*``, ``credit.*``) and read the event
  exchanges, but never publish on them or touch the platform's queues. Its password comes from
  DEPARTMENTS_PASSWORD and is stored as a salted SHA-256 hash (rabbit_password_hashing_sha256);
- the dead-letter policy ``departments-dead-letter``: a message a department's consumer rejects
  or keeps failing on (delivery limit) goes to ``departments.dead-letter`` instead of vanishing.
  The platform's own queues carry their dead-letter arguments themselves (shared/events/amqp.py).

Importing is additive and idempotent: running it again changes nothing.

Environment: RABBITMQ_MANAGEMENT_URL (default http://rabbitmq:15672), RABBITMQ_USER (default amr),
RABBITMQ_PASSWORD, DEPARTMENTS_PASSWORD, DEFINITIONS_FILE (default: definitions.json beside this file).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt(4) + sha256(salt + password))."""
    salt = secrets.token_bytes(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode("ascii")


def build(definitions: dict, departments_password: str) -> dict:
    """The definitions to import: the departments user gets the hash of its password."""
    if not departments_password:
        raise SystemExit("DEPARTMENTS_PASSWORD is empty: set a password for the departments' read-only user")
    result = json.loads(json.dumps(definitions))
    for user in result.get("users", []):
        if user["name"] == "departments":
            user["password_hash"] = password_hash(departments_password)
    return result


def post(url: str, user: str, password: str, body: dict, timeout: float = 10) -> int:
    request = urllib.request.Request(url.rstrip("/") + "/api/definitions", data=json.dumps(body).encode(),
                                     method="POST", headers={"content-type": "application/json"})
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request.add_header("authorization", f"Basic {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=timeout) as answer:
        return answer.status


def main() -> int:
    url = os.environ.get("RABBITMQ_MANAGEMENT_URL", "http://rabbitmq:15672")
    user = os.environ.get("RABBITMQ_USER", "amr")
    password = os.environ.get("RABBITMQ_PASSWORD", "")
    path = Path(os.environ.get("DEFINITIONS_FILE") or HERE / "definitions.json")
    body = build(json.loads(path.read_text(encoding="utf-8")), os.environ.get("DEPARTMENTS_PASSWORD", ""))
    deadline = time.monotonic() + 120
    while True:
        try:
            status = post(url, user, password, body)
            print(f"imported {path.name} into {url} (HTTP {status})", flush=True)
            return 0
        except urllib.error.HTTPError as error:
            if error.code in (401, 403) or time.monotonic() > deadline:
                print(f"import refused: HTTP {error.code} {error.read()[:500]!r}", file=sys.stderr)
                return 1
        except OSError as error:
            if time.monotonic() > deadline:
                print(f"management API unreachable at {url}: {error}", file=sys.stderr)
                return 1
        time.sleep(2)


if __name__ == "__main__":
    sys.exit(main())
