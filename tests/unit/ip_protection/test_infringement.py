"""Tests for the assessment of an infringement report (services/ip_protection/domain/infringement.py):
rules T-INFRINGE, T-FINE, T-INNOCENT, G-USE, G-INFRINGE, G-FINE, and J-213 / J-214 through
shared.law.judiciary. Amounts are exercised just under, at and just over each threshold ("at" counts
as reached: 商标法 art. 60 "五万元以上", 刑法 art. 99)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from services.ip_protection.domain.infringement import (
    FINDINGS,
    Assessment,
    IpAmounts,
    ReportFacts,
    Role,
    assess,
)
from services.ip_protection.domain.marks import (
    DONGLIAO_TARO_ID,
    PUTIAN_BAMBOO_SHOOTS_ID,
    Mark,
    MarkKind,
    MarkStatus,
    seed_marks,
)
from shared.law.judiciary import JudiciaryThresholds

D = Decimal
CENT = D("0.01")
ON = date(2026, 5, 20)
MARKS = {m.mark_id: m for m in seed_marks()}
PUTIAN = MARKS[PUTIAN_BAMBOO_SHOOTS_ID]
DONGLIAO = MARKS[DONGLIAO_TARO_ID]
IN_REGION = "揭阳市揭东区埔田镇新楼村"
GUILIN = "广西壮族自治区桂林市"


def facts(**overrides) -> ReportFacts:
    """An unauthorised seller of 埔田竹笋 of unknown actual origin, no amounts."""
    values = dict(mark_name_used="埔田竹笋", product="鲜竹笋", role=Role.SELLER,
                  seller_is_authorized_user=False, on=ON, claimed_origin=IN_REGION)
    values.update(overrides)
    return ReportFacts(**values)


def authorised(**overrides) -> ReportFacts:
    return facts(**{"seller_is_authorized_user": True, **overrides})


def rules(a: Assessment) -> list[str]:
    return [t.rule for t in a.judiciary]


# --- the worked cases of the brief ----------------------------------------------------------------

def test_authorised_user_with_goods_from_the_region_does_not_infringe():
    """G-USE: an authorised user, goods from 埔田镇, the identical mark: lawful use."""
    a = assess(authorised(actual_origin=IN_REGION), PUTIAN)
    assert a.findings == ("identical_mark",)
    assert a.infringement is False
    assert a.fine_range is None and a.judiciary == () and not a.transfer_suggested
    assert a.legal_basis == ()


def test_unauthorised_seller_infringes():
    """G-USE / T-INFRINGE art. 57(3): an unauthorised seller of goods bearing the GI mark."""
    a = assess(facts(), PUTIAN)
    assert a.infringement is True
    assert {"identical_mark", "not_authorized_user", "selling_infringing_goods"} <= set(a.findings)
    assert "商标法第五十七条" in a.legal_basis
    assert "广东省地理标志条例第二十条" in a.legal_basis
    assert a.fine_range.rule_id == "T-FINE"   # trademark law governs over G-FINE for a GI trademark


def test_unauthorised_producer_from_the_region_gets_a_fair_use_note():
    """G-USE: a certification-mark GI must admit any producer who meets its conditions; the finding
    stands, the officer is told to weigh fair use (商标法 art. 59(1))."""
    a = assess(facts(role=Role.MANUFACTURER, actual_origin=IN_REGION), PUTIAN)
    assert a.findings == ("identical_mark", "not_authorized_user")
    assert any("正当使用" in n for n in a.notes)


def test_authorised_user_with_goods_from_outside_the_region_infringes():
    """G-USE / G-INFRINGE art. 20: goods from outside the region, even by an authorised user; the
    label claiming 埔田 adds art. 20(4)."""
    a = assess(authorised(actual_origin=GUILIN, claimed_origin="产地：揭东埔田"), PUTIAN)
    assert a.infringement is True
    assert a.findings == ("identical_mark", "origin_outside_region", "claims_origin_in_region",
                          "selling_infringing_goods")
    assert "商标法第十六条" in a.legal_basis
    # An authorised user exceeding the licence is not "counterfeiting" (未经许可): no J-214.
    assert a.judiciary == ()


def test_outside_region_without_a_claim_of_origin():
    a = assess(authorised(actual_origin=GUILIN, claimed_origin=""), PUTIAN)
    assert "origin_outside_region" in a.findings
    assert "claims_origin_in_region" not in a.findings


def test_claimed_origin_outside_the_region_is_judged_when_no_actual_origin():
    a = assess(authorised(claimed_origin="广西桂林"), PUTIAN)
    assert a.findings == ("identical_mark", "origin_outside_region", "selling_infringing_goods")
    assert "claims_origin_in_region" not in a.findings


def test_unknown_origin_is_not_outside():
    """G-USE: an empty origin cannot be judged; it is flagged, not treated as outside."""
    a = assess(authorised(claimed_origin="", actual_origin=None), PUTIAN)
    assert a.findings == ("identical_mark", "origin_unknown")
    assert a.infringement is False


def test_product_standard_not_met():
    """G-INFRINGE art. 20(2)."""
    a = assess(authorised(actual_origin=IN_REGION, meets_product_standard=False), PUTIAN)
    assert a.findings == ("identical_mark", "product_standard_not_met", "selling_infringing_goods")
    assert a.infringement is True
    assert assess(authorised(actual_origin=IN_REGION, meets_product_standard=None), PUTIAN).infringement is False


def test_dongliao_only_applied_for():
    """T-INFRINGE needs a registered mark: 东寮芋 is only applied for → no GI or trademark finding."""
    a = assess(facts(mark_name_used="东寮芋", product="芋头", claimed_origin="揭阳市揭东区玉湖镇东寮村",
                     actual_origin=GUILIN, sales_amount_yuan=D(80_000)), DONGLIAO)
    assert a.findings == ("identical_mark", "mark_not_registered")
    assert a.infringement is False
    assert a.fine_range is None
    assert a.judiciary == () and not a.transfer_suggested


def test_similar_name():
    a = assess(facts(mark_name_used="正宗埔田笋"), PUTIAN)
    assert a.relation == "similar"
    assert a.findings[0] == "similar_mark"
    assert a.infringement is True
    # 刑法 213/214 need the identical mark (假冒): no judiciary for a similar one.
    assert assess(facts(mark_name_used="正宗埔田笋", sales_amount_yuan=D(90_000)), PUTIAN).judiciary == ()


def test_different_name_gives_nothing():
    a = assess(facts(mark_name_used="东寮芋", sales_amount_yuan=D(90_000)), PUTIAN)
    assert a.relation == "different"
    assert a.findings == () and a.infringement is False and a.fine_range is None


def test_traditional_name_is_the_identical_mark():
    assert assess(facts(mark_name_used="【埔田竹筍】"), PUTIAN).findings[0] == "identical_mark"


# --- validity of the mark on the day ---------------------------------------------------------------

@pytest.mark.parametrize("on, finding", [
    (date(2029, 1, 13), None),                 # last day of the term: in force
    (date(2029, 1, 14), "mark_expired"),       # the day after
    (date(2019, 1, 13), "mark_not_registered"),  # the day before registration
])
def test_mark_in_force_on_the_day(on, finding):
    a = assess(facts(on=on, sales_amount_yuan=D(60_000)), PUTIAN)
    if finding is None:
        assert a.infringement and a.judiciary
    else:
        assert a.findings == ("identical_mark", finding)
        assert not a.infringement and a.fine_range is None and a.judiciary == ()


@pytest.mark.parametrize("status, finding", [(MarkStatus.EXPIRED, "mark_expired"),
                                             (MarkStatus.REVOKED, "mark_not_registered")])
def test_expired_or_revoked_mark(status, finding):
    a = assess(facts(sales_amount_yuan=D(60_000)), replace(PUTIAN, status=status))
    assert a.findings == ("identical_mark", finding)
    assert a.judiciary == () and a.fine_range is None


# --- T-FINE ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("turnover, maximum", [
    (D(0), D(250_000)),                          # no turnover: up to 250,000
    (D("49999.99"), D(250_000)),
    (D(50_000), D(250_000)),                     # at 50,000 the 5× rule applies: 5 × 50,000
    (D("50000.01"), D("250000.05")),
    (D(49_999), D(250_000)),
    (D(50_001), D(250_005)),
    (D(100_000), D(500_000)),
])
def test_t_fine_maximum(turnover, maximum):
    """T-FINE (商标法 art. 60(2)): turnover ≥ 50,000 → up to 5× turnover; otherwise up to 250,000."""
    fine = assess(facts(role=Role.MANUFACTURER, sales_amount_yuan=turnover), PUTIAN).fine_range
    assert fine.rule_id == "T-FINE"
    assert fine.minimum_yuan == 0
    assert fine.maximum_yuan == maximum
    assert fine.confiscate_goods is True
    assert fine.heavier is False


def test_t_fine_rule_switches_exactly_at_the_threshold():
    under = assess(facts(sales_amount_yuan=D(50_000) - CENT), PUTIAN).fine_range
    at = assess(facts(sales_amount_yuan=D(50_000)), PUTIAN).fine_range
    assert "below" in under.note and "reaches" in at.note


def test_t_fine_turnover_includes_unsold_goods():
    """违法经营额 counts the labelled price of unsold goods (商标法实施条例 art. 78)."""
    fine = assess(facts(sales_amount_yuan=D(30_000), unsold_goods_yuan=D(20_000)), PUTIAN).fine_range
    assert fine.basis_yuan == D(50_000)
    assert fine.maximum_yuan == D(250_000)
    fine = assess(facts(sales_amount_yuan=D(30_000), unsold_goods_yuan=D(30_000)), PUTIAN).fine_range
    assert fine.maximum_yuan == D(300_000)


def test_t_fine_cap_rounds_down_to_the_fen():
    fine = assess(facts(sales_amount_yuan=D("50000.001")), PUTIAN).fine_range
    assert fine.maximum_yuan == D("250000.00")


@pytest.mark.parametrize("prior, repeat", [(0, False), (1, True), (2, True)])
def test_repeat_infringer(prior, repeat):
    """T-FINE: two or more infringements in five years, this one included → 从重."""
    a = assess(facts(prior_infringements_5y=prior), PUTIAN)
    assert ("repeat_infringer" in a.findings) is repeat
    assert a.fine_range.heavier is repeat


def test_no_repeat_finding_without_infringement():
    a = assess(authorised(actual_origin=IN_REGION, prior_infringements_5y=3), PUTIAN)
    assert a.findings == ("identical_mark",)


def test_configured_amounts():
    config = IpAmounts.from_mapping({"t_fine_turnover_threshold_yuan": "40000", "t_fine_turnover_multiple": 3,
                                     "t_fine_fixed_maximum_yuan": "200000", "t_fine_repeat_count": "3"})
    a = assess(facts(sales_amount_yuan=D(40_000), prior_infringements_5y=1), PUTIAN, config)
    assert a.fine_range.maximum_yuan == D(120_000)
    assert "repeat_infringer" not in a.findings
    assert assess(facts(sales_amount_yuan=D(39_999)), PUTIAN, config).fine_range.maximum_yuan == D(200_000)
    assert config.source == "operator configuration"
    with pytest.raises(ValueError, match="unknown"):
        IpAmounts.from_mapping({"t_fine_multiple": 5})
    with pytest.raises(ValueError):
        IpAmounts.from_mapping({"t_fine_fixed_maximum_yuan": "-1"})
    with pytest.raises(ValueError):
        IpAmounts(t_fine_repeat_count=0)


def test_default_amounts():
    c = IpAmounts()
    assert (c.t_fine_turnover_threshold_yuan, c.t_fine_turnover_multiple, c.t_fine_fixed_maximum_yuan,
            c.t_fine_repeat_count, c.t_fine_repeat_years, c.g_fine_goods_value_multiple) == (
        D(50_000), D(5), D(250_000), 2, 5, D(1))


# --- T-INNOCENT -----------------------------------------------------------------------------------

ALL_THREE = dict(did_not_know=True, lawful_acquisition_proven=True, supplier_named=True)


def test_innocent_seller_is_only_ordered_to_stop_selling():
    """T-INNOCENT: did not know + lawful acquisition proven + supplier named → no fine."""
    a = assess(facts(sales_amount_yuan=D(80_000), **ALL_THREE), PUTIAN)
    assert a.infringement is True
    assert "innocent_seller" in a.findings
    assert a.fine_range.rule_id == "T-INNOCENT"
    assert a.fine_range.maximum_yuan == 0 and a.fine_range.confiscate_goods is False
    # 刑法 214 needs a seller who knew: no transfer for an innocent seller.
    assert a.judiciary == ()


@pytest.mark.parametrize("missing", sorted(ALL_THREE))
def test_innocent_seller_needs_all_three_conditions(missing):
    a = assess(facts(**{**ALL_THREE, missing: False}), PUTIAN)
    assert "innocent_seller" not in a.findings
    assert a.fine_range.rule_id == "T-FINE"
    assert a.fine_range.maximum_yuan == D(250_000)


def test_innocent_seller_rule_does_not_cover_manufacturers():
    a = assess(facts(role=Role.MANUFACTURER, **ALL_THREE), PUTIAN)
    assert "innocent_seller" not in a.findings
    assert a.fine_range.rule_id == "T-FINE"


# --- G-FINE ---------------------------------------------------------------------------------------

GI_PRODUCT = replace(PUTIAN, mark_id="pgi-putian", kind=MarkKind.GI_PRODUCT, valid_until=None)


def test_g_fine_for_a_gi_product():
    """G-FINE (条例 art. 26): up to 1× the goods' value plus confiscation; trademark law not applicable."""
    a = assess(facts(sales_amount_yuan=D(30_000), unsold_goods_yuan=D(12_000)), GI_PRODUCT)
    assert a.infringement is True
    assert a.fine_range.rule_id == "G-FINE"
    assert a.fine_range.maximum_yuan == D(42_000)   # goods value defaults to sales + unsold
    assert a.fine_range.confiscate_goods is True
    assert "广东省地理标志条例第二十六条" in a.legal_basis
    assert "商标法第五十七条" not in a.legal_basis
    assert a.judiciary == ()                          # not a registered trademark: no 刑法 213/214


def test_g_fine_uses_the_stated_goods_value():
    a = assess(facts(sales_amount_yuan=D(30_000), goods_value_yuan=D("45000.50")), GI_PRODUCT)
    assert a.fine_range.maximum_yuan == D("45000.50")


def test_t_innocent_does_not_apply_to_a_gi_product():
    a = assess(facts(**ALL_THREE), GI_PRODUCT)
    assert "innocent_seller" not in a.findings
    assert a.fine_range.rule_id == "G-FINE"
    assert any("行政处罚法第三十三条" in n for n in a.notes)


# --- J-213 / J-214 --------------------------------------------------------------------------------

@pytest.mark.parametrize("sales, met", [(D(50_000) - CENT, False), (D(50_000), True), (D(50_000) + CENT, True)])
def test_j213_turnover(sales, met):
    """J-213: a manufacturer counterfeiting a registered mark, illegal turnover ≥ 50,000."""
    a = assess(facts(role=Role.MANUFACTURER, sales_amount_yuan=sales), PUTIAN)
    assert rules(a) == (["J-213"] if met else [])
    assert a.transfer_suggested is met
    assert ("商标法第六十一条" in a.legal_basis) is met


def test_j213_turnover_counts_unsold_goods():
    a = assess(facts(role=Role.MANUFACTURER, sales_amount_yuan=D(20_000), unsold_goods_yuan=D(30_000)), PUTIAN)
    assert rules(a) == ["J-213"]
    assert a.judiciary[0].measured["illegal_turnover_yuan"] == "50000"


@pytest.mark.parametrize("gains, met", [(D(30_000) - CENT, False), (D(30_000), True), (D(30_000) + CENT, True)])
def test_j213_gains(gains, met):
    a = assess(facts(role=Role.MANUFACTURER, illegal_gains_yuan=gains), PUTIAN)
    assert rules(a) == (["J-213"] if met else [])


@pytest.mark.parametrize("turnover, gains, met", [
    (D(30_000) - CENT, D(20_000) - CENT, False),
    (D(30_000), D(0), True),
    (D(0), D(20_000), True),
    (D(30_000) + CENT, D(0), True),
])
def test_j213_two_marks(turnover, gains, met):
    """J-213: two or more marks counterfeited → 30,000 turnover / 20,000 gains."""
    a = assess(facts(role=Role.MANUFACTURER, sales_amount_yuan=turnover, illegal_gains_yuan=gains,
                     marks_count=2), PUTIAN)
    assert rules(a) == (["J-213"] if met else [])


@pytest.mark.parametrize("sales, met", [(D(50_000) - CENT, False), (D(50_000), True), (D(50_000) + CENT, True)])
def test_j214_sales(sales, met):
    """J-214: a seller of goods bearing a counterfeit registered mark, sales ≥ 50,000."""
    a = assess(facts(sales_amount_yuan=sales), PUTIAN)
    assert rules(a) == (["J-214"] if met else [])
    assert a.transfer_suggested is met


@pytest.mark.parametrize("gains, met", [(D(30_000) - CENT, False), (D(30_000), True), (D(30_000) + CENT, True)])
def test_j214_gains(gains, met):
    assert rules(assess(facts(illegal_gains_yuan=gains), PUTIAN)) == (["J-214"] if met else [])


@pytest.mark.parametrize("unsold, met", [(D(150_000) - CENT, False), (D(150_000), True), (D(150_000) + CENT, True)])
def test_j214_unsold(unsold, met):
    assert rules(assess(facts(unsold_goods_yuan=unsold), PUTIAN)) == (["J-214"] if met else [])


def test_j214_does_not_use_the_two_mark_amounts():
    assert rules(assess(facts(sales_amount_yuan=D(30_000), marks_count=2), PUTIAN)) == []


def test_judiciary_thresholds_are_configurable():
    table = JudiciaryThresholds.from_mapping({"j214_sales_yuan": "40000"})
    assert rules(assess(facts(sales_amount_yuan=D(40_000)), PUTIAN, thresholds=table)) == ["J-214"]


@pytest.mark.parametrize("mark, on", [
    (DONGLIAO, ON),                                     # only applied for
    (PUTIAN, date(2029, 1, 14)),                        # expired the day before
    (replace(PUTIAN, status=MarkStatus.EXPIRED), ON),
])
def test_no_judiciary_for_an_unregistered_or_expired_mark(mark, on):
    a = assess(facts(mark_name_used=mark.name, on=on, role=Role.MANUFACTURER, sales_amount_yuan=D(500_000),
                     illegal_gains_yuan=D(100_000)), mark)
    assert a.judiciary == () and a.transfer_suggested is False


def test_ordinary_trademark():
    mark = Mark(mark_id="tm-1", name="榕江牌", kind=MarkKind.TRADEMARK, status=MarkStatus.REGISTERED,
                registrant="某某食品有限公司", goods=("29",), valid_from=date(2020, 1, 1),
                valid_until=date(2029, 12, 31))
    a = assess(facts(mark_name_used="榕江牌", claimed_origin="", role=Role.MANUFACTURER,
                     sales_amount_yuan=D(60_000)), mark)
    assert a.findings == ("identical_mark", "not_authorized_user")   # no origin findings for a trademark
    assert "广东省地理标志条例第二十条" not in a.legal_basis
    assert rules(a) == ["J-213"]
    assert a.fine_range.maximum_yuan == D(300_000)


# --- output and validation -------------------------------------------------------------------------

def test_to_dict_is_json():
    a = assess(facts(sales_amount_yuan=D("50000.5"), prior_infringements_5y=1), PUTIAN)
    data = json.loads(json.dumps(a.to_dict(), ensure_ascii=False))
    assert data["mark_id"] == PUTIAN_BAMBOO_SHOOTS_ID
    assert data["infringement"] is True
    assert data["fine_range"]["maximum_yuan"] == "250002.50"
    assert data["fine_range"]["minimum_yuan"] == "0.00"
    assert data["fine_range"]["basis_yuan"] == "50000.50"
    assert data["fine_range"]["heavier"] is True
    assert data["judiciary"][0]["rule"] == "J-214"
    assert data["judiciary"][0]["measured"]["sales_yuan"] == "50000.5"  # ThresholdMet's own format
    assert data["transfer_suggested"] is True
    assert set(data["findings"]) <= set(FINDINGS)


def test_every_finding_names_its_rule():
    for description in FINDINGS.values():
        assert any(rule in description for rule in ("T-INFRINGE", "T-FINE", "T-INNOCENT", "G-USE", "G-INFRINGE"))


def test_goods_value_defaults_to_sales_plus_unsold():
    assert facts(sales_amount_yuan=D(1), unsold_goods_yuan=D(2)).goods_value_yuan == D(3)
    assert facts(sales_amount_yuan=D(1), goods_value_yuan=D(0)).goods_value_yuan == D(0)


@pytest.mark.parametrize("overrides, message", [
    ({"sales_amount_yuan": D(-1)}, "sales_amount_yuan"),
    ({"unsold_goods_yuan": D("NaN")}, "unsold_goods_yuan"),
    ({"illegal_gains_yuan": float("inf")}, "illegal_gains_yuan"),
    ({"goods_value_yuan": "-0.01"}, "goods_value_yuan"),
    ({"sales_amount_yuan": "lots"}, "sales_amount_yuan"),
    ({"sales_amount_yuan": True}, "sales_amount_yuan"),
    ({"role": "importer"}, "role"),
    ({"marks_count": 0}, "marks_count"),
    ({"prior_infringements_5y": -1}, "prior_infringements_5y"),
    ({"prior_infringements_5y": 1.5}, "prior_infringements_5y"),
    ({"seller_is_authorized_user": "yes"}, "seller_is_authorized_user"),
    ({"did_not_know": 1}, "did_not_know"),
    ({"meets_product_standard": "no"}, "meets_product_standard"),
    ({"mark_name_used": "   "}, "mark_name_used"),
    ({"mark_name_used": None}, "mark_name_used"),
    ({"product": ""}, "product"),
    ({"on": "2026-05-20"}, "on"),
    ({"claimed_origin": None}, "claimed_origin"),
])
def test_nonsense_is_refused(overrides, message):
    """Input validation: the service maps ValueError to 422."""
    with pytest.raises(ValueError, match=message):
        facts(**overrides)


def test_from_mapping():
    f = ReportFacts.from_mapping({"mark_name_used": "埔田竹笋", "product": "竹笋", "role": "seller",
                                  "seller_is_authorized_user": False, "on": "2026-05-20",
                                  "sales_amount_yuan": "50000.00", "illegal_gains_yuan": 100})
    assert f.on == ON and f.sales_amount_yuan == D(50_000) and f.role is Role.SELLER
    with pytest.raises(ValueError, match="unknown"):
        ReportFacts.from_mapping({"mark": "x"})
    with pytest.raises(ValueError, match="missing"):
        ReportFacts.from_mapping({"mark_name_used": "埔田竹笋"})
    with pytest.raises(ValueError, match="date"):
        ReportFacts.from_mapping({"mark_name_used": "埔田竹笋", "product": "竹笋", "role": "seller",
                                  "seller_is_authorized_user": False, "on": "20 May"})


def test_assess_refuses_wrong_types():
    with pytest.raises(ValueError):
        assess({"mark_name_used": "埔田竹笋"}, PUTIAN)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        assess(facts(), PUTIAN.to_dict())  # type: ignore[arg-type]
