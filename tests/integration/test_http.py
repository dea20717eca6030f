"""The HTTP toolkit on a real process: auth walk, problem+json for bad input, Idempotency-Key."""
from __future__ import annotations

import uuid

import pytest
import requests

from tests.support.route_walk import walk_routes
from tests.support.tokens import OPERATOR, bearer

pytestmark = pytest.mark.integration
PRODUCER = "tests.support.probe.service:Producer"


@pytest.fixture
def producer(database_url, probe_name, processes):
    return processes(PRODUCER, {"PROBE_NAME": probe_name, "DATABASE_URL": database_url})


def test_the_route_walk_checks_roles_and_certificates_of_protected_routes(producer):
    walked, failures = walk_routes(producer.url)
    assert walked == 2  # POST /records (operator) and GET /records/{record_id} (officer, supervisor)
    assert failures == []


@pytest.mark.parametrize("body, status, fragment", [
    (b"{not json", 400, "not valid UTF-8 JSON"),
    (b"", 400, "needs a JSON body"),
    (b'{"value": NaN}', 400, "not valid"),
    (b"\xff\xfe", 400, "not valid UTF-8 JSON"),
    (b"[1, 2]", 422, "schema"),
    (b'{"value": 12}', 422, "schema"),
    (b'{"value": "x", "unknown": 1}', 422, "schema"),
    ('{"value": "%s"}' % ("长" * 201), 422, "schema"),
])
def test_bad_bodies_get_problem_json_never_a_5xx(producer, body, status, fragment):
    data = body.encode() if isinstance(body, str) else body
    answer = requests.post(producer.url + "/records", data=data, timeout=10,
                           headers={**OPERATOR, "Content-Type": "application/json"})
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == status and fragment in (problem["detail"] + problem["title"])
    if status == 422:
        assert problem["errors"] and {"path", "message"} <= set(problem["errors"][0])


def test_an_idempotency_key_replay_returns_the_first_response_and_changes_nothing(producer):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = requests.post(producer.url + "/records", json={"value": "一次"}, headers={**OPERATOR, **key}, timeout=10)
    again = requests.post(producer.url + "/records", json={"value": "一次"}, headers={**OPERATOR, **key}, timeout=10)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = requests.post(producer.url + "/records", json={"value": "another"}, headers={**OPERATOR, **key},
                          timeout=10)
    assert other.status_code == 422  # same key, different request
    fresh = requests.post(producer.url + "/records", json={"value": "一次"}, headers=OPERATOR, timeout=10)
    assert fresh.json()["record_id"] != first.json()["record_id"]


def test_chinese_text_round_trips_byte_for_byte(producer):
    value = "揭东区市场监督管理局 埔田竹笋 𠀀"
    created = requests.post(producer.url + "/records", json={"value": value}, headers=OPERATOR, timeout=10).json()
    officer = bearer(["officer"], cert_no="44-0001", cert_expires="2099-12-31")
    answer = requests.get(producer.url + f"/records/{created['record_id']}", headers=officer, timeout=10)
    assert answer.json()["value"] == value
    assert value.encode("utf-8") in answer.content
