"""Tests for R-CREDIT (services/registration/domain/credit.py): the risk class random inspections
weight on, and the credit-record entry of a penalty, which holds public facts only."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from services.registration.domain.credit import (
    RECENT_PENALTY_YEARS,
    CreditRisk,
    EntryKind,
    Standing,
    needs_execution,
    penalty_entry,
    risk,
    summarise,
)

D = date.fromisoformat
ON = D("2026-05-10")


def standing(*, serious=False, abnormal=False, unexecuted=0, penalties=()) -> Standing:
    return Standing(on_serious_list=serious, on_abnormal_list=abnormal, unexecuted_penalties=unexecuted,
                    penalty_dates=tuple(D(p) for p in penalties))


# -- risk class ----------------------------------------------------------------------------


def test_r_credit_low_with_a_clean_record():
    assert risk(standing(), ON) is CreditRisk.LOW


@pytest.mark.parametrize("facts", [
    dict(serious=True),
    dict(unexecuted=1),
    dict(serious=True, abnormal=True, unexecuted=2, penalties=("2026-01-01",)),
    dict(unexecuted=1, penalties=("2010-01-01",)),
])
def test_r_credit_high_on_the_serious_list_or_with_an_unexecuted_penalty(facts):
    assert risk(standing(**facts), ON) is CreditRisk.HIGH


@pytest.mark.parametrize("facts", [
    dict(abnormal=True),
    dict(penalties=("2026-05-10",)),
    dict(penalties=("2020-01-01", "2025-01-01")),
    dict(abnormal=True, penalties=("2010-01-01",)),
])
def test_r_credit_medium_on_the_abnormal_list_or_with_a_recent_penalty(facts):
    assert risk(standing(**facts), ON) is CreditRisk.MEDIUM


def test_r_credit_recent_penalty_boundary():
    """A penalty exactly three years before ``on`` no longer counts; one day less still does."""
    assert RECENT_PENALTY_YEARS == 3
    assert risk(standing(penalties=("2023-05-10",)), ON) is CreditRisk.LOW
    assert risk(standing(penalties=("2023-05-11",)), ON) is CreditRisk.MEDIUM
    assert risk(standing(penalties=("2023-05-10",)), D("2026-05-09")) is CreditRisk.MEDIUM


def test_r_credit_recent_penalty_boundary_on_29_february():
    """A penalty of 2024-02-29 is three years old on 2027-03-01 (add_years)."""
    assert risk(standing(penalties=("2024-02-29",)), D("2027-02-28")) is CreditRisk.MEDIUM
    assert risk(standing(penalties=("2024-02-29",)), D("2027-03-01")) is CreditRisk.LOW


def test_r_credit_old_penalties_only_are_low():
    assert risk(standing(penalties=("2015-01-01", "2023-05-09")), ON) is CreditRisk.LOW


# -- penalty entry -----------------------------------------------------------------------


def decided_event(**overrides) -> dict:
    event = {
        "decision_no": "揭东市监罚〔2026〕15号",
        "case_no": "JD-2026-0015",
        "subject": {"kind": "natural_person", "name": "张三", "id_number": "445203198805126518",
                    "phone": "13800138000", "address": "揭东区玉湖镇某村某巷3号", "uscc": None},
        "facts": "当事人张三（身份证号445203198805126518，电话13800138000）在揭东区玉湖镇某村某巷3号销售过期食品",
        "penalty": {"kinds": ["fine", "confiscation_of_illegal_gains"], "fine_amount_yuan": 5000.0,
                    "confiscation_amount_yuan": 1200.0},
        "legal_basis": ["《中华人民共和国食品安全法》第一百二十四条"],
        "decided_at": "2026-03-02T00:00:00Z",
        "procedure": "ordinary",
    }
    event.update(overrides)
    return event


def test_r_credit_penalty_entry_keeps_the_public_fields():
    entry = penalty_entry(decided_event())
    assert entry == {
        "decision_no": "揭东市监罚〔2026〕15号",
        "case_no": "JD-2026-0015",
        "kinds": ["fine", "confiscation_of_illegal_gains"],
        "fine_amount_yuan": 5000.0,
        "confiscation_amount_yuan": 1200.0,
        "legal_basis": ["《中华人民共和国食品安全法》第一百二十四条"],
        "decided_on": "2026-03-02",
    }


def test_r_credit_penalty_entry_holds_no_personal_data():
    event = decided_event()
    entry = penalty_entry(event)
    assert set(entry) == {"decision_no", "case_no", "kinds", "fine_amount_yuan", "confiscation_amount_yuan",
                          "legal_basis", "decided_on"}
    text = json.dumps(entry, ensure_ascii=False)
    for secret in ("445203198805126518", "13800138000", "揭东区玉湖镇某村某巷3号", "张三", "过期食品",
                   event["facts"]):
        assert secret not in text
    assert "subject" not in entry and "facts" not in entry and "procedure" not in entry


def test_r_credit_penalty_entry_copies_the_kinds():
    event = decided_event()
    entry = penalty_entry(event)
    event["penalty"]["kinds"].append("warning")
    assert entry["kinds"] == ["fine", "confiscation_of_illegal_gains"]


def test_r_credit_penalty_entry_defaults_for_a_warning():
    entry = penalty_entry(decided_event(penalty={"kinds": ["warning"]}))
    assert entry["kinds"] == ["warning"]
    assert entry["fine_amount_yuan"] == 0 and entry["confiscation_amount_yuan"] == 0


@pytest.mark.parametrize("decided_at,expected", [
    ("2026-03-02T00:00:00Z", "2026-03-02"),
    ("2026-03-02T10:30:00+08:00", "2026-03-02"),
    ("2026-11-24T17:00:00Z", "2026-11-25"),          # 01:00 on the 25th in Shanghai
    ("2026-11-24T15:59:59+00:00", "2026-11-24"),     # 23:59:59 on the 24th in Shanghai
    ("2026-11-24T23:30:00", "2026-11-24"),           # naive: taken as Shanghai local time
    ("2026-11-24", "2026-11-24"),
])
def test_r_credit_penalty_entry_decision_day_is_the_shanghai_date(decided_at, expected):
    """The decision day is the Asia/Shanghai date of ``decided_at`` (C-WD), like the entry's own date."""
    assert penalty_entry(decided_event(decided_at=decided_at))["decided_on"] == expected


def test_r_credit_penalty_entry_accepts_a_datetime():
    moment = datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)
    assert penalty_entry(decided_event(decided_at=moment))["decided_on"] == "2026-11-25"


# -- execution ---------------------------------------------------------------------------


@pytest.mark.parametrize("penalty,expected", [
    ({"kinds": ["fine"], "fine_amount_yuan": 5000.0}, True),
    ({"kinds": ["confiscation_of_illegal_gains"], "confiscation_amount_yuan": 800.0}, True),
    ({"kinds": ["fine", "confiscation_of_illegal_gains"], "fine_amount_yuan": 1.0,
      "confiscation_amount_yuan": 2.0}, True),
    ({"kinds": ["warning"]}, False),
    ({"kinds": ["warning"], "fine_amount_yuan": 0, "confiscation_amount_yuan": 0.0}, False),
    ({"kinds": ["warning"], "fine_amount_yuan": None}, False),
])
def test_r_credit_needs_execution_only_with_money_to_pay(penalty, expected):
    assert needs_execution(decided_event(penalty=penalty)) is expected


def test_r_credit_needs_execution_without_a_penalty():
    event = decided_event()
    del event["penalty"]
    assert needs_execution(event) is False


# -- summary -----------------------------------------------------------------------------


def test_r_credit_summarise_counts_by_kind():
    entries = [{"kind": EntryKind.PENALTY.value}, {"kind": "penalty"}, {"kind": "abnormal_listed"}]
    assert summarise(entries) == {"penalty": 2, "abnormal_listed": 1}
    assert summarise([]) == {}


def test_r_credit_a_fine_paid_on_the_spot_leaves_nothing_to_execute():
    """R-CREDIT / R-DEREG: a simplified-procedure fine paid on the spot (executed_on_decision) never
    becomes an unexecuted penalty."""
    decided = {"penalty": {"kinds": ["fine"], "fine_amount_yuan": 100}, "executed_on_decision": True}
    assert needs_execution(decided) is False
    assert needs_execution({**decided, "executed_on_decision": False}) is True
