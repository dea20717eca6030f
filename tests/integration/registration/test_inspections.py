"""I-DRAW through the broker: enforcement's target library follows registration's events; a draw is
reproducible from its seed and verifiable; results are recorded by the drawn inspectors, published,
and flow back into the register (a suspected violation becomes a clue; "not found at the registered
address" lists the entity, R-ABNORMAL)."""
from __future__ import annotations


import pytest
import requests

from shared.store import CATALOG
from tests.integration.enforcement.conftest import ENFORCEMENT_QUEUES, SUPERVISOR, Bus, Enforcement
from tests.integration.registration.conftest import TODAY
from tests.support.amqp import purge_queues
from tests.support.tokens import bearer
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

INSPECTORS = [f"I-{n:03d}" for n in range(1, 6)]


def _token(staff_id: str) -> dict:
    return bearer(["officer"], sub=staff_id, cert_no=f"C{staff_id}", cert_expires="2099-12-31")


def _pair(first: str, second: str) -> dict:
    return {**_token(first), "X-Second-Officer": _token(second)["Authorization"]}


@pytest.fixture
def district(registration, database_factory, processes, test_vhost_uri):
    purge_queues(test_vhost_uri, *ENFORCEMENT_QUEUES)
    enforcement = Enforcement(processes("enforcement", {"DATABASE_URL": database_factory("enforcement"),
                                                        "AMQP_URI": test_vhost_uri}))
    bus = Bus(test_vhost_uri, exchanges=("enforcement.events", "registration.events"))
    yield registration, enforcement, bus
    bus.close()


def _targets(enforcement, expected: int, **filters) -> dict:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return eventually(lambda: enforcement.get(f"/inspections/targets?limit=500&{query}"),
                      lambda page: page["total"] >= expected, timeout=30, pause=0.2)


def test_i_draw_reproducible_conflict_free_verifiable_and_its_results_flow_back(district):
    registration, enforcement, bus = district
    made = [registration.register("enterprise", sector="food_sales")["uscc"] for _ in range(12)]
    deregistered = registration.register("enterprise", sector="food_sales", established_on="2015-01-01")["uscc"]
    registration.post(f"/entities/{deregistered}/deregistration", {
        "mode": "ordinary", "on": TODAY.isoformat(), "liquidation_completed_on": TODAY.isoformat()})
    registration.register("individual_business", sector="catering")
    page = _targets(enforcement, 14)
    assert page["total"] == 14
    eventually(lambda: enforcement.get("/inspections/targets?status=deregistered"),
               lambda page: page["total"] == 1, pause=0.2)
    assert [t["uscc"] for t in enforcement.get("/inspections/targets?status=deregistered")["items"]] == [deregistered]

    conflicted = made[0]
    for staff_id in INSPECTORS:
        put = requests.put(f"{enforcement.url}/inspectors/{staff_id}", headers=SUPERVISOR, timeout=10,
                           json={"name": f"检查员{staff_id}", "cert_expires": "2099-12-31",
                                 "conflicts": [conflicted] if staff_id == "I-001" else []})
        assert put.status_code == 200, put.text
    body = {"item": {"name": "2026年食品销售者双随机抽查", "categories": ["enterprise"], "sectors": ["food_sales"]},
            "sample_size": 12, "team_size": 2, "seed": "jiedong-2026-12-food"}
    first = enforcement.post("/inspections/draws", body).json()
    again = enforcement.post("/inspections/draws", body).json()
    assert first["draw_id"] != again["draw_id"]
    assert first["assignments"] == again["assignments"]  # same seed, same library: the same draw
    assert sorted(a["uscc"] for a in first["assignments"]) == sorted(made)  # never the deregistered one
    for assignment in first["assignments"]:
        assert len(set(assignment["inspectors"])) == 2
        if assignment["uscc"] == conflicted:
            assert "I-001" not in assignment["inspectors"]
    verification = enforcement.get(f"/inspections/draws/{first['draw_id']}/verification")
    assert verification == {**verification, "valid": True, "seed": "jiedong-2026-12-food", "candidates": 12}
    drawn = bus.wait_for("inspection.drawn", draw_id=first["draw_id"])
    CATALOG.parse(drawn)

    suspected, unreachable = first["assignments"][0], first["assignments"][1]
    outsider = next(s for s in INSPECTORS if s not in suspected["inspectors"])
    enforcement.post(f"/inspections/{first['draw_id']}/results",
                     {"uscc": suspected["uscc"], "inspected_on": TODAY.isoformat(), "outcome": "no_problem"},
                     headers=_pair(suspected["inspectors"][0], outsider), expect=403)
    result = enforcement.post(f"/inspections/{first['draw_id']}/results", {
        "uscc": suspected["uscc"], "inspected_on": TODAY.isoformat(), "outcome": "violation_suspected",
        "findings": "货架上有超过保质期的食品 3 批次"}, headers=_pair(*suspected["inspectors"])).json()
    clue = enforcement.get(f"/clues/{result['clue_id']}")
    assert clue["source"] == "inspection" and clue["subject"]["uscc"] == suspected["uscc"]
    enforcement.post(f"/inspections/{first['draw_id']}/results",
                     {"uscc": suspected["uscc"], "inspected_on": TODAY.isoformat(), "outcome": "no_problem"},
                     headers=_pair(*suspected["inspectors"]), expect=409)
    enforcement.post(f"/inspections/{first['draw_id']}/results", {
        "uscc": unreachable["uscc"], "inspected_on": TODAY.isoformat(), "outcome": "not_found_at_address"},
        headers=_pair(*unreachable["inspectors"]))

    recorded = bus.wait_for("inspection.result_recorded", uscc=suspected["uscc"])
    assert recorded["data"]["publication_due"] > TODAY.isoformat()
    public = requests.get(f"{enforcement.url}/public/inspection-results", timeout=10).json()
    assert {i["uscc"] for i in public["items"]} == {suspected["uscc"], unreachable["uscc"]}
    listed = registration.wait_until(unreachable["uscc"], lambda v: v["listings"])
    assert [(l["list"], l["ground"]) for l in listed["listings"]] == [("abnormal", "unreachable")]
    bus.wait_for("entity.abnormal_listed", uscc=unreachable["uscc"])
    # The register's credit risk reaches the target library, so a later item can filter on it.
    assert _targets(enforcement, 1, credit_risk="medium")["items"][0]["uscc"] == unreachable["uscc"]


def test_i_draw_refuses_what_cannot_be_drawn_fairly(district):
    registration, enforcement, _bus = district
    uscc = registration.register("cooperative")["uscc"]
    _targets(enforcement, 1)
    requests.put(f"{enforcement.url}/inspectors/I-001", headers=SUPERVISOR, timeout=10,
                 json={"name": "检查员甲", "conflicts": [uscc]})
    requests.put(f"{enforcement.url}/inspectors/I-002", headers=SUPERVISOR, timeout=10, json={"name": "检查员乙"})
    requests.put(f"{enforcement.url}/inspectors/I-003", headers=SUPERVISOR, timeout=10, json={"name": "检查员丙"})
    item = {"name": "合作社抽查", "categories": ["cooperative"]}
    too_many = enforcement.post("/inspections/draws", {"item": item, "sample_size": 2, "team_size": 2},
                                expect=422).json()
    assert "I-DRAW" in too_many["detail"]
    conflicted = enforcement.post("/inspections/draws", {"item": item, "sample_size": 1, "team_size": 3},
                                  expect=422).json()
    assert "I-DRAW" in conflicted["detail"] and uscc in conflicted["detail"]
    alone = enforcement.post("/inspections/draws", {"item": item, "sample_size": 1, "team_size": 1}, expect=422)
    assert alone.json()["errors"]  # the schema: at least two inspectors per target
    ok = enforcement.post("/inspections/draws", {"item": item, "sample_ratio": 1, "team_size": 2}).json()
    assert ok["assignments"][0]["uscc"] == uscc and "I-001" not in ok["assignments"][0]["inspectors"]
    assert len(ok["seed"]) >= 16  # a seed nobody chose is generated and recorded
