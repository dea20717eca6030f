"""Hearings (H-RIGHT, D-HEARING, O-SEPARATE, M-HEARING), recusal (O-RECUSE), the simplified
procedure (S-SIMPLE) and the clue extension (D-CLUE), through the running service."""
from __future__ import annotations

import pytest

from shared.calendar import WorkingDayCalendar
from tests.integration.enforcement.conftest import OFFICER, SUPERVISOR

pytestmark = pytest.mark.integration


def _cleared_and_pre_notified(enforcement, events, served_on="2026-11-02"):
    case_no = enforcement.open_case(received_on="2026-10-26", filed_on="2026-10-27")
    enforcement.propose(case_no, fine=150_000)  # a large fine for an organisation: H-RIGHT
    proposed = events.wait_for("decision.proposed", case_no=case_no)
    events.publish_review("approved", proposed, major=True, grounds=["M-FINE"], review_id="R-1")
    enforcement.wait_state(case_no, "cleared")
    enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": served_on}, headers=OFFICER)
    return case_no


def test_a_hearing_is_notified_seven_working_days_ahead_chaired_by_a_non_investigator_then_reviewed_again(
        enforcement, events):
    case_no = _cleared_and_pre_notified(enforcement, events)
    pre_notified = events.wait_for("case.pre_notified", case_no=case_no)
    assert pre_notified["data"]["hearing_right"]  # H-RIGHT: the large fine
    late = WorkingDayCalendar().add_working_days(__import__("datetime").date(2026, 11, 2), 6).isoformat()
    refused = enforcement.post(f"/cases/{case_no}/hearing-requests", {"requested_on": late}, headers=OFFICER,
                               expect=422)
    assert "D-HEARING" in refused.json()["detail"]
    enforcement.post(f"/cases/{case_no}/hearing-requests", {"requested_on": "2026-11-05"}, headers=OFFICER)
    events.wait_for("hearing.requested", case_no=case_no)

    chaired_by_investigator = enforcement.post(f"/cases/{case_no}/hearings", {
        "notice_served_on": "2026-11-06", "hearing_on": "2026-11-20", "chair": "S-0001"}, expect=422)
    assert "O-SEPARATE" in chaired_by_investigator.json()["detail"]
    # 7 full working days between 2026-11-06 (Fri) and the hearing: 11-09..11-17, so 11-18 at the earliest
    too_soon = enforcement.post(f"/cases/{case_no}/hearings", {
        "notice_served_on": "2026-11-06", "hearing_on": "2026-11-17", "chair": "H-0100"}, expect=422)
    assert "D-HEARING" in too_soon.json()["detail"]
    enforcement.post(f"/cases/{case_no}/hearings", {"notice_served_on": "2026-11-06", "hearing_on": "2026-11-18",
                                                    "chair": "H-0100"})
    decide = {"outcome": "penalty", "decided_on": "2026-11-19"}
    assert "hold it" in enforcement.post(f"/cases/{case_no}/decisions", decide, second=True, expect=409).json()["detail"]
    enforcement.post(f"/cases/{case_no}/hearings/held", {"held_on": "2026-11-18", "transcript": "听证笔录"},
                     headers=OFFICER)
    refused = enforcement.post(f"/cases/{case_no}/decisions", decide, second=True, expect=409)
    assert "M-HEARING" in refused.json()["detail"]

    enforcement.propose(case_no, fine=120_000)  # the proposal after the hearing
    after = events.wait_for("decision.proposed", case_no=case_no, hearing_held=True)
    events.publish_review("approved", after, major=True, grounds=["M-FINE", "M-HEARING"], review_id="R-2")
    enforcement.wait_state(case_no, "cleared")
    decided = enforcement.post(f"/cases/{case_no}/decisions", decide, second=True).json()
    assert decided["state"] == "decided" and decided["decision"]["proposal_hash"] == after["data"]["proposal_hash"]
    # the hearing period (request to hearing) did not count toward D-DECIDE
    assert decided["paused"] == [["2026-11-05", "2026-11-18"]]


def test_o_recuse_replaces_the_officer_and_records_who_decided(enforcement):
    case_no = enforcement.open_case()
    bad = enforcement.post(f"/cases/{case_no}/recusals", {"officer": "O-0003", "replacement": "S-0001",
                                                          "reason": "亲属关系", "on": "2026-11-25"}, expect=422)
    assert "O-TWO" in bad.json()["detail"]
    case = enforcement.post(f"/cases/{case_no}/recusals", {"officer": "O-0003", "replacement": "O-0042",
                                                           "reason": "与当事人有亲属关系", "on": "2026-11-25"}).json()
    assert case["handlers"] == ["S-0001", "O-0042"]
    assert case["recusals"][0]["decided_by"] == "S-0001"
    record = enforcement.get(f"/cases/{case_no}/record")["entries"]
    assert record[-1]["action"] == "officer.recused" and record[-1]["actor"] == "S-0001"


@pytest.mark.parametrize("party, fine, allowed", [
    ({"name": "王五", "kind": "natural_person"}, 200, True),
    ({"name": "王五", "kind": "natural_person"}, 201, False),
    ({"uscc": "91440300708461136T", "name": "某公司", "kind": "organisation"}, 3000, True),
    ({"uscc": "91440300708461136T", "name": "某公司", "kind": "organisation"}, 3001, False),
])
def test_s_simple_on_the_spot_fines_up_to_the_limits_and_not_beyond(enforcement, events, party, fine, allowed):
    body = {"subject": party, "decided_on": "2026-11-25", "facts": "占道经营", "legal_basis": ["某条例第十条"],
            "penalty": {"kinds": ["fine"], "fine_amount_yuan": fine}, "paid_on_the_spot": True}
    answer = enforcement.post("/simple-decisions", body, headers=OFFICER, expect=201 if allowed else 422)
    if allowed:
        decided = events.wait_for("penalty.decided", case_no=answer.json()["case_no"])
        assert decided["data"]["procedure"] == "simplified"  # not published (P-SCOPE)
        closed = enforcement.post(f"/cases/{answer.json()['case_no']}/closure", {"closed_on": "2026-11-25"},
                                  headers=SUPERVISOR).json()
        assert closed["state"] == "closed"
    else:
        assert "S-SIMPLE" in answer.json()["detail"]


def test_d_clue_one_extension_of_fifteen_working_days(enforcement):
    clue = enforcement.post("/clues", {"source": "complaint", "received_on": "2026-11-20", "summary": "投诉",
                                       "subject": {"name": "赵六", "kind": "natural_person"}}).json()
    calendar = WorkingDayCalendar()
    from datetime import date
    assert clue["filing_due"]["due"] == calendar.add_working_days(date(2026, 11, 20), 15).isoformat()
    extended = enforcement.post(f"/clues/{clue['clue_id']}/extension", {"approved_on": "2026-11-25",
                                                                        "reason": "需要检验"}).json()
    assert extended["filing_due"]["due"] == calendar.add_working_days(date(2026, 11, 20), 30).isoformat()
    again = enforcement.post(f"/clues/{clue['clue_id']}/extension", {"approved_on": "2026-11-26", "reason": "再延"},
                             expect=409)
    assert "one extension" in again.json()["detail"]
