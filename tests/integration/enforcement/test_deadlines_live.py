"""Deadlines shown on the case move with suspensions (D-DECIDE); the timer publishes
``deadline.overdue`` once per deadline and exposes gauges by kind."""
from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
import requests

from shared.calendar import WorkingDayCalendar
from tests.integration.enforcement.conftest import Enforcement

pytestmark = pytest.mark.integration


@pytest.fixture
def fast_timer_enforcement(database_url, processes, test_vhost_uri):
    process = processes("enforcement", {"DATABASE_URL": database_url, "AMQP_URI": test_vhost_uri,
                                        "DEADLINE_SCAN_SECONDS": "0.5"})
    return Enforcement(process)


def _decision_due(case: dict) -> date:
    return date.fromisoformat(next(d for d in case["deadlines"] if d["kind"] == "D-DECIDE")["due"])


def test_a_suspension_extends_d_decide_by_exactly_its_days(enforcement):
    today = date.today()
    filed = today - timedelta(days=30)
    case_no = enforcement.open_case(received_on=(filed - timedelta(days=1)).isoformat(), filed_on=filed.isoformat())
    before = _decision_due(enforcement.get(f"/cases/{case_no}"))
    start = filed + timedelta(days=5)
    enforcement.post(f"/cases/{case_no}/suspensions", {"on": start.isoformat(), "reason": "等待检验结果"})
    enforcement.post(f"/cases/{case_no}/resumptions", {"on": (start + timedelta(days=10)).isoformat()})
    after = _decision_due(enforcement.get(f"/cases/{case_no}"))
    calendar = WorkingDayCalendar()
    assert before == calendar.calendar_deadline(filed, 90)   # D-DECIDE: 90 D, rolled off a rest day
    assert after == calendar.calendar_deadline(filed, 100)   # + exactly the 10 paused days
    basis = next(d for d in enforcement.get(f"/cases/{case_no}")["deadlines"] if d["kind"] == "D-DECIDE")["basis"]
    assert "10" in basis
    refused = enforcement.post(f"/cases/{case_no}/resumptions", {"on": today.isoformat()}, expect=409)
    assert "investigating" in refused.json()["detail"]


def test_an_overdue_deadline_is_published_once_and_counted_by_kind(fast_timer_enforcement, events):
    enforcement = fast_timer_enforcement
    old = date.today() - timedelta(days=120)
    case_no = enforcement.open_case(received_on=(old - timedelta(days=2)).isoformat(), filed_on=old.isoformat())
    overdue = events.wait_for("deadline.overdue", case_no=case_no, kind="D-DECIDE")
    assert overdue["data"]["aggregate"] == case_no
    time.sleep(2.0)  # four more scans
    repeats = [e for e in events.events() if e["type"] == "deadline.overdue" and e["data"].get("case_no") == case_no]
    assert len(repeats) == 1
    metrics = requests.get(enforcement.url + "/metrics", timeout=5).text
    assert 'amr_deadlines_overdue{kind="D-DECIDE",service="enforcement"} 1.0' in metrics
    assert 'amr_cases{service="enforcement",state="investigating"} 1.0' in metrics


def test_d_decide_a_late_decision_needs_the_heads_extension_then_collective_discussion(enforcement, events):
    from tests.integration.enforcement.conftest import OFFICER
    filed = date.today() - timedelta(days=100)
    case_no = enforcement.open_case(received_on=(filed - timedelta(days=1)).isoformat(), filed_on=filed.isoformat())
    enforcement.propose(case_no, fine=5_000)
    proposed = events.wait_for("decision.proposed", case_no=case_no)
    events.publish_review("cleared", proposed, major=False)
    enforcement.wait_state(case_no, "cleared")
    enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": (filed + timedelta(days=10)).isoformat()},
                     headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/statements", {"received_on": (filed + timedelta(days=11)).isoformat(),
                                                      "waived": True}, headers=OFFICER)
    late = {"outcome": "penalty", "decided_on": date.today().isoformat()}
    assert "D-DECIDE" in enforcement.post(f"/cases/{case_no}/decisions", late, second=True, expect=409).json()["detail"]
    too_long = enforcement.post(f"/cases/{case_no}/extensions", {"kind": "head", "days": 31,
                                                                 "approved_on": date.today().isoformat(),
                                                                 "reason": "案情复杂"}, expect=422)
    assert "30 days" in too_long.json()["detail"]
    early_collective = enforcement.post(f"/cases/{case_no}/extensions", {"kind": "collective", "days": 30,
                                                                         "approved_on": date.today().isoformat(),
                                                                         "reason": "集体讨论"}, expect=422)
    assert "head" in early_collective.json()["detail"]
    enforcement.post(f"/cases/{case_no}/extensions", {"kind": "head", "days": 30, "approved_on": date.today().isoformat(),
                                                      "reason": "案情复杂，经负责人批准"})
    calendar = WorkingDayCalendar()
    case = enforcement.get(f"/cases/{case_no}")
    assert _decision_due(case) == calendar.calendar_deadline(filed, 120)
    decided = enforcement.post(f"/cases/{case_no}/decisions", late, second=True).json()
    assert decided["state"] == "decided"
