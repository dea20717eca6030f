"""An infringement report through the real broker: it becomes an enforcement clue in the same flow
(one correlation id), the report shows the case once filed, and the decided penalty lands in the
mark's infringement history."""
from __future__ import annotations


import pytest

from shared.law.uscc import generate
from shared.store import CATALOG
from tests.integration.enforcement.conftest import OFFICER, Bus
from tests.integration.ip_protection.conftest import IP_OFFICER, PUTIAN
from tests.integration.registration.conftest import TODAY
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


_wait = eventually


def test_a_report_becomes_a_clue_then_a_case_and_its_penalty_enters_the_mark_s_history(ip_flow, test_vhost_uri):
    ip, enforcement = ip_flow
    bus = Bus(test_vhost_uri, exchanges=("ip_protection.events", "enforcement.events"))
    try:
        seller = {"uscc": generate("individual_business", 880_100), "name": "揭东区曲溪街道某水果店",
                  "kind": "individual_business", "phone": "13800138000"}
        report = ip.post("/infringement-reports", {
            "mark_name_used": "埔田竹筍", "product": "鲜竹笋", "role": "seller", "seller": seller,
            "claimed_origin": "埔田镇", "actual_origin": "福建省", "sales_amount_yuan": 8_600,
            "observed_on": TODAY.isoformat(), "reporter": {"kind": "public", "name": "匿名", "phone": "13900139000"}},
            headers={**IP_OFFICER, "X-Correlation-Id": "flow-ip-0001"}).json()
        assert report["infringement"] is True

        reported = bus.wait_for("infringement.reported", report_id=report["report_id"])
        clue_event = bus.wait_for("clue.received", source="ip_referral")
        assert reported["correlationid"] == clue_event["correlationid"] == "flow-ip-0001"
        assert clue_event["data"]["referral"] == {"service": "ip_protection", "report_id": report["report_id"]}
        for event in (reported, clue_event):
            CATALOG.parse(event)
            assert "13800138000" not in str(event) and "13900139000" not in str(event)
        referred = bus.wait_for("infringement.referred", report_id=report["report_id"])
        assert referred["correlationid"] == "flow-ip-0001"

        clue_id = clue_event["data"]["clue_id"]
        clue = enforcement.get(f"/clues/{clue_id}")
        assert clue["source"] == "ip_referral" and report["report_id"] in clue["summary"]
        filed = enforcement.post(f"/clues/{clue_id}/filing-decision", {"decision": "file",
                                                                      "decided_on": TODAY.isoformat()}, second=True)
        case_no = filed.json()["case_no"]
        shown = _wait(lambda: ip.get(f"/infringement-reports/{report['report_id']}"), lambda r: r["case_no"])
        assert (shown["clue_id"], shown["case_no"], shown["state"]) == (clue_id, case_no, "case_opened")

        enforcement.propose(case_no, fine=5_000,  # below 较大数额 for an individual business: cleared
                            legal_basis=["《中华人民共和国商标法》第六十条第二款"])
        enforcement.wait_state(case_no, "cleared", timeout=30)
        enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": TODAY.isoformat()}, headers=OFFICER)
        enforcement.post(f"/cases/{case_no}/statements", {"received_on": TODAY.isoformat(), "waived": True},
                         headers=OFFICER)
        decided = enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": TODAY.isoformat(),
                                                                    "party_present": True}, second=True).json()
        mark = _wait(lambda: ip.get(f"/marks/{PUTIAN}"),
                     lambda m: any(h["kind"] == "penalty_decided" for h in m["history"]))
        assert [h["kind"] for h in mark["history"]] == ["reported", "case_opened", "penalty_decided"]
        penalty = mark["history"][-1]
        assert penalty["decision_no"] == decided["decision"]["decision_no"] and penalty["fine_amount_yuan"] == 5_000
        assert "phone" not in penalty["party"]
        flow = [e for e in bus.events() if e["correlationid"] == "flow-ip-0001"]
        assert {"infringement.reported", "clue.received", "infringement.referred", "case.opened",
                "decision.proposed", "penalty.decided"} <= {e["type"] for e in flow}
    finally:
        bus.close()
