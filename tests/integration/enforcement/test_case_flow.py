"""A case from clue to closure through the real broker, and the legal-review gate (CONTRACT §4).

legal_review's answers are published by the test on ``legal_review.events``, exactly as the
legal_review service publishes them.
"""
from __future__ import annotations

import pytest
import requests

from shared.store import CATALOG
from tests.integration.enforcement.conftest import OFFICER, SECOND, SUPERVISOR
from tests.support.tokens import bearer

pytestmark = pytest.mark.integration


def test_a_full_ordinary_case_ends_closed_with_every_event_in_order_one_correlation_id_valid(enforcement, events):
    case_no = enforcement.open_case()
    enforcement.post(f"/cases/{case_no}/evidence", {"kind": "physical", "description": "过期食品 12 箱",
                                                    "content": "现场检查笔录及照片", "collected_on": "2026-11-24"},
                     headers=OFFICER, second=True)
    enforcement.propose(case_no)
    proposed = events.wait_for("decision.proposed", case_no=case_no)
    events.publish_review("approved", proposed, major=True, grounds=["M-FINE"], review_id="R-1")
    enforcement.wait_state(case_no, "cleared")
    enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": "2026-11-25"}, headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/statements", {"received_on": "2026-11-26", "waived": True}, headers=OFFICER)
    decided = enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": "2026-11-27",
                                                                "party_present": True}, second=True).json()
    assert decided["state"] == "decided" and decided["decision"]["decision_no"] == "揭东市监处罚〔2026〕1号"
    enforcement.post(f"/cases/{case_no}/service", {"served_on": "2026-11-27", "party_present": True},
                     headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/payments", {"paid_on": "2026-12-01", "amount_yuan": 150_000},
                     headers=OFFICER)
    closed = enforcement.post(f"/cases/{case_no}/closure", {"closed_on": "2026-12-02"}).json()
    assert closed["state"] == "closed" and closed["closing_ground"] == "decision fully performed"

    events.wait_for("case.closed", case_no=case_no)
    seen = events.events()
    assert [e["type"] for e in seen] == ["clue.received", "case.opened", "decision.proposed", "case.pre_notified",
                                         "penalty.decided", "penalty.paid", "case.closed"]
    assert len({e["correlationid"] for e in seen}) == 1  # one flow, from the clue to the closure
    for event in seen:
        CATALOG.parse(event)
    decided_event = seen[4]["data"]
    assert decided_event["proposal_hash"] == proposed["data"]["proposal_hash"]
    assert decided_event["review_id"] == "R-1"
    verification = enforcement.get(f"/cases/{case_no}/record/verification")
    assert verification["valid"] and verification["entries"] == 11  # every command, and the review


def test_a_decision_is_409_until_that_exact_proposal_is_approved_and_again_after_it_changes(enforcement, events):
    case_no = enforcement.open_case()
    enforcement.propose(case_no, fine=150_000)
    first = events.wait_for("decision.proposed", case_no=case_no)

    before = enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": "2026-11-30"},
                              second=True, expect=409)
    assert before.headers["Content-Type"].startswith("application/problem+json")
    assert "awaiting_review" in before.json()["detail"]

    events.publish_review("approved", first, major=True, grounds=["M-FINE"], review_id="R-1")
    enforcement.wait_state(case_no, "cleared")
    enforcement.propose(case_no, fine=180_000)  # a changed proposal: a new hash, no clearance
    second = events.wait_for("decision.proposed", case_no=case_no, proposal_id=enforcement.get(
        f"/cases/{case_no}")["proposals"][-1]["proposal_id"])
    assert second["data"]["proposal_hash"] != first["data"]["proposal_hash"]
    refused = enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": "2026-11-30"}, expect=409)
    assert "awaiting_review" in refused.json()["detail"]
    refused = enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": "2026-11-30"},
                               second=True, expect=409)

    # a late approval of the old hash does not clear the new proposal
    events.publish_review("approved", first, major=True, grounds=["M-FINE"], review_id="R-1")
    events.publish_review("approved", second, major=True, grounds=["M-FINE"], review_id="R-2")
    case = enforcement.wait_state(case_no, "cleared")
    assert case["proposals"][0]["clearance"] == "approved" and case["proposals"][1]["review_id"] == "R-2"


def test_a_returned_proposal_goes_back_to_investigation(enforcement, events):
    case_no = enforcement.open_case()
    enforcement.propose(case_no)
    proposed = events.wait_for("decision.proposed", case_no=case_no)
    events.publish_review("returned", proposed, major=True, grounds=["M-FINE"], review_id="R-3")
    case = enforcement.wait_state(case_no, "investigating")
    assert case["proposals"][0]["clearance"] == "returned"


@pytest.mark.parametrize("label, second_header, status", [
    ("one officer", None, 403),
    ("the same officer twice", SUPERVISOR["Authorization"], 403),
    ("an expired certificate", bearer(["officer"], sub="O-9", cert_no="C9", cert_expires="2020-01-01")["Authorization"],
     403),
    ("a second officer without a certificate", bearer(["officer"], sub="O-8")["Authorization"], 403),
    ("a wrong role", bearer(["reviewer"], sub="R-7", cert_no="C7", cert_expires="2099-12-31")["Authorization"], 403),
    ("a forged token", "Bearer not-a-token", 403),
])
def test_o_two_filing_needs_two_distinct_officers_with_valid_certificates(enforcement, label, second_header, status):
    clue = enforcement.post("/clues", {"source": "report", "received_on": "2026-11-20", "summary": "无照经营",
                                       "subject": {"name": "张三", "kind": "natural_person"}}).json()
    headers = {**SUPERVISOR, **({"X-Second-Officer": second_header} if second_header else {})}
    answer = requests.post(f"{enforcement.url}/clues/{clue['clue_id']}/filing-decision",
                           json={"decision": "file", "decided_on": "2026-11-24"}, headers=headers, timeout=10)
    assert answer.status_code == status, (label, answer.text)
    assert "O-TWO" in answer.json()["detail"], label
    expired_caller = bearer(["supervisor"], sub="S-5", cert_no="C5", cert_expires="2026-01-01")
    answer = requests.post(f"{enforcement.url}/clues/{clue['clue_id']}/filing-decision",
                           json={"decision": "file", "decided_on": "2026-11-24"}, headers={**expired_caller, **SECOND},
                           timeout=10)
    assert answer.status_code == 403


def test_d_limit_refuses_filing_a_violation_past_its_limitation_period(enforcement):
    clue = enforcement.post("/clues", {"source": "report", "received_on": "2026-11-20", "summary": "旧案",
                                       "subject": {"name": "李四", "kind": "natural_person"},
                                       "violation": {"ended_on": "2024-11-19"}}).json()
    refused = enforcement.post(f"/clues/{clue['clue_id']}/filing-decision",
                               {"decision": "file", "decided_on": "2026-11-24"}, second=True, expect=422)
    assert "D-LIMIT" in refused.json()["detail"]
    clue = enforcement.post("/clues", {"source": "report", "received_on": "2026-11-19", "summary": "旧案",
                                       "subject": {"name": "李四", "kind": "natural_person"},
                                       "violation": {"ended_on": "2024-11-19"}}).json()
    enforcement.post(f"/clues/{clue['clue_id']}/filing-decision", {"decision": "file", "decided_on": "2026-11-24"},
                     second=True)  # discovered on the anniversary: still within two years


def test_a_judiciary_threshold_blocks_a_penalty_until_transferred_and_declined(enforcement, events):
    case_no = enforcement.open_case()
    enforcement.propose(case_no, findings={"offences": ["140"], "sales_yuan": 50_000})
    proposed = events.wait_for("decision.proposed", case_no=case_no)
    assert [t["rule"] for t in proposed["data"]["judiciary_thresholds"]] == ["J-140"]
    events.publish_review("approved", proposed, major=True, grounds=["M-FINE", "M-TRANSFER"], review_id="R-4")
    enforcement.wait_state(case_no, "cleared")
    enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": "2026-11-25"}, headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/statements", {"received_on": "2026-11-25", "waived": True}, headers=OFFICER)
    refused = enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": "2026-11-27"},
                               second=True, expect=409)
    assert "J-DUTY" in refused.json()["detail"] and refused.json()["thresholds"][0]["rule"] == "J-140"

    enforcement.post(f"/cases/{case_no}/judiciary-transfers", {"receiving_organ": "揭阳市公安局揭东分局",
                                                               "transferred_on": "2026-11-27"})
    transferred = events.wait_for("case.transferred_to_judiciary", case_no=case_no)
    assert transferred["data"]["rule"] == "J-140" and transferred["data"]["amounts"]["sales_yuan"] == 50_000
    enforcement.post(f"/cases/{case_no}/judiciary-receipts", {"decision": "declined", "received_on": "2026-11-30",
                                                              "reason": "不构成犯罪"}, headers=OFFICER)
    case = enforcement.wait_state(case_no, "investigating")
    assert case["transfer_declined"] is True
