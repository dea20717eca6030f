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


def test_a_command_applied_whose_answer_was_lost_says_so_and_where_on_replay(producer, database_url, probe_name):
    """The service dies between committing a command and storing its answer (SIGKILL, or the database
    gone for good): a replay of the key must neither apply the command again nor wait forever. The
    unit of work wrote, in the command's own transaction, which aggregates it changed."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select, update

    from shared.db import make_engine
    from tests.support.probe.tables import metadata

    key = str(uuid.uuid4())
    headers = {**OPERATOR, "Idempotency-Key": key}
    first = requests.post(producer.url + "/records", json={"value": "一次"}, headers=headers, timeout=10)
    record_id = first.json()["record_id"]
    keys = metadata.tables["idempotency_keys"]
    engine = make_engine(database_url)
    with engine.begin() as conn:  # back to what the command's transaction alone left
        conn.execute(update(keys).where(keys.c.key == key).values(
            status=None, body='{"subjects": ["%s"], "event_types": ["probe.recorded"]}' % record_id))
    again = requests.post(producer.url + "/records", json={"value": "一次"}, headers=headers, timeout=10)
    assert again.status_code == 409 and "still being processed" in again.json()["detail"]  # it may yet answer
    with engine.begin() as conn:
        conn.execute(update(keys).where(keys.c.key == key).values(
            created_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    lost = requests.post(producer.url + "/records", json={"value": "一次"}, headers=headers, timeout=10).json()
    assert lost["status"] == 409 and lost["type"].endswith("/answer-lost") and lost["applied"] is True
    assert lost["subjects"] == [record_id] and lost["event_types"] == ["probe.recorded"]
    assert requests.get(f"{producer.url}/records/{record_id}", timeout=10,
                        headers=bearer(["officer"], cert_no="C", cert_expires="2099-12-31")).status_code == 200

    # What the unit of work itself writes before any answer exists:
    fresh = str(uuid.uuid4())
    from shared.store import CATALOG, FlowContext, UnitOfWork
    context = FlowContext(correlation_id="c", causation_id="t", idempotency=("tester", fresh, "f" * 64))
    with UnitOfWork(service=f"{probe_name}_producer", engine=engine,
                    tables={n: metadata.tables[n] for n in ("outbox", "inbox", "idempotency_keys")},
                    catalog=CATALOG, context=context) as uow:
        uow.publish("probe.recorded", subject="R-42", data={"record_id": "R-42", "value": "x"})
    with engine.connect() as conn:
        row = conn.execute(select(keys).where(keys.c.key == fresh)).one()
    assert row.status is None and '"R-42"' in row.body and "probe.recorded" in row.body
    engine.dispose()

