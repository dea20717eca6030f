"""Tests for the judiciary transfer thresholds: rules J-DUTY, J-140, J-143, J-144, J-213, J-214, J-224.

Each threshold is exercised just under, at and just over each of its alternatives; "at" counts as met.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.law.judiciary import (
    CaseFindings,
    JudiciaryThresholds,
    Offence,
    ThresholdMet,
    thresholds_met,
    transfer_required,
)

D = Decimal
CENT = D("0.01")


def rules(findings: CaseFindings, table: JudiciaryThresholds = JudiciaryThresholds()) -> list[str]:
    return [m.rule for m in thresholds_met(findings, table)]


def test_offence_values_are_the_criminal_law_articles():
    assert [o.value for o in Offence] == ["140", "143", "144", "213", "214", "224-1"]
    assert Offence("224-1") is Offence.PYRAMID_SELLING


# --- J-140 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("sales, met", [(D(50_000) - CENT, False), (D(50_000), True), (D(50_000) + CENT, True)])
def test_j140_sales_alternative(sales, met):
    """J-140: sales ≥ 50,000 yuan (sales alone, nothing unsold: sales×3 = 149,999.97 stays under)."""
    findings = CaseFindings(offences=frozenset({Offence.PRODUCT_QUALITY}), sales_yuan=sales)
    assert transfer_required(findings) is met
    assert rules(findings) == (["J-140"] if met else [])


@pytest.mark.parametrize("unsold, met", [(D(150_000) - CENT, False), (D(150_000), True), (D(150_001), True)])
def test_j140_unsold_alternative(unsold, met):
    """J-140: unsold goods ≥ 150,000 yuan."""
    findings = CaseFindings(offences=frozenset({Offence.PRODUCT_QUALITY}), unsold_goods_yuan=unsold)
    assert transfer_required(findings) is met


@pytest.mark.parametrize("sales, unsold, met", [
    (D(40_000), D(30_000) - CENT, False),   # 120,000 + 29,999.99 = 149,999.99
    (D(40_000), D(30_000), True),           # 150,000 exactly
    (D(40_000), D(30_000) + CENT, True),
    (D("33333.33"), D("0.01"), False),      # 99,999.99 + 0.01 = 100,000
    (D("10000"), D("120000"), True),        # 30,000 + 120,000
])
def test_j140_combined_sales_times_three_plus_unsold(sales, unsold, met):
    """J-140: sales below 50,000 and unsold below 150,000, but sales×3 + unsold ≥ 150,000."""
    findings = CaseFindings(offences=frozenset({Offence.PRODUCT_QUALITY}), sales_yuan=sales,
                            unsold_goods_yuan=unsold)
    assert transfer_required(findings) is met
    if met:
        (result,) = thresholds_met(findings)
        assert result.measured["sales_x3_plus_unsold_yuan"] == format((sales * 3 + unsold).normalize(), "f")
        assert "sales × 3 plus unsold goods" in result.reason


def test_j140_result_names_the_crime_the_amounts_and_the_comparison():
    (result,) = thresholds_met(CaseFindings(offences=frozenset({Offence.PRODUCT_QUALITY}),
                                            sales_yuan=D(50_000)))
    assert result == ThresholdMet(
        rule="J-140", offence="刑法第一百四十条 生产、销售伪劣产品罪",
        measured={"sales_yuan": "50000", "unsold_goods_yuan": "0", "sales_x3_plus_unsold_yuan": "150000"},
        reason=result.reason)
    assert result.reason.startswith("J-140 met: sales of 50,000 yuan reach 50,000 yuan")
    assert result.as_dict() == {"rule": "J-140", "offence": "刑法第一百四十条 生产、销售伪劣产品罪",
                                "measured": result.measured, "reason": result.reason}


# --- J-143 / J-144 -------------------------------------------------------------------------------

def test_j143_is_a_finding_without_amount_floor():
    """J-143: 足以造成严重食物中毒 is met whatever the amount; without the finding, no amount suffices."""
    tiny = CaseFindings(offences=frozenset({Offence.UNSAFE_FOOD}), sales_yuan=D("0.01"),
                        serious_food_poisoning_risk=True)
    assert rules(tiny) == ["J-143"]
    assert thresholds_met(tiny)[0].offence == "刑法第一百四十三条 生产、销售不符合安全标准的食品罪"
    large_without_finding = CaseFindings(offences=frozenset({Offence.UNSAFE_FOOD}), sales_yuan=D(10_000_000))
    assert not transfer_required(large_without_finding)


def test_j144_any_amount_when_toxic_substance_added():
    """J-144: toxic or harmful substances added: any amount, even zero."""
    assert rules(CaseFindings(offences=frozenset({Offence.TOXIC_FOOD}), toxic_substance_added=True)) == ["J-144"]
    assert not transfer_required(CaseFindings(offences=frozenset({Offence.TOXIC_FOOD}), sales_yuan=D(1_000_000)))


# --- J-213 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("turnover, gains, met", [
    (D(50_000) - CENT, D(0), False), (D(50_000), D(0), True), (D(50_000) + CENT, D(0), True),
    (D(0), D(30_000) - CENT, False), (D(0), D(30_000), True), (D(0), D(30_000) + CENT, True),
    (D(49_999), D(29_999), False),
])
def test_j213_one_mark(turnover, gains, met):
    """J-213: one mark: illegal turnover ≥ 50,000 or illegal gains ≥ 30,000."""
    findings = CaseFindings(offences=frozenset({Offence.COUNTERFEIT_TRADEMARK}), marks_count=1,
                            illegal_turnover_yuan=turnover, illegal_gains_yuan=gains)
    assert transfer_required(findings) is met


@pytest.mark.parametrize("turnover, gains, met", [
    (D(30_000) - CENT, D(0), False), (D(30_000), D(0), True), (D(30_000) + CENT, D(0), True),
    (D(0), D(20_000) - CENT, False), (D(0), D(20_000), True), (D(0), D(20_000) + CENT, True),
])
@pytest.mark.parametrize("marks", [2, 3])
def test_j213_two_or_more_marks(turnover, gains, met, marks):
    """J-213: two or more marks (两种以上注册商标): ≥ 30,000 turnover or ≥ 20,000 gains."""
    findings = CaseFindings(offences=frozenset({Offence.COUNTERFEIT_TRADEMARK}), marks_count=marks,
                            illegal_turnover_yuan=turnover, illegal_gains_yuan=gains)
    assert transfer_required(findings) is met
    if met:
        (result,) = thresholds_met(findings)
        assert result.measured["marks_count"] == str(marks)
        assert f"with {marks} registered marks" in result.reason


def test_j213_lower_amounts_do_not_apply_to_one_mark():
    """J-213: 30,000 turnover / 20,000 gains with a single mark stays under."""
    findings = CaseFindings(offences=frozenset({Offence.COUNTERFEIT_TRADEMARK}),
                            illegal_turnover_yuan=D(30_000), illegal_gains_yuan=D(20_000))
    assert not transfer_required(findings)


# --- J-214 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, threshold", [
    ("sales_yuan", D(50_000)), ("illegal_gains_yuan", D(30_000)), ("unsold_goods_yuan", D(150_000)),
])
@pytest.mark.parametrize("delta, met", [(-CENT, False), (D(0), True), (CENT, True)])
def test_j214_each_alternative(field, threshold, delta, met):
    """J-214: sales ≥ 50,000, or illegal gains ≥ 30,000, or unsold goods ≥ 150,000."""
    findings = CaseFindings(offences=frozenset({Offence.SELLING_COUNTERFEIT_MARKED_GOODS}),
                            **{field: threshold + delta})
    assert rules(findings) == (["J-214"] if met else [])


def test_j214_has_no_combined_sales_times_three_rule():
    """J-214 (DOMAIN.md): unlike J-140, 40,000 sold + 30,000 unsold is not met."""
    findings = CaseFindings(offences=frozenset({Offence.SELLING_COUNTERFEIT_MARKED_GOODS}),
                            sales_yuan=D(40_000), unsold_goods_yuan=D(30_000))
    assert not transfer_required(findings)


# --- J-224 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("participants, levels, met", [
    (29, 3, False), (30, 3, True), (31, 3, True),
    (30, 2, False), (30, 4, True),
    (1000, 2, False), (29, 10, False),
])
def test_j224_needs_both_participants_and_levels(participants, levels, met):
    """J-224: ≥ 30 participants AND ≥ 3 levels."""
    findings = CaseFindings(offences=frozenset({Offence.PYRAMID_SELLING}), participants=participants, levels=levels)
    assert transfer_required(findings) is met
    if met:
        assert thresholds_met(findings)[0].measured == {"participants": str(participants), "levels": str(levels)}


# --- J-DUTY: what is evaluated ---------------------------------------------------------------------

def test_offence_not_listed_is_not_evaluated():
    """J-DUTY: only the offences listed are evaluated, whatever the amounts and findings."""
    findings = CaseFindings(offences=frozenset({Offence.PYRAMID_SELLING}), sales_yuan=D(1_000_000),
                            unsold_goods_yuan=D(1_000_000), illegal_turnover_yuan=D(1_000_000),
                            illegal_gains_yuan=D(1_000_000), serious_food_poisoning_risk=True,
                            toxic_substance_added=True, participants=29, levels=3)
    assert thresholds_met(findings) == []
    assert not transfer_required(CaseFindings(offences=frozenset(), sales_yuan=D(1_000_000)))


def test_several_offences_are_reported_in_rule_order():
    findings = CaseFindings(offences=frozenset({Offence.SELLING_COUNTERFEIT_MARKED_GOODS, Offence.PRODUCT_QUALITY,
                                                Offence.COUNTERFEIT_TRADEMARK}),
                            sales_yuan=D(60_000), illegal_turnover_yuan=D(10_000))
    assert rules(findings) == ["J-140", "J-214"]


# --- CaseFindings validation and configuration -----------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("sales_yuan", D("-0.01")), ("unsold_goods_yuan", D("NaN")), ("illegal_turnover_yuan", D("Infinity")),
    ("illegal_gains_yuan", D("-1")), ("participants", -1), ("levels", -1), ("marks_count", -1),
])
def test_case_findings_rejects_negative_or_non_finite(field, value):
    with pytest.raises(ValueError):
        CaseFindings(offences=frozenset({Offence.PRODUCT_QUALITY}), **{field: value})


def test_case_findings_accepts_offence_codes_and_integer_amounts():
    findings = CaseFindings(offences=frozenset({"140"}), sales_yuan=50_000)  # type: ignore[arg-type]
    assert findings.offences == {Offence.PRODUCT_QUALITY}
    assert findings.sales_yuan == D(50_000) and isinstance(findings.sales_yuan, Decimal)
    with pytest.raises(ValueError):
        CaseFindings(offences=frozenset({"999"}))  # type: ignore[arg-type]


def test_thresholds_from_mapping_override_defaults():
    """J-140 / J-214 / J-224 amounts are [S]: an operator may set them."""
    table = JudiciaryThresholds.from_mapping({"j140_sales_yuan": "60000", "j140_combined_yuan": 180_000,
                                              "j224_participants": 50})
    assert table.j140_sales_yuan == D(60_000) and table.j140_combined_yuan == D(180_000)
    assert table.j140_unsold_yuan == D(150_000)
    assert table.j224_participants == 50
    assert table.source == "operator configuration"
    findings = CaseFindings(offences=frozenset({Offence.PRODUCT_QUALITY}), sales_yuan=D(55_000))
    assert transfer_required(findings)
    assert not transfer_required(findings, table)  # 55,000 < 60,000 and 55,000×3 = 165,000 < 180,000


def test_thresholds_from_mapping_rejects_unknown_and_invalid_settings():
    with pytest.raises(ValueError):
        JudiciaryThresholds.from_mapping({"j140_sales": 1})
    with pytest.raises(ValueError):
        JudiciaryThresholds.from_mapping({"j140_sales_yuan": "-1"})
