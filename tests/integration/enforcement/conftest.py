"""The real enforcement service as a process, on its own database (SQLite and PostgreSQL), in the
test run's own RabbitMQ vhost; legal_review's answers are published by the tests until the real
legal_review service exists (CONTRACT §4)."""
from __future__ import annotations

import json
import time
import uuid
from datetime import date

import pika
import pytest
import requests

from shared.events.envelope import Event, source_of
from shared.store import CATALOG
from tests.support.amqp import purge_queues
from tests.support.tokens import bearer

ENFORCEMENT_QUEUES = ("enforcement.on_review", "enforcement.on_register_event", "enforcement.on_infringement_reported")

SUPERVISOR = bearer(["supervisor"], sub="S-0001", cert_no="44520300001", cert_expires="2099-12-31")
OFFICER = bearer(["officer"], sub="O-0002", cert_no="44520300002", cert_expires="2099-12-31")
SECOND = {"X-Second-Officer": bearer(["officer"], sub="O-0003", cert_no="44520300003",
                                     cert_expires="2099-12-31")["Authorization"]}
ORGANISATION = {"uscc": "91440300708461136T", "name": "揭东区某食品有限公司", "kind": "organisation"}


class Bus:
    """A plain-pika view of the vhost: subscribe to services' events (enforcement's by default),
    publish legal_review's."""

    def __init__(self, uri: str, exchanges: tuple[str, ...] = ("enforcement.events",)):
        self.connection = pika.BlockingConnection(pika.URLParameters(uri))
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()
        self.queue = f"test-subscriber-{uuid.uuid4().hex[:6]}"
        self.channel.queue_declare(self.queue, exclusive=True, auto_delete=True)
        for exchange in exchanges:
            self.channel.exchange_declare(exchange, passive=True)
            self.channel.queue_bind(self.queue, exchange, "#")
        self.seen: list[dict] = []

    def events(self, settle: float = 0.5) -> list[dict]:
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            method, _props, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                self.connection.process_data_events(time_limit=0.05)
                continue
            self.seen.append(json.loads(body))
            deadline = time.monotonic() + settle
        return self.seen

    def wait_for(self, event_type: str, timeout: float = 15.0, **match) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events(settle=0.1):
                if event["type"] == event_type and all(event["data"].get(k) == v for k, v in match.items()):
                    return event
        raise AssertionError(f"no {event_type} {match} among {[e['type'] for e in self.seen]}")

    def publish_review(self, outcome: str, proposed: dict, *, major: bool, grounds=(), review_id=None) -> Event:
        data = {"case_no": proposed["data"]["case_no"], "proposal_id": proposed["data"]["proposal_id"],
                "proposal_hash": proposed["data"]["proposal_hash"], "major": major, "grounds": list(grounds),
                "rules_evaluated": ["M-FINE", "M-PUBLIC"]}
        if review_id:
            data.update(review_id=review_id, reviewer="R-0009", opinion="同意")
        event = Event(type=f"review.{outcome}", source=source_of("legal_review"), subject=data["case_no"],
                      data=data, dataschema=CATALOG.schema_uri(f"review.{outcome}"),
                      correlationid=proposed["correlationid"], causationid=proposed["id"])
        self.channel.basic_publish("legal_review.events", event.type, event.to_json(),
                                   pika.BasicProperties(delivery_mode=2, content_type="application/cloudevents+json"))
        return event

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:
            pass


class Enforcement:
    def __init__(self, process):
        self.process = process
        self.url = process.url

    def post(self, path: str, body, headers=SUPERVISOR, second: bool = False, expect: int | None = 201):
        extra = SECOND if second else {}
        answer = requests.post(self.url + path, json=body, headers={**headers, **extra}, timeout=15)
        if expect is not None:
            assert answer.status_code == expect, f"{path}: {answer.status_code} {answer.text}"
        return answer

    def get(self, path: str, headers=SUPERVISOR):
        answer = requests.get(self.url + path, headers=headers, timeout=15)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def open_case(self, subject=ORGANISATION, received_on: str = "2026-11-20", filed_on: str = "2026-11-24") -> str:
        clue = self.post("/clues", {"source": "complaint", "received_on": received_on, "subject": subject,
                                    "summary": "举报：销售超过保质期的食品"}).json()
        case = self.post(f"/clues/{clue['clue_id']}/filing-decision", {"decision": "file", "decided_on": filed_on},
                         second=True).json()
        return case["case_no"]

    def propose(self, case_no: str, fine: float = 150_000, **extra) -> dict:
        body = {"penalty": {"kinds": ["fine"], "fine_amount_yuan": fine}, "case_value_yuan": 20_000,
                "legal_basis": ["《中华人民共和国食品安全法》第一百二十四条"], "facts": "当事人销售超过保质期的食品。", **extra}
        return self.post(f"/cases/{case_no}/proposals", body, headers=OFFICER).json()

    def wait_state(self, case_no: str, state: str, timeout: float = 15.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            case = self.get(f"/cases/{case_no}")
            if case["state"] == state or time.monotonic() > deadline:
                assert case["state"] == state, case["state"]
                return case
            time.sleep(0.1)


@pytest.fixture
def enforcement(database_url, processes, test_vhost_uri):
    purge_queues(test_vhost_uri, *ENFORCEMENT_QUEUES)  # before the service starts consuming
    process = processes("enforcement", {"DATABASE_URL": database_url, "AMQP_URI": test_vhost_uri})
    return Enforcement(process)


@pytest.fixture
def events(enforcement, test_vhost_uri):
    bus = Bus(test_vhost_uri)
    yield bus
    bus.close()


TODAY = date.today().isoformat()
