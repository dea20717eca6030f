"""Tests for R-ANNUAL (annual reports), R-ABNORMAL (the abnormal-operations list) and R-SERIOUS (the
serious-violation list) in services/registration/domain/listings.py.

R-ANNUAL: the report for year Y is due by 30 June of Y+1; :func:`missing_annual_report` names the one
year whose deadline most recently passed (on 30 June itself that is still Y-1's report) when its report
was not filed by the deadline.
"""
from __future__ import annotations

from datetime import date

import pytest

from services.registration.domain.listings import (
    AbnormalGround,
    Cure,
    add_years,
    annual_report_due,
    cure_refusal,
    early_removal_refusal,
    escalation_due,
    expiry_due,
    missing_annual_report,
)
from shared.errors import Conflict, RuleViolation
from shared.law.uscc import EntityCategory

D = date.fromisoformat
ENTERPRISE = EntityCategory.ENTERPRISE
FOUNDED_2024 = D("2024-03-15")
ON_TIME_2024 = {2024: D("2025-04-01")}


def listing(**overrides) -> dict:
    values = {"listing_id": "L-1", "list": "abnormal", "ground": "no_annual_report", "state": "active",
              "listed_on": "2025-07-01", "report_year": 2024}
    values.update(overrides)
    return values


def serious(**overrides) -> dict:
    return listing(**{"list": "serious", "ground": "heavy_penalty", "report_year": None,
                      "listed_on": "2025-03-10", **overrides})


# -- helpers -----------------------------------------------------------------------------------


def test_r_annual_report_due_on_30_june_of_the_next_year():
    assert annual_report_due(2025) == D("2026-06-30")


@pytest.mark.parametrize("day,years,expected", [
    ("2023-12-01", 3, "2026-12-01"),
    ("2024-02-29", 3, "2027-03-01"),
    ("2024-02-29", 4, "2028-02-29"),
    ("2024-02-29", 1, "2025-03-01"),
    ("2023-05-10", 3, "2026-05-10"),
])
def test_add_years(day, years, expected):
    assert add_years(D(day), years) == D(expected)


# -- R-ANNUAL: missing_annual_report -----------------------------------------------------------


def missing(filed, on, *, category=ENTERPRISE, established_on=FOUNDED_2024):
    return missing_annual_report(category=category, established_on=established_on, filed=filed, on=D(on))


def test_r_annual_on_30_june_the_2025_report_is_still_in_time():
    """On 2026-06-30 the 2025 report is not late; the year looked at is 2024, filed on time."""
    assert missing(ON_TIME_2024, "2026-06-30") is None


def test_r_annual_on_30_june_a_missing_2024_report_is_what_is_named():
    """On 2026-06-30 the most recent passed deadline is 2025-06-30 (the 2024 report)."""
    assert missing({}, "2026-06-30") == 2024


def test_r_annual_on_1_july_the_2025_report_is_missing():
    assert missing(ON_TIME_2024, "2026-07-01") == 2025
    assert missing({}, "2026-07-01") == 2025


def test_r_annual_filed_on_the_deadline_is_in_time():
    assert missing({**ON_TIME_2024, 2025: D("2026-06-30")}, "2026-07-01") is None
    assert missing({**ON_TIME_2024, 2025: D("2026-01-01")}, "2026-12-31") is None


def test_r_annual_filed_the_day_after_the_deadline_is_late():
    late = {**ON_TIME_2024, 2025: D("2026-07-01")}
    assert missing(late, "2026-07-01") == 2025
    assert missing(late, "2026-12-31") == 2025  # a late report does not undo the lapse


def test_r_annual_the_first_report_is_for_the_founding_year():
    # founded 2024: the 2024 report is due on 2025-06-30
    assert missing({}, "2025-06-30") is None
    assert missing({}, "2025-07-01") == 2024
    assert missing(ON_TIME_2024, "2025-07-01") is None


def test_r_annual_founded_in_2026_owes_nothing_in_2026():
    founded = D("2026-01-05")
    assert missing({}, "2026-07-01", established_on=founded) is None
    assert missing({}, "2026-12-31", established_on=founded) is None
    assert missing({}, "2027-06-30", established_on=founded) is None
    assert missing({}, "2027-07-01", established_on=founded) == 2026


def test_r_annual_founded_on_31_december_reports_for_that_year():
    assert missing({}, "2026-07-01", established_on=D("2025-12-31")) == 2025


def test_r_annual_individual_business_is_not_listed():
    for on in ("2026-06-30", "2026-07-01", "2030-01-01"):
        assert missing({}, on, category=EntityCategory.INDIVIDUAL_BUSINESS) is None


@pytest.mark.parametrize("filed,on,expected", [
    (ON_TIME_2024, "2026-06-30", None),
    ({}, "2026-06-30", 2024),
    (ON_TIME_2024, "2026-07-01", 2025),
    ({**ON_TIME_2024, 2025: D("2026-06-30")}, "2026-07-01", None),
    ({**ON_TIME_2024, 2025: D("2026-07-01")}, "2026-07-01", 2025),
])
def test_r_annual_cooperatives_like_enterprises(filed, on, expected):
    assert missing(filed, on, category=EntityCategory.COOPERATIVE) == expected
    assert missing(filed, on, category=ENTERPRISE) == expected


# -- R-ABNORMAL: cure_refusal ------------------------------------------------------------------


def test_r_abnormal_four_grounds():
    assert {g.value for g in AbnormalGround} == {
        "no_annual_report", "information_not_disclosed", "falsification", "unreachable"}


def test_r_abnormal_no_annual_report_cured_by_the_report_filed_on_the_removal_day():
    cure = Cure(removed_on=D("2025-09-01"), explanation="已补报", reports_filed={2024: D("2025-09-01")})
    assert cure_refusal(listing(), cure) is None


def test_r_abnormal_no_annual_report_filed_after_the_removal_day_is_refused():
    cure = Cure(removed_on=D("2025-09-01"), explanation="已补报", reports_filed={2024: D("2025-09-02")})
    refusal = cure_refusal(listing(), cure)
    assert refusal is not None and "R-ABNORMAL" in refusal and "2024" in refusal


def test_r_abnormal_no_annual_report_not_filed_is_refused():
    cure = Cure(removed_on=D("2025-09-01"), explanation="已补报", reports_filed={2023: D("2024-05-01")})
    refusal = cure_refusal(listing(), cure)
    assert refusal is not None and "R-ABNORMAL" in refusal and "2024" in refusal


def test_r_abnormal_unreachable_needs_a_verified_address():
    unreachable = listing(ground="unreachable", report_year=None)
    without = Cure(removed_on=D("2025-09-01"), explanation="已恢复联系", reports_filed={})
    assert "R-ABNORMAL" in cure_refusal(unreachable, without)
    empty = Cure(removed_on=D("2025-09-01"), explanation="已恢复联系", reports_filed={}, verified_address="")
    assert cure_refusal(unreachable, empty) is not None
    verified = Cure(removed_on=D("2025-09-01"), explanation="已恢复联系", reports_filed={},
                    verified_address="揭东区曲溪街道新址8号")
    assert cure_refusal(unreachable, verified) is None


@pytest.mark.parametrize("ground", ["information_not_disclosed", "falsification"])
def test_r_abnormal_other_grounds_cured_by_the_application(ground):
    cure = Cure(removed_on=D("2025-09-01"), explanation="已公示 / 已更正", reports_filed={})
    assert cure_refusal(listing(ground=ground, report_year=None), cure) is None


@pytest.mark.parametrize("ground", [g.value for g in AbnormalGround])
def test_r_abnormal_removal_before_listing_is_refused(ground):
    cure = Cure(removed_on=D("2025-06-30"), explanation="x", reports_filed={2024: D("2025-06-01")},
                verified_address="地址")
    refusal = cure_refusal(listing(ground=ground), cure)
    assert refusal is not None and "predates" in refusal


def test_r_abnormal_removal_on_the_listing_day_is_possible():
    cure = Cure(removed_on=D("2025-07-01"), explanation="x", reports_filed={2024: D("2025-07-01")})
    assert cure_refusal(listing(), cure) is None


# -- R-SERIOUS: escalation and expiry -----------------------------------------------------------


def test_r_serious_escalation_exactly_on_the_third_anniversary():
    abnormal = listing(listed_on="2023-12-01")
    assert not escalation_due(abnormal, D("2026-11-30"))
    assert escalation_due(abnormal, D("2026-12-01"))
    assert escalation_due(abnormal, D("2027-05-01"))


def test_r_serious_escalation_of_a_listing_made_on_29_february():
    abnormal = listing(listed_on="2024-02-29")
    assert not escalation_due(abnormal, D("2027-02-28"))
    assert escalation_due(abnormal, D("2027-03-01"))


@pytest.mark.parametrize("overrides", [{"state": "removed"}, {"list": "serious"}])
def test_r_serious_escalation_only_for_active_abnormal_listings(overrides):
    assert not escalation_due(listing(listed_on="2023-12-01", **overrides), D("2030-01-01"))


def test_r_serious_expiry_after_the_publication_period():
    listed = serious(listed_on="2023-12-01")
    assert not expiry_due(listed, D("2026-11-30"))
    assert expiry_due(listed, D("2026-12-01"))
    leap = serious(listed_on="2024-02-29")
    assert not expiry_due(leap, D("2027-02-28"))
    assert expiry_due(leap, D("2027-03-01"))


@pytest.mark.parametrize("overrides", [{"state": "removed"}, {"list": "abnormal"}])
def test_r_serious_expiry_only_for_active_serious_listings(overrides):
    assert not expiry_due(serious(listed_on="2020-01-01", **overrides), D("2030-01-01"))


# -- R-SERIOUS: early removal -----------------------------------------------------------------


ALL_MET = dict(penalty_performed=True, harm_removed=True, no_further_heavy_penalty=True)


def test_r_serious_early_removal_one_day_before_the_first_anniversary_is_refused():
    refusal = early_removal_refusal(serious(listed_on="2025-03-10"), on=D("2026-03-09"), **ALL_MET)
    assert refusal is not None and "R-SERIOUS" in refusal and "2026-03-10" in refusal


def test_r_serious_early_removal_on_the_first_anniversary_is_allowed():
    assert early_removal_refusal(serious(listed_on="2025-03-10"), on=D("2026-03-10"), **ALL_MET) is None


def test_r_serious_early_removal_of_a_29_february_listing():
    listed = serious(listed_on="2024-02-29")
    assert early_removal_refusal(listed, on=D("2025-02-28"), **ALL_MET) is not None
    assert early_removal_refusal(listed, on=D("2025-03-01"), **ALL_MET) is None


@pytest.mark.parametrize("condition,name", [
    ("penalty_performed", "the penalty is performed"),
    ("harm_removed", "the harm is removed"),
    ("no_further_heavy_penalty", "no further heavier penalty"),
])
def test_r_serious_early_removal_each_condition_missing_is_refused(condition, name):
    refusal = early_removal_refusal(serious(), on=D("2026-06-01"), **{**ALL_MET, condition: False})
    assert refusal is not None and "R-SERIOUS" in refusal and name in refusal
    others = {"the penalty is performed", "the harm is removed", "no further heavier penalty"} - {name}
    assert not any(other in refusal for other in others)


def test_r_serious_early_removal_names_every_missing_condition():
    refusal = early_removal_refusal(serious(), on=D("2026-06-01"), penalty_performed=False, harm_removed=False,
                                    no_further_heavy_penalty=False)
    assert all(name in refusal for name in
               ("the penalty is performed", "the harm is removed", "no further heavier penalty"))


def test_r_serious_early_removal_from_the_abnormal_list_is_a_rule_violation():
    with pytest.raises(RuleViolation):
        early_removal_refusal(listing(), on=D("2026-06-01"), **ALL_MET)


def test_r_serious_early_removal_of_a_removed_listing_is_a_conflict():
    with pytest.raises(Conflict) as excinfo:
        early_removal_refusal(serious(state="removed"), on=D("2026-06-01"), **ALL_MET)
    assert "L-1" in excinfo.value.detail
