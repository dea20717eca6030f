"""The register through the real service: R-USCC on input and for new codes, history of changes,
and every change an event a plain pika subscriber sees."""
from __future__ import annotations

import json

import pytest

from shared.law.uscc import generate, parse, validate
from shared.store import CATALOG
from tests.integration.registration.conftest import entity_body
from tests.support.tokens import bearer

pytestmark = pytest.mark.integration


def test_r_uscc_a_new_registration_gets_a_valid_district_code_and_others_learn_of_it(registration, register_events):
    body = entity_body("individual_business")
    created = registration.post("/entities", body).json()
    parts = parse(validate(created["uscc"]))
    assert parts.division == "445203" and parts.category.value == "individual_business"
    assert created["status"] == "active" and created["credit_risk"] == "low"
    assert created["legal_representative"] == body["legal_representative"]  # registrars see it all

    event = register_events.wait_for("entity.registered", uscc=created["uscc"])
    CATALOG.parse(event)
    assert event["data"]["name"] == body["name"]  # Chinese text byte for byte
    assert body["legal_representative"]["id_number"] not in json.dumps(event)  # never in an event
    assert registration.get(f"/entities/{created['uscc']}")["name"] == body["name"]


@pytest.mark.parametrize("code, check", [
    ("91440300708461136t", "lower_case"),
    ("91440300708461136", "length"),
    ("9144030070846113I6T", "length"),
    ("914403007084611I6T", "alphabet"),
    ("91440300708461126T", "organisation_check"),
    ("91440300708461136Y", "check_character"),
])
def test_r_uscc_a_wrong_code_is_refused_with_the_failing_check_named(registration, code, check):
    answer = registration.post("/entities", entity_body(uscc=code), expect=422).json()
    assert answer["check"] == check and "R-USCC" in answer["detail"], answer
    assert registration.get(f"/entities/{code}", expect=422)["check"] == check


def test_r_uscc_a_valid_code_is_taken_once_and_must_match_the_category(registration):
    code = generate("enterprise", 777_001)
    assert registration.post("/entities", entity_body(uscc=code)).json()["uscc"] == code
    assert registration.post("/entities", entity_body(uscc=code), expect=409).status_code == 409
    mismatch = registration.post("/entities", entity_body("individual_business", uscc=generate("enterprise", 777_002)),
                                 expect=422).json()
    assert mismatch["check"] == "category"
    known = registration.post("/entities", entity_body(uscc="91350100M000100Y43")).json()  # from DOMAIN.md
    assert known["uscc"] == "91350100M000100Y43"
    registration.get(f"/entities/{generate('enterprise', 777_003)}", expect=404)


def test_a_change_keeps_the_old_values_and_is_announced_without_personal_data(registration, register_events):
    created = registration.register("enterprise")
    uscc = created["uscc"]
    new_rep = {"name": "林晓红", "id_number": "445203199001011237"}
    changed = registration.post(f"/entities/{uscc}/changes", {
        "changed_on": created["established_on"], "reason": "法定代表人变更",
        "changes": {"legal_representative": new_rep, "address": "广东省揭阳市揭东区曲溪街道新风路8号"}}).json()
    assert changed["legal_representative"] == new_rep
    [entry] = changed["history"]
    assert {c["field"] for c in entry["changes"]} == {"legal_representative", "address"}
    assert entry["changes"][0]["old"] == created["legal_representative"] or \
        entry["changes"][1]["old"] == created["legal_representative"]
    event = register_events.wait_for("entity.changed", uscc=uscc)
    assert "445203199001011237" not in json.dumps(event) and created["legal_representative"]["id_number"] \
        not in json.dumps(event)
    again = registration.post(f"/entities/{uscc}/changes", {
        "changed_on": created["established_on"], "reason": "无", "changes": {"address": changed["address"]}},
        expect=422).json()
    assert "alters nothing" in again["detail"]


def test_the_register_pages_and_filters(registration):
    made = [registration.register("cooperative", town="埔田镇")["uscc"] for _ in range(3)]
    page = registration.get("/entities?category=cooperative&town=埔田镇&limit=2")
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = registration.get(f"/entities?category=cooperative&town=埔田镇&limit=2&cursor={page['next_cursor']}")
    assert sorted(i["uscc"] for i in page["items"] + rest["items"]) == sorted(made)
    assert registration.get("/entities?q=%25")["items"] == []  # a LIKE wildcard is text, not a pattern


def test_only_registrars_write_and_the_credit_record_is_public(registration):
    body = entity_body()
    officer = bearer(["officer"], sub="O-1", cert_no="C1", cert_expires="2099-12-31")
    registration.post("/entities", body, headers=officer, expect=403)
    uscc = registration.post("/entities", body).json()["uscc"]
    public = registration.get(f"/entities/{uscc}/credit", headers={})
    assert public["uscc"] == uscc and public["entries"] == [] and public["credit_risk"] == "low"
    assert "legal_representative" not in public
