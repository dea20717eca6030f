"""``make up`` brings all four services up; each answers /health, /metrics and /openapi.json, and
refuses what it must refuse with problem+json."""
from __future__ import annotations

import pytest
import requests

from shared.config import SERVICE_PORTS
from tests.e2e.conftest import wait_for_health
from tests.support.route_walk import walk_routes

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("service", list(SERVICE_PORTS))
def test_every_service_answers_health_metrics_and_openapi_while_make_up_runs(platform, service):
    base = platform.url(service)
    health = wait_for_health(base)
    assert health.status_code == 200, health.text
    assert health.json() == {"status": "ok", "service": service, "database": "ok", "broker": "ok"}

    metrics = requests.get(base + "/metrics", timeout=5)
    assert metrics.status_code == 200
    assert metrics.headers["Content-Type"].startswith("text/plain")
    assert "amr_http_requests_total" in metrics.text and f'service="{service}"' in metrics.text

    document = requests.get(base + "/openapi.json", timeout=5).json()
    assert document["openapi"] == "3.1.0"
    assert {"/health", "/metrics", "/openapi.json"} <= set(document["paths"])
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["x-roles"], "every route declares its roles"


@pytest.mark.parametrize("service", list(SERVICE_PORTS))
def test_every_route_of_every_service_refuses_missing_forged_expired_tokens_wrong_roles_and_certificates(
        platform, service):
    _walked, failures = walk_routes(platform.url(service))
    assert failures == []


@pytest.mark.parametrize("service", list(SERVICE_PORTS))
def test_unknown_routes_wrong_methods_and_malformed_json_get_problem_json(platform, service):
    base = platform.url(service)
    for answer, status in ((requests.get(base + "/no-such-route", timeout=5), 404),
                           (requests.post(base + "/health", data=b"{not json", timeout=5), 405)):
        assert answer.status_code == status
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert answer.json()["status"] == status


def test_make_up_prints_every_service_url(platform):
    printed = "".join(platform.output)
    for service, port in platform.ports.items():
        assert f"http://127.0.0.1:{port}" in printed, printed


@pytest.mark.parametrize("service", list(SERVICE_PORTS))
def test_every_route_rejects_malformed_wrongly_typed_absurd_and_overlong_bodies_with_4xx(platform, service):
    from tests.support.bad_input import throw_bad_input
    sent, failures = throw_bad_input(platform.url(service))
    assert failures == []
    if service == "enforcement":
        assert sent > 100  # every POST route of the case, each field
