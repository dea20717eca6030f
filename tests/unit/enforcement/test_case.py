"""The case state machine, without I/O: transitions, the legal-review gate, J-DUTY, D-STATEMENT."""
from __future__ import annotations

from datetime import date

import pytest

from services.enforcement.domain.case import ALLOWED, Case, CaseState, IllegalTransition
from shared.errors import Conflict, RuleViolation

TODAY = date(2026, 12, 31)
HASHLESS = {"penalty": {"kinds": ["fine"], "fine_amount_yuan": "150000.00"}, "facts": "事实", "legal_basis": ["x"]}


def new_case() -> Case:
    return Case(case_no="JD-2026-000001", clue_id="XS-2026-000001", subject={"name": "某公司", "kind": "organisation"},
                category="food", handlers=["O-1", "O-2"], filed_on="2026-11-02", correlation_id="c-1")


def cleared_case() -> Case:
    case = new_case()
    proposal = case.propose("P-1", HASHLESS, date(2026, 11, 10))
    case.record_review(proposal.hash, "approved", major=True, grounds=["M-FINE"], review_id="R-1", opinion="同意")
    return case


def test_an_illegal_transition_names_the_state_and_what_is_allowed():
    case = new_case()
    with pytest.raises(IllegalTransition) as caught:
        case.pre_notify(date(2026, 11, 3), TODAY)
    assert caught.value.status == 409
    assert "investigating" in caught.value.detail and "propose" in caught.value.detail
    assert caught.value.extensions["allowed"] == sorted(c for c, s in ALLOWED.items() if CaseState.INVESTIGATING in s)


def test_a_proposal_is_identified_by_its_content_hash_and_a_change_is_a_new_proposal():
    case = new_case()
    first = case.propose("P-1", HASHLESS, date(2026, 11, 10))
    same_content = new_case().propose("P-1", HASHLESS, date(2026, 11, 11))
    assert first.hash == same_content.hash and len(first.hash) == 64  # same case, id and content
    other_round = new_case().propose("P-9", HASHLESS, date(2026, 11, 11))
    assert other_round.hash != first.hash  # the same wording proposed again is another proposal
    changed = case.propose("P-2", {**HASHLESS, "facts": "事实（修改）"}, date(2026, 11, 12))
    assert changed.hash != first.hash and case.current_proposal is changed
    assert case.state is CaseState.AWAITING_REVIEW


def test_no_pre_notice_or_decision_without_clearance_of_the_current_proposal():
    case = new_case()
    first = case.propose("P-1", HASHLESS, date(2026, 11, 10))
    with pytest.raises(Conflict):
        case.require_clearance()
    case.record_review(first.hash, "approved", major=True, grounds=["M-FINE"], review_id="R-1", opinion=None)
    assert case.state is CaseState.CLEARED
    second = case.propose("P-2", {**HASHLESS, "facts": "改"}, date(2026, 11, 12))
    with pytest.raises(Conflict, match="no legal clearance"):
        case.require_clearance()
    # an approval arriving for the superseded proposal changes nothing
    assert case.record_review(first.hash, "approved", major=True, grounds=[], review_id="R-1", opinion=None) is False
    assert case.state is CaseState.AWAITING_REVIEW
    assert case.record_review(second.hash, "cleared", major=False, grounds=[], review_id=None, opinion=None)
    assert case.require_clearance() is second


def test_a_returned_proposal_sends_the_case_back_to_investigation():
    case = new_case()
    proposal = case.propose("P-1", HASHLESS, date(2026, 11, 10))
    case.record_review(proposal.hash, "returned", major=True, grounds=["M-FINE"], review_id="R-1", opinion="事实不清")
    assert case.state is CaseState.INVESTIGATING and proposal.opinion == "事实不清"


def test_d_statement_no_decision_inside_the_statement_window_without_a_statement_or_waiver():
    case = cleared_case()
    case.pre_notify(date(2026, 11, 16), TODAY)
    decision = {"outcome": "penalty", "penalty": {"fine_amount_yuan": 150000}}
    with pytest.raises(Conflict, match="D-STATEMENT"):
        case.decide(decision, statement_deadline=date(2026, 11, 23), on=date(2026, 11, 23), judiciary_thresholds=[])
    case.decide(decision, statement_deadline=date(2026, 11, 23), on=date(2026, 11, 24), judiciary_thresholds=[])
    assert case.state is CaseState.DECIDED and case.decision["proposal_hash"] == case.current_proposal.hash


def test_j_duty_a_met_threshold_refuses_a_penalty_until_the_police_decline():
    case = cleared_case()
    case.pre_notify(date(2026, 11, 16), TODAY)
    met = [{"rule": "J-140"}]
    decision = {"outcome": "penalty", "penalty": {}, "party_waived_statement": True}
    with pytest.raises(Conflict, match="J-DUTY"):
        case.decide(decision, statement_deadline=date(2026, 11, 23), on=date(2026, 11, 24), judiciary_thresholds=met)
    case.transfer_to_judiciary({"receiving_organ": "公安"}, date(2026, 11, 24))
    case.record_police_receipt({"decision": "declined"}, date(2026, 11, 27))
    assert case.state is CaseState.INVESTIGATING and case.transfer_declined


def test_closure_needs_a_closing_ground():
    case = cleared_case()
    case.pre_notify(date(2026, 11, 16), TODAY)
    case.decide({"outcome": "penalty", "penalty": {"fine_amount_yuan": 100}, "party_waived_statement": True},
                statement_deadline=date(2026, 11, 23), on=date(2026, 11, 24), judiciary_thresholds=[])
    case.serve(date(2026, 11, 24), party_present=True)
    with pytest.raises(Conflict, match="closing ground"):
        case.close(date(2026, 11, 25))
    from decimal import Decimal
    case.record_payment(date(2026, 12, 1), Decimal(100), Decimal(0))
    case.close(date(2026, 12, 2))
    assert case.state is CaseState.CLOSED


def test_a_suspension_cannot_start_before_filing_nor_end_before_it_started():
    case = new_case()
    with pytest.raises(RuleViolation):
        case.suspend(date(2026, 11, 1), "检验", TODAY)
    case.suspend(date(2026, 11, 5), "检验", TODAY)
    with pytest.raises(RuleViolation):
        case.resume(date(2026, 11, 4), TODAY)
    case.resume(date(2026, 11, 15), TODAY)
    assert case.paused == [["2026-11-05", "2026-11-15"]]


def test_a_case_round_trips_through_its_stored_form():
    case = cleared_case()
    assert Case.from_dict(case.to_dict()) == case


def test_a_later_proposal_needs_its_own_pre_notice_and_dates_cannot_be_in_the_future():
    case = cleared_case()
    case.pre_notify(date(2026, 11, 16), TODAY)
    heavier = case.propose("P-2", {**HASHLESS, "penalty": {"kinds": ["fine"], "fine_amount_yuan": "190000.00"}},
                           date(2026, 11, 17))
    case.record_review(heavier.hash, "approved", major=True, grounds=["M-FINE"], review_id="R-2", opinion=None)
    decision = {"outcome": "penalty", "penalty": {}, "party_waived_statement": True}
    with pytest.raises(Conflict, match="new pre-notice"):
        case.decide(decision, statement_deadline=date(2026, 11, 23), on=date(2026, 11, 24), judiciary_thresholds=[])
    with pytest.raises(RuleViolation, match="after today"):
        case.pre_notify(date(2027, 1, 5), TODAY)
    case.pre_notify(date(2026, 11, 18), TODAY)
    case.decide(decision, statement_deadline=date(2026, 11, 25), on=date(2026, 11, 26), judiciary_thresholds=[])
    assert case.decision["proposal_hash"] == heavier.hash
