"""The register of marks, authorised users (G-USE) and infringement reports through the real service:
埔田竹笋 and 东寮芋 from the district's plan; T-FINE and J-214 at their thresholds; Chinese name
variants matched, hostile names never crash the service."""
from __future__ import annotations

import pytest

from shared.law.uscc import generate
from tests.integration.ip_protection.conftest import DONGLIAO, PUTIAN
from tests.integration.registration.conftest import TODAY

pytestmark = pytest.mark.integration

FARM = generate("cooperative", 880_001)        # a cooperative in 埔田镇
SHOP = generate("individual_business", 880_002)  # a shop in 曲溪街道, not authorised
IN_REGION = "广东省揭阳市揭东区埔田镇新楼村"


def _report(ip, *, seller_uscc: str, name: str = "埔田竹笋", expect: int = 201, **facts) -> dict:
    body = {"mark_name_used": name, "product": "鲜竹笋（500克装）", "role": "seller",
            "seller": {"uscc": seller_uscc, "name": "揭东区某食杂店", "kind": "individual_business"},
            "claimed_origin": "埔田镇", "sales_amount_yuan": 1_200, "observed_on": TODAY.isoformat(),
            "reporter": {"kind": "right_holder", "name": "埔田竹笋协会"}, **facts}
    return ip.post("/infringement-reports", body, expect=expect).json()


def _admit(ip, uscc: str = FARM, origin: str = IN_REGION, expect: int = 201) -> dict:
    return ip.post(f"/marks/{PUTIAN}/authorized-users", {"uscc": uscc, "name": "埔田镇竹笋种植专业合作社",
                                                         "decision": "admit", "on": TODAY.isoformat(),
                                                         "origin": origin, "meets_conditions": True},
                   expect=expect).json()


def test_the_plan_s_marks_are_seeded_once_with_what_the_plan_does_not_confirm_marked(ip):
    putian = ip.get(f"/marks/{PUTIAN}")
    assert (putian["name"], putian["status"], putian["valid_from"][:7]) == ("埔田竹笋", "registered", "2019-01")
    assert putian["region"] == ["埔田镇"] and "region" in putian["unconfirmed"]
    assert ip.get(f"/marks/{DONGLIAO}")["status"] == "application"
    ip.process.stop()
    ip.process.start()  # the seed runs again at start: nothing doubles
    assert sorted(m["mark_id"] for m in ip.get("/marks")["items"]) == sorted([PUTIAN, DONGLIAO])


def test_g_use_a_certification_mark_admits_qualifying_producers_from_its_region_only(ip):
    assert _admit(ip)["state"] == "authorized"
    _admit(ip, expect=409)
    outside = _admit(ip, uscc=generate("enterprise", 880_010), origin="广西壮族自治区桂林市", expect=422)
    assert "G-USE" in outside["detail"]
    must_admit = ip.post(f"/marks/{PUTIAN}/authorized-users", {
        "uscc": generate("cooperative", 880_011), "name": "某合作社", "decision": "refuse", "on": TODAY.isoformat(),
        "origin": IN_REGION, "meets_conditions": True, "reason": "名额已满"}, expect=422).json()
    assert "must be admitted" in must_admit["detail"]
    no_reason = ip.post(f"/marks/{PUTIAN}/authorized-users", {
        "uscc": generate("cooperative", 880_012), "name": "某合作社", "decision": "refuse", "on": TODAY.isoformat(),
        "origin": IN_REGION, "meets_conditions": False}, expect=422).json()
    assert "reason" in no_reason["detail"]
    refused = ip.post(f"/marks/{PUTIAN}/authorized-users", {
        "uscc": generate("cooperative", 880_012), "name": "某合作社", "decision": "refuse", "on": TODAY.isoformat(),
        "origin": IN_REGION, "meets_conditions": False, "reason": "抽检不符合产品标准"}).json()
    assert refused["state"] == "refused"
    mark = ip.get(f"/marks/{PUTIAN}")
    assert [u["uscc"] for u in mark["authorized_users"]] == [FARM]
    import requests
    from tests.integration.ip_protection.conftest import IP_OFFICER
    gone = requests.delete(f"{ip.url}/marks/{PUTIAN}/authorized-users/{FARM}", headers=IP_OFFICER, timeout=10)
    assert gone.status_code == 200 and gone.json()["state"] == "revoked"
    assert ip.get(f"/marks/{PUTIAN}")["authorized_users"] == []


def test_g_infringe_the_three_putian_cases_and_the_dongliao_application(ip):
    _admit(ip)
    lawful = _report(ip, seller_uscc=FARM, actual_origin=IN_REGION)
    assert (lawful["infringement"], lawful["findings"]) == (False, ["identical_mark"])
    assert lawful["state"] == "closed_no_infringement"

    unauthorised = _report(ip, seller_uscc=SHOP)
    assert unauthorised["infringement"] is True
    assert {"not_authorized_user", "selling_infringing_goods"} <= set(unauthorised["findings"])
    assert unauthorised["fine_range"]["rule_id"] == "T-FINE"

    outside = _report(ip, seller_uscc=FARM, actual_origin="广西壮族自治区桂林市")
    assert outside["infringement"] is True and "origin_outside_region" in outside["findings"]
    assert "claims_origin_in_region" in outside["findings"] and "not_authorized_user" not in outside["findings"]

    taro = _report(ip, seller_uscc=SHOP, name="东寮芋", product="芋头", claimed_origin="东寮村")
    assert taro["mark"]["id"] == DONGLIAO
    assert (taro["findings"], taro["infringement"], taro["fine_range"]) == (
        ["identical_mark", "mark_not_registered"], False, None)


@pytest.mark.parametrize("sales, maximum", [(49_999, "250000.00"), (50_000, "250000.00"), (50_001, "250005.00")])
def test_t_fine_at_49999_50000_50001_yuan_turnover(ip, sales, maximum):
    report = _report(ip, seller_uscc=SHOP, sales_amount_yuan=sales)
    assert report["fine_range"]["rule_id"] == "T-FINE" and report["fine_range"]["maximum_yuan"] == maximum


def test_j_214_is_flagged_at_its_threshold_and_t_innocent_removes_the_fine(ip):
    under = _report(ip, seller_uscc=SHOP, sales_amount_yuan=49_999.99)
    at = _report(ip, seller_uscc=SHOP, sales_amount_yuan=50_000)
    assert under["judiciary"] == [] and under["transfer_suggested"] is False
    assert [j["rule"] for j in at["judiciary"]] == ["J-214"] and at["transfer_suggested"] is True
    innocent = _report(ip, seller_uscc=generate("individual_business", 880_020), did_not_know=True,
                       lawful_acquisition_proven=True, supplier_named=True)
    assert "innocent_seller" in innocent["findings"]
    assert (innocent["fine_range"]["rule_id"], innocent["fine_range"]["maximum_yuan"]) == ("T-INNOCENT", "0.00")
    assert at["prior_infringements_5y"] == 1  # the shop's report just before (T-FINE: heavier on repeat)


@pytest.mark.parametrize("name, relation", [("埔田竹筍", "identical"), ("埔田　竹笋", "identical"),
                                            ("【埔田竹笋】", "identical"), ("埔 田 竹 笋", "identical"),
                                            ("ＰＵＴＩＡＮ埔田竹笋", "similar"), ("埔田笋", "similar")])
def test_chinese_variants_match_the_mark(ip, name, relation):
    report = _report(ip, seller_uscc=SHOP, name=name)
    assert report["mark"]["id"] == PUTIAN and report["relation"] == relation
    assert ("identical_mark" if relation == "identical" else "similar_mark") in report["findings"]
    assert [m["mark_id"] for m in ip.get(f"/marks?q={name}")["items"]] == [PUTIAN]


@pytest.mark.parametrize("name", ["\u0000\u0001", "🎋🎋🎋", "a" * 200, "‮埔田竹笋", "\ufeff", "竹" * 150])
def test_hostile_names_are_answered_never_crash(ip, name):
    answer = ip.post("/infringement-reports", {
        "mark_name_used": name, "product": "竹笋", "role": "seller", "observed_on": TODAY.isoformat(),
        "seller": {"name": "某店", "kind": "organisation"}, "reporter": {"kind": "public"}}, expect=None)
    assert answer.status_code in (201, 422), answer.text
    assert ip.get("/health")["status"] == "ok"
