"""The district's HTTP client: the platform's public API only, as officers' systems would call it.

Every POST carries an ``Idempotency-Key`` kept across its retries, so a command whose answer was lost
(a service killed, a connection cut) is retried without a second effect. A retry that still cannot
tell (409: the first attempt committed but its answer was lost with the process) asks ``done()``,
a read of the resource, whether the command took effect.
"""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import requests

from shared.http.auth import mint_token

RETRYABLE = {500, 502, 503, 504}


class ScenarioError(RuntimeError):
    """The platform answered something a correct lifecycle never gets."""


def token(sub: str, roles: list[str], **claims) -> str:
    return "Bearer " + mint_token(sub, roles, name=f"district {sub}", **claims)


CERT = {"cert_no": "445203D0000", "cert_expires": "2099-12-31"}


@dataclass
class Staff:
    """The district's people, as tokens."""
    supervisor: str = field(default_factory=lambda: token("S-0001", ["supervisor"], **CERT))
    officer: str = field(default_factory=lambda: token("O-0002", ["officer"], **CERT))
    second: str = field(default_factory=lambda: token("O-0003", ["officer"], **CERT))
    reviewer: str = field(default_factory=lambda: token("R-0100", ["reviewer"]))
    registrar: str = field(default_factory=lambda: token("G-0001", ["registrar"]))
    ip_officer: str = field(default_factory=lambda: token("IP-0001", ["ip_officer"]))
    operator: str = field(default_factory=lambda: token("OP-0001", ["operator"]))

    def inspector(self, staff_id: str) -> str:
        return token(staff_id, ["officer"], **CERT)


@dataclass
class Sent:
    """A command and when it was sent, for the command-to-subscriber latency."""
    correlation: str
    expects: str          # the event type the command causes
    key: str              # what identifies that event among the flow's events (e.g. the case number)
    sent_at: float


class Api:
    def __init__(self, urls: dict[str, str], *, patience: float = 240.0):
        self.urls = urls
        self.patience = patience
        self._local = threading.local()
        self.sent: list[Sent] = []
        self.retries = 0
        self._lock = threading.Lock()
        self.stopped = False  # set when the run fails: every waiting call gives up at once

    @property
    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def get(self, service: str, path: str, auth: str | None, *, expect: tuple[int, ...] = (200,)) -> Any:
        deadline = time.monotonic() + self.patience
        while True:
            try:
                answer = self.session.get(self.urls[service] + path, timeout=30,
                                          headers={"Authorization": auth} if auth else {})
                if answer.status_code in expect:
                    return answer.json() if "json" in answer.headers.get("content-type", "") else answer.text
                if answer.status_code not in RETRYABLE:
                    raise ScenarioError(f"GET {service}{path}: {answer.status_code} {answer.text[:300]}")
            except requests.RequestException:
                pass
            self._wait(deadline, f"GET {service}{path}")

    def post(self, service: str, path: str, body: dict, auth: str, *, second: str | None = None,
             correlation: str | None = None, expect: tuple[int, ...] = (201, 200),
             done: Callable[[], Any] | None = None, expects_event: tuple[str, str] | None = None,
             recover: Callable[[list[str]], Any] | None = None) -> Any:
        """POST until it is answered; returns the body, or ``done()``'s value when the first attempt's
        answer was lost but its effect is there. For a create, ``recover(subjects)`` reads what was
        created when the service says the command was applied but its answer lost."""
        key = str(uuid.uuid4())
        headers = {"Authorization": auth, "Idempotency-Key": key}
        if second:
            headers["X-Second-Officer"] = second
        if correlation:
            headers["X-Correlation-Id"] = correlation
        if expects_event and correlation:
            with self._lock:
                self.sent.append(Sent(correlation, expects_event[0], expects_event[1], time.time()))
        deadline = time.monotonic() + self.patience
        attempts = 0
        while True:
            attempts += 1
            try:
                answer = self.session.post(self.urls[service] + path, json=body, headers=headers, timeout=30)
                if answer.status_code in expect:
                    return answer.json()
                if answer.status_code == 409 and attempts > 1:
                    problem = answer.json()
                    if problem.get("applied") and recover is not None and problem.get("subjects"):
                        return recover(problem["subjects"])
                    result = done() if done is not None else None
                    if result:
                        return result
                if answer.status_code not in RETRYABLE and not (answer.status_code == 409 and attempts > 1):
                    raise ScenarioError(f"POST {service}{path}: {answer.status_code} {answer.text[:400]}")
            except requests.RequestException:
                pass
            with self._lock:
                self.retries += 1
            self._wait(deadline, f"POST {service}{path}")

    def put_inspector(self, staff_id: str, body: dict, auth: str) -> Any:
        deadline = time.monotonic() + self.patience
        while True:
            try:
                answer = self.session.put(f"{self.urls['enforcement']}/inspectors/{staff_id}", json=body,
                                          headers={"Authorization": auth}, timeout=30)
                if answer.status_code == 200:
                    return answer.json()
                if answer.status_code not in RETRYABLE:
                    raise ScenarioError(f"PUT /inspectors/{staff_id}: {answer.status_code} {answer.text[:300]}")
            except requests.RequestException:
                pass
            self._wait(deadline, f"PUT /inspectors/{staff_id}")

    def _wait(self, deadline: float, what: str) -> None:
        if self.stopped:
            raise ScenarioError(f"{what}: the run was stopped")
        if time.monotonic() > deadline:
            raise ScenarioError(f"{what}: no answer within {self.patience:.0f} s")
        time.sleep(0.25)

    def wait_for(self, service: str, path: str, auth: str, check: Callable[[Any], bool],
                 what: str, timeout: float | None = None) -> Any:
        """Poll a resource until ``check`` holds (the platform is eventually consistent across services)."""
        deadline = time.monotonic() + (timeout or self.patience)
        pause = 0.05
        while True:
            value = self.get(service, path, auth)
            if check(value):
                return value
            if time.monotonic() > deadline or self.stopped:
                raise ScenarioError(f"{what}: still {str(value)[:300]}")
            time.sleep(pause)
            pause = min(pause * 1.5, 1.0)
