"""The envelope and the catalog (CONTRACT §3), without a broker."""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from shared.events.asyncapi import render
from shared.events.catalog import EventCatalog, SchemaViolation
from shared.events.envelope import Event, MalformedEvent, dataschema_uri, parse_json_body, source_of

ROOT = Path(__file__).resolve().parents[2]
CATALOG = EventCatalog()
HASH = "ab" * 32


def review_cleared(**data_overrides) -> Event:
    data = {"case_no": "揭东市监立〔2026〕1号", "proposal_id": "P-1", "proposal_hash": HASH, "major": False,
            "grounds": [], "rules_evaluated": ["M-FINE", "M-PUBLIC"]}
    data.update(data_overrides)
    return Event(type="review.cleared", source=source_of("legal_review"), subject="揭东市监立〔2026〕1号",
                 data=data, dataschema=CATALOG.schema_uri("review.cleared"))


def test_an_event_is_its_own_correlation_root_and_round_trips_chinese_text_as_utf8():
    event = review_cleared()
    assert event.correlationid == event.id and uuid.UUID(event.id)
    raw = event.to_json()
    assert "揭东市监立".encode("utf-8") in raw  # not \\u escapes
    parsed = CATALOG.parse(parse_json_body(raw))
    assert parsed == event


def test_the_envelope_has_every_cloudevents_attribute_of_the_contract():
    body = review_cleared().to_dict()
    assert set(body) == {"specversion", "id", "source", "type", "time", "subject", "datacontenttype",
                         "dataschema", "data", "correlationid", "causationid"}
    assert body["specversion"] == "1.0" and body["datacontenttype"] == "application/json"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", body["time"])
    assert body["dataschema"] == dataschema_uri("review.cleared", 1)


@pytest.mark.parametrize("mutate, fragment", [
    (lambda b: b.pop("id"), "envelope"),
    (lambda b: b.update(specversion="0.3"), "envelope"),
    (lambda b: b.update(time="yesterday"), "envelope"),
    (lambda b: b.update(type="review.nonexistent", dataschema=dataschema_uri("review.nonexistent", 1)),
     "unknown dataschema"),
    (lambda b: b.update(type="review.approved"), "does not describe"),
    (lambda b: b["data"].update(proposal_hash="short"), "/data/proposal_hash"),
    (lambda b: b["data"].pop("major"), "data breaks schema"),
    (lambda b: b["data"].update(grounds=["X-FOO"]), "/data/grounds/0"),
])
def test_a_broken_envelope_or_data_is_a_schema_violation_naming_what_is_wrong(mutate, fragment):
    body = review_cleared().to_dict()
    mutate(body)
    with pytest.raises(SchemaViolation) as caught:
        CATALOG.parse(body)
    assert fragment in str(caught.value)


def test_producers_validate_before_commit_with_the_same_catalog():
    with pytest.raises(SchemaViolation):
        CATALOG.check(review_cleared(major="no"))


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1]", b"\xff\xfe\x00", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_malformed(raw):
    with pytest.raises(MalformedEvent):
        parse_json_body(raw)


def test_an_unknown_event_type_cannot_be_published():
    with pytest.raises(SchemaViolation):
        CATALOG.schema_uri("case.teleported")


def test_every_schema_names_its_producer_among_the_four_services():
    services = {p.name for p in (ROOT / "services").iterdir() if (p / "service.py").exists()}
    assert services == {"registration", "enforcement", "ip_protection", "legal_review"}
    for event_type in CATALOG.event_types:
        assert CATALOG.producer(event_type) in services, event_type


def test_the_committed_asyncapi_document_is_the_one_generated_from_the_catalog():
    committed = (ROOT / "docs" / "asyncapi.yaml").read_text("utf-8")
    assert committed == render(CATALOG), "run `make asyncapi` and commit docs/asyncapi.yaml"


def test_every_event_the_code_publishes_is_in_the_catalog_with_its_producer():
    """A static read of every ``uow.publish("<type>"`` in services/: the type exists in the catalog
    (hence in the AsyncAPI document) and is published by the service that the schema names."""
    pattern = re.compile(r"""\.publish\(\s*["']([a-z_.]+)["']""")
    for path in (ROOT / "services").rglob("*.py"):
        service = path.relative_to(ROOT / "services").parts[0]
        for event_type in pattern.findall(path.read_text("utf-8")):
            assert event_type in CATALOG.event_types, f"{path}: {event_type} has no schema"
            assert CATALOG.producer(event_type) == service, f"{path}: {event_type} belongs to another service"


def test_asyncapi_messages_carry_the_envelope_and_the_data_schema():
    import yaml
    document = yaml.safe_load(render(CATALOG))
    assert document["asyncapi"] == "3.0.0"
    message = document["components"]["messages"]["penalty_decided"]
    assert message["payload"]["properties"]["type"] == {"const": "penalty.decided"}
    assert "decision_no" in message["payload"]["properties"]["data"]["required"]
    assert document["channels"]["penalty_decided"]["bindings"]["amqp"]["exchange"]["name"] == "enforcement.events"
    assert json.dumps(document, ensure_ascii=False)  # plain data, serialisable


def test_a_published_event_is_refused_for_an_overlong_subject_or_flow_id_as_receivers_would_refuse_it():
    with pytest.raises(SchemaViolation, match="subject"):
        CATALOG.check(Event(type="review.cleared", source=source_of("legal_review"), subject="长" * 201,
                            data=review_cleared().data, dataschema=CATALOG.schema_uri("review.cleared")))
    with pytest.raises(SchemaViolation, match="correlationid"):
        CATALOG.check(Event(type="review.cleared", source=source_of("legal_review"), subject="s",
                            data=review_cleared().data, dataschema=CATALOG.schema_uri("review.cleared"),
                            correlationid="x" * 101))
    for event in (review_cleared(), review_cleared(major=True, grounds=["M-FINE"])):
        CATALOG.parse(json.loads(CATALOG.check(event).to_json()))  # what passes check passes parse

