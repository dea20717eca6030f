"""R-DEREG through the broker: registration learns of a filed case and an unpaid penalty from the real
enforcement service's events (its own read model), refuses simplified deregistration while they last,
and accepts it once the case is closed and the penalty paid; objections and the 20-day boundaries."""
from __future__ import annotations


import pytest

from tests.integration.enforcement.conftest import OFFICER
from tests.integration.registration.conftest import TODAY, days_ago
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SIGNED = {"all_investors_signed": True, "debts_settled": True}


def _barriers(view) -> list[str]:
    return [b["code"] for b in view["deregistration_barriers"]]


def test_r_dereg_refused_while_a_case_is_open_or_its_penalty_unpaid_accepted_after(registration, peers,
                                                                                     register_events):
    enforcement = peers
    entity = registration.register("enterprise", established_on="2015-06-01")
    uscc = entity["uscc"]
    subject = {"uscc": uscc, "name": entity["name"], "kind": "organisation"}
    case_no = enforcement.open_case(subject=subject)
    registration.wait_until(uscc, lambda v: _barriers(v) == ["case_filed"])
    refused = registration.post(f"/entities/{uscc}/deregistration",
                                {"mode": "simplified", "on": days_ago(21), "commitment": SIGNED}, expect=409).json()
    assert "R-DEREG" in refused["detail"] and case_no in refused["detail"]
    assert [b["code"] for b in refused["barriers"]] == ["case_filed"]

    enforcement.propose(case_no, fine=5_000)  # not major: legal_review clears it
    enforcement.wait_state(case_no, "cleared", timeout=30)
    enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": "2026-11-25"}, headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/statements", {"received_on": "2026-11-26", "waived": True}, headers=OFFICER)
    decided = enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": "2026-11-27",
                                                                "party_present": True}, second=True).json()
    decision_no = decided["decision"]["decision_no"]
    registration.wait_until(uscc, lambda v: _barriers(v) == ["case_filed", "penalty_not_executed"])
    enforcement.post(f"/cases/{case_no}/service", {"served_on": "2026-11-27", "party_present": True},
                     headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/payments", {"paid_on": "2026-11-30", "amount_yuan": 5_000}, headers=OFFICER)
    registration.wait_until(uscc, lambda v: _barriers(v) == ["case_filed"])
    registration.post(f"/entities/{uscc}/deregistration", {"mode": "simplified", "on": days_ago(21),
                                                            "commitment": SIGNED}, expect=409)
    enforcement.post(f"/cases/{case_no}/closure", {"closed_on": "2026-11-30"})
    registration.wait_until(uscc, lambda v: _barriers(v) == [])

    noticed = registration.post(f"/entities/{uscc}/deregistration",
                                {"mode": "simplified", "on": days_ago(21), "commitment": SIGNED}).json()
    assert noticed["status"] == "deregistration_noticed"
    assert noticed["deregistration"]["notice_until"] == days_ago(1)
    done = registration.post(f"/entities/{uscc}/deregistration", {"mode": "simplified", "on": TODAY.isoformat()}).json()
    assert done["status"] == "deregistered" and done["deregistration"]["deregistered_on"] == TODAY.isoformat()

    register_events.wait_for("entity.deregistered", uscc=uscc)
    # R-CREDIT: the penalty, its execution and legal_review's disclosure, each from another service's event.
    credit = eventually(lambda: registration.get(f"/entities/{uscc}/credit", headers={}),
                        lambda c: sorted(e["kind"] for e in c["entries"]) == [
                            "disclosure_published", "penalty", "penalty_executed"], pause=0.2)
    kinds = sorted(e["kind"] for e in credit["entries"])
    assert kinds == ["disclosure_published", "penalty", "penalty_executed"]
    penalty = next(e for e in credit["entries"] if e["kind"] == "penalty")
    assert penalty["decision_no"] == decision_no and penalty["fine_amount_yuan"] == 5000
    ordered = [e["type"] for e in register_events.events() if e["subject"] == uscc]
    assert ordered.index("entity.deregistration_noticed") < ordered.index("entity.deregistered")


def test_r_dereg_the_twenty_day_notice_its_boundaries_and_an_objection(registration, register_events):
    at_boundary = registration.register("enterprise", established_on="2018-01-01")["uscc"]
    registration.post(f"/entities/{at_boundary}/deregistration",
                      {"mode": "simplified", "on": days_ago(20), "commitment": SIGNED})
    early = registration.post(f"/entities/{at_boundary}/deregistration",
                              {"mode": "simplified", "on": TODAY.isoformat()}, expect=409).json()
    assert "R-DEREG" in early["detail"] and f"runs until {TODAY.isoformat()}" in early["detail"]
    # The notice's last day still takes an objection, which stops the procedure.
    registration.post(f"/entities/{at_boundary}/deregistration/objections",
                      {"objector": "某供应商", "reason": "尚有货款未结清", "received_on": TODAY.isoformat()})
    view = registration.get(f"/entities/{at_boundary}")
    assert view["status"] == "active" and view["deregistration"]["stop_reason"] == "objection"
    stopped = register_events.wait_for("entity.deregistration_stopped", uscc=at_boundary)
    assert stopped["data"]["reason"] == "objection"

    over = registration.register("enterprise", established_on="2018-01-01")["uscc"]
    registration.post(f"/entities/{over}/deregistration",
                      {"mode": "simplified", "on": days_ago(21), "commitment": SIGNED})
    late = registration.post(f"/entities/{over}/deregistration/objections",
                             {"objector": "某银行", "reason": "贷款", "received_on": TODAY.isoformat()}, expect=409).json()
    assert "ended on" in late["detail"]
    assert registration.post(f"/entities/{over}/deregistration",
                             {"mode": "simplified", "on": TODAY.isoformat()}).json()["status"] == "deregistered"

    unsigned = registration.register("enterprise", established_on="2018-01-01")["uscc"]
    refused = registration.post(f"/entities/{unsigned}/deregistration",
                                {"mode": "simplified", "on": TODAY.isoformat(),
                                 "commitment": {"all_investors_signed": False}}, expect=422).json()
    assert "全体投资人承诺书" in refused["detail"]


def test_r_dereg_an_individual_business_is_deregistered_when_the_departments_window_passes(start_registration,
                                                                                            test_vhost_uri):
    registration = start_registration()
    ten = registration.register("individual_business", established_on="2019-05-01")["uscc"]
    eleven = registration.register("individual_business", established_on="2019-05-01")["uscc"]
    for uscc, days in ((ten, 10), (eleven, 11)):
        noticed = registration.post(f"/entities/{uscc}/deregistration",
                                    {"mode": "simplified", "on": days_ago(days), "commitment": SIGNED}).json()
        assert noticed["deregistration"]["variant"] == "individual_business"
        assert "notice_until" not in noticed["deregistration"]  # no public notice for individual businesses
    registration.process.stop()
    registration = start_registration(scan_seconds=0.5)
    registration.wait_until(eleven, lambda v: v["status"] == "deregistered")
    assert registration.get(f"/entities/{ten}")["status"] == "deregistration_noticed"  # its last day is today


def test_ordinary_deregistration_follows_liquidation_and_ignores_the_lists(registration):
    uscc = registration.register("enterprise", established_on="2012-01-01")["uscc"]
    registration.post(f"/entities/{uscc}/abnormal-listings", {"ground": "unreachable", "listed_on": days_ago(30),
                                                               "detail": "无法联系"})
    registration.post(f"/entities/{uscc}/deregistration", {"mode": "simplified", "on": TODAY.isoformat(),
                                                            "commitment": SIGNED}, expect=409)
    registration.post(f"/entities/{uscc}/deregistration", {"mode": "ordinary", "on": TODAY.isoformat()}, expect=422)
    done = registration.post(f"/entities/{uscc}/deregistration", {
        "mode": "ordinary", "on": TODAY.isoformat(), "liquidation_completed_on": days_ago(3)}).json()
    assert done["status"] == "deregistered"
    registration.post(f"/entities/{uscc}/changes", {"changed_on": TODAY.isoformat(), "reason": "x",
                                                     "changes": {"name": "新名称有限公司"}}, expect=409)
