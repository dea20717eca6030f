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
