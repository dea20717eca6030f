"""The real IP-protection service as a process (with enforcement and legal_review where a flow needs
them), on SQLite and PostgreSQL, in the test run's own RabbitMQ vhost."""
from __future__ import annotations


import pytest

from tests.integration.registration.conftest import LEGAL_REVIEW_QUEUES
from tests.integration.enforcement.conftest import ENFORCEMENT_QUEUES
from tests.support.amqp import purge_queues
from tests.support.clients import ServiceClient
from tests.support.waiting import eventually
from tests.support.tokens import bearer

IP_OFFICER = bearer(["ip_officer"], sub="IP-0001")
IP_QUEUES = ("ip_protection.on_enforcement",)
PUTIAN = "gi-putian-bamboo-shoots"
DONGLIAO = "gi-dongliao-taro"


class IpProtection(ServiceClient):
    headers = IP_OFFICER

    def wait_seeded(self, timeout: float = 20.0) -> None:
        marks = eventually(lambda: self.get("/marks")["items"], lambda items: len(items) >= 2, timeout)
        assert len(marks) >= 2, "the seed marks never appeared"


@pytest.fixture
def ip(database_factory, processes, test_vhost_uri):
    purge_queues(test_vhost_uri, *IP_QUEUES)
    service = IpProtection(processes("ip_protection", {"DATABASE_URL": database_factory("ip_protection"),
                                                        "AMQP_URI": test_vhost_uri}))
    service.wait_seeded()
    return service


@pytest.fixture
def ip_flow(ip, database_factory, processes, test_vhost_uri):
    """ip_protection with the real enforcement and legal_review."""
    from tests.integration.enforcement.conftest import Enforcement
    purge_queues(test_vhost_uri, *ENFORCEMENT_QUEUES, *LEGAL_REVIEW_QUEUES)
    processes("legal_review", {"DATABASE_URL": database_factory("legal_review"), "AMQP_URI": test_vhost_uri})
    enforcement = Enforcement(processes("enforcement", {"DATABASE_URL": database_factory("enforcement"),
                                                        "AMQP_URI": test_vhost_uri}))
    return ip, enforcement
