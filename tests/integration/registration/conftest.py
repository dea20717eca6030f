"""The real registration service as a process (with enforcement and legal_review where a flow needs
them), on SQLite and PostgreSQL, in the test run's own RabbitMQ vhost."""
from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta

import pytest

from services.registration.domain.synthetic import synthetic_register
from shared.calendar import SHANGHAI
from tests.integration.enforcement.conftest import ENFORCEMENT_QUEUES, Bus
from tests.support.amqp import purge_queues
from tests.support.clients import ServiceClient
from tests.support.waiting import eventually
from tests.support.tokens import bearer

REGISTRAR = bearer(["registrar"], sub="G-0001")
REGISTRATION_QUEUES = ("registration.on_case", "registration.on_penalty", "registration.on_disclosure",
                       "registration.on_inspection_result")
LEGAL_REVIEW_QUEUES = ("legal_review.on_decision_proposed", "legal_review.on_penalty_decided",
                       "legal_review.on_decision_revoked")
TODAY = datetime.now(SHANGHAI).date()  # the services' today (C-WD: Asia/Shanghai), not the machine's
_SAMPLES = synthetic_register(seed=int(uuid.uuid4().int % 10_000))
_NUMBER = itertools.count(1)


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def entity_body(category: str = "enterprise", *, with_code: bool = False, **overrides) -> dict:
    """A realistic entity from the synthetic register, of the wanted category, with a unique name."""
    sample = next(s for s in _SAMPLES if s["category"] == category)
    body = {k: v for k, v in sample.items() if with_code or k != "uscc"}
    body["name"] = f"{sample['name'][:50]}{next(_NUMBER)}"
    body.update(overrides)
    return body


class Registration(ServiceClient):
    headers = REGISTRAR

    def register(self, category: str = "enterprise", **overrides) -> dict:
        return self.post("/entities", entity_body(category, **overrides)).json()

    def wait_until(self, uscc: str, check, timeout: float = 20.0) -> dict:
        """Poll the entity until ``check(view)`` holds (the read model follows events)."""
        view = eventually(lambda: self.get(f"/entities/{uscc}"), check, timeout)
        if not check(view):
            raise AssertionError(f"{uscc} never reached the expected state: {view}")
        return view


@pytest.fixture
def start_registration(database_factory, processes, test_vhost_uri):
    """Start (or restart) registration on one database; the scan interval is per start."""
    purge_queues(test_vhost_uri, *REGISTRATION_QUEUES)
    database = database_factory("registration")

    def start(scan_seconds: float = 3600) -> Registration:
        return Registration(processes("registration", {"DATABASE_URL": database, "AMQP_URI": test_vhost_uri,
                                                       "REGISTRATION_SCAN_SECONDS": str(scan_seconds)}))

    return start


@pytest.fixture
def registration(start_registration):
    return start_registration()


@pytest.fixture
def register_events(registration, test_vhost_uri):
    bus = Bus(test_vhost_uri, exchanges=("registration.events",))
    yield bus
    bus.close()


@pytest.fixture
def peers(database_factory, processes, test_vhost_uri):
    """enforcement and legal_review, real processes on their own databases."""
    purge_queues(test_vhost_uri, *ENFORCEMENT_QUEUES, *LEGAL_REVIEW_QUEUES)
    from tests.integration.enforcement.conftest import Enforcement
    review = processes("legal_review", {"DATABASE_URL": database_factory("legal_review"), "AMQP_URI": test_vhost_uri})
    enforcement = Enforcement(processes("enforcement", {"DATABASE_URL": database_factory("enforcement"),
                                                        "AMQP_URI": test_vhost_uri}))
    enforcement.review_url = review.url
    return enforcement
