"""Tests for public disclosure (公示): P-SCOPE, P-FIELDS, P-REDACT, P-DUE, P-WITHDRAW, P-PERIOD and
P-REPAIR (services/legal_review/domain/disclosure.py).

Working-day dates are computed by hand from the official 2026 schedule (shipped holiday table):

    Mid-Autumn    Fri 2026-09-25 off (with the weekend 09-26, 09-27)
    National Day  2026-10-01..10-07 off, Sun 2026-09-20 and Sat 2026-10-10 worked (调休上班日)

"WD n" means "the n-th working day after the start day" (the start day is not counted).
"""
from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from shared.law.disclosure import (
    DEFAULT_POLICY,
    NO_REPAIR_KINDS,
    REDACTED,
    DisclosurePolicy,
    display_period_ends,
    in_scope,
    is_displayed,
    penalty_content,
    penalty_of,
    public_fields,
    publication_due,
    redact,
    repair_refusal,
    short_display,
    valid_resident_id,
    valid_uscc,
    withdrawal_due,
)
from shared.calendar import HOLIDAY_TABLE_ENV, WorkingDayCalendar
from shared.law.penalties import Penalty, PenaltyKind

D = date.fromisoformat
K = PenaltyKind

ID_NUMBER = "445203199001011236"        # valid GB 11643 check digit
ID_NUMBER_X = "44520319880808006X"      # check digit X
PHONE = "13812345678"
HOME = "揭阳市揭东区曲溪街道新风路18号"
ORG_USCC = "91440300708461136T"         # R-USCC known valid
DIGIT_USCC = "914452037084611009"       # an all-digit valid USCC (not a birth date at digits 7-14)
DECISION_NO = "揭东市监处罚〔2026〕12号"


def fine(amount: int | str, *extra: PenaltyKind) -> Penalty:
    return Penalty(kinds=frozenset({K.FINE, *extra}), fine_yuan=Decimal(str(amount)))


@pytest.fixture
def cal(monkeypatch: pytest.MonkeyPatch) -> WorkingDayCalendar:
    monkeypatch.delenv(HOLIDAY_TABLE_ENV, raising=False)
    return WorkingDayCalendar()


def person_event(**overrides) -> dict:
    event = {
        "case_no": "JD-2026-0012",
        "decision_no": DECISION_NO,
        "procedure": "ordinary",
        "subject": {"name": "张三", "kind": "natural_person", "id_number": ID_NUMBER,
                    "phone": PHONE, "address": HOME},
        "penalty": {"kinds": ["fine"], "fine_amount_yuan": 150000},
        "legal_basis": ["《中华人民共和国食品安全法》第一百二十四条第一款"],
        "facts": (f"当事人张三（身份证号码{ID_NUMBER}，联系电话{PHONE}，住址{HOME}）于2026-09-01"
                  "起在其经营场所销售超过保质期的食品，货值金额人民币150000元。"),
        "decided_at": "2026-11-25T10:00:00+08:00",
        "category": "food",
    }
    event.update(overrides)
    return event


def org_event() -> dict:
    return person_event(
        subject={"name": "揭阳市某某食品有限公司", "kind": "organisation", "uscc": ORG_USCC,
                 "address": "揭阳市揭东区经济开发区创业路1号", "phone": "0663-3210000"},
        facts=(f"当事人揭阳市某某食品有限公司（统一社会信用代码{ORG_USCC}，住所揭阳市揭东区经济开发区创业路1号，"
               f"法定代表人李四，身份证号码{ID_NUMBER_X}，电话0663-3210000）生产不符合食品安全标准的食品。"),
    )


# --- P-SCOPE ---------------------------------------------------------------------------------------

def test_p_scope_ordinary_fine_is_published() -> None:
    """P-SCOPE: every ordinary-procedure penalty decision is published."""
    assert in_scope("ordinary", fine(100)) is True
    assert in_scope("ordinary", Penalty(kinds=frozenset({K.CIRCULATED_CRITICISM}))) is True
    assert in_scope("ordinary", fine(100, K.WARNING)) is True  # warning plus a fine: not warning-only


def test_p_scope_warning_only_is_not_published() -> None:
    """P-SCOPE: a warning-only decision is not published."""
    assert in_scope("ordinary", Penalty(kinds=frozenset({K.WARNING}))) is False


def test_p_scope_simplified_procedure_is_not_published() -> None:
    """P-SCOPE / S-SIMPLE: simplified-procedure (简易程序) decisions are not published."""
    assert in_scope("simplified", fine(200)) is False
    assert in_scope("simplified", Penalty(kinds=frozenset({K.WARNING}))) is False


def test_p_scope_rejects_unknown_procedure_and_empty_penalty() -> None:
    """P-SCOPE: only the two procedures of the event schema are known."""
    with pytest.raises(ValueError):
        in_scope("summary", fine(100))
    with pytest.raises(ValueError):
        in_scope("ordinary", Penalty(kinds=frozenset()))


# --- P-REDACT --------------------------------------------------------------------------------------

def test_p_redact_natural_person_id_phone_and_home_address_removed() -> None:
    """P-REDACT: a natural person's ID number, phone and home address never reach the output."""
    event = person_event()
    out = redact(event["facts"], party=event["subject"])
    for secret in (ID_NUMBER, PHONE, HOME, "新风路18号"):
        assert secret not in out
    assert out.count(REDACTED) == 3
    assert "张三" in out  # the name is published (P-FIELDS)
    assert "2026-09-01" in out and "人民币150000元" in out


def test_p_redact_id_numbers_in_text_even_of_other_people() -> None:
    """P-REDACT: any 18-character ID in the text, X/x check digit, wrong check digit, full width."""
    assert valid_resident_id(ID_NUMBER_X)
    party = {"name": "某公司", "kind": "organisation"}
    assert redact(f"证人王五，身份证{ID_NUMBER_X}。", party=party) == f"证人王五，身份证{REDACTED}。"
    assert redact(f"号码{ID_NUMBER_X.lower()}", party=party) == f"号码{REDACTED}"
    wrong_check = ID_NUMBER[:-1] + "9"
    assert not valid_resident_id(wrong_check)
    assert redact(f"身份证{wrong_check}", party=party) == f"身份证{REDACTED}"
    full_width = ID_NUMBER.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert redact(f"身份证{full_width}。", party=party) == f"身份证{REDACTED}。"


def test_p_redact_old_15_digit_id_but_not_registration_number() -> None:
    """P-REDACT: a 15-digit old ID (YYMMDD at digits 7-12) goes; an old 注册号 (no date) stays."""
    party = {"name": "某公司", "kind": "organisation"}
    assert redact("旧身份证445203900101123", party=party) == f"旧身份证{REDACTED}"
    assert redact("注册号445200000012345", party=party) == "注册号445200000012345"


@pytest.mark.parametrize("phone", ["13812345678", "+8613812345678", "+86 13812345678", "+86-13812345678",
                                   "0086 138 1234 5678", "138-1234-5678", "１３８１２３４５６７８", "19912345678"])
def test_p_redact_mobile_numbers_with_and_without_plus_86(phone: str) -> None:
    """P-REDACT: mainland mobiles 1[3-9]xxxxxxxxx, optional +86/0086 prefix and separators."""
    assert redact(f"电话{phone}。", party={"name": "x"}) == f"电话{REDACTED}。"


@pytest.mark.parametrize("phone", ["0663-8888888", "06638888888", "020-12345678", "(0663)8888888",
                                   "（0663）8888888", "+86-663-8888888", "+86 0663 8888888"])
def test_p_redact_landlines(phone: str) -> None:
    """P-REDACT: landlines 0 + area code + 7-8 digits, optional +86."""
    assert redact(f"座机{phone}，", party={"name": "x"}) == f"座机{REDACTED}，"


def test_p_redact_leaves_amounts_dates_decision_numbers_and_uscc_untouched() -> None:
    """P-REDACT: nothing but personal information and trade secrets is removed (art. 7)."""
    text = (f"{DECISION_NO}：当事人（统一社会信用代码{ORG_USCC}、{DIGIT_USCC}）于2026-11-25、2026年11月25日"
            "违法经营，罚款人民币150000元，即150000.00元，货值13800000000元、13812345678.00元、"
            "1381万元，违法所得3000元，案号JD-2026-0012，20261125，第7条。")
    assert valid_uscc(DIGIT_USCC)
    assert redact(text, party={"name": "某公司", "kind": "organisation", "uscc": ORG_USCC}) == text


def test_p_redact_party_own_all_digit_uscc_survives_even_if_date_like() -> None:
    """P-REDACT / R-USCC: the party's own USCC is never mistaken for an ID number."""
    uscc_like = "914452031990010112"  # date-like digits 7-14; kept only because it is the party's code
    party = {"name": "某公司", "kind": "organisation", "uscc": uscc_like}
    assert redact(f"代码{uscc_like}", party=party) == f"代码{uscc_like}"
    assert redact(f"代码{uscc_like}", party={"name": "x"}) == f"代码{REDACTED}"


def test_p_redact_organisation_keeps_name_uscc_and_registered_address() -> None:
    """P-REDACT: an organisation's name, USCC and registered address are not personal information;
    its legal representative's ID number is, and phones are removed."""
    event = org_event()
    out = redact(event["facts"], party=event["subject"])
    assert "揭阳市某某食品有限公司" in out and ORG_USCC in out
    assert "揭阳市揭东区经济开发区创业路1号" in out
    assert "李四" in out
    assert ID_NUMBER_X not in out and "0663-3210000" not in out


def test_p_redact_individual_business_keeps_operator_name_removes_personal_data() -> None:
    """P-REDACT: an individual business's operator name is its business name; its ID, phone and
    address given in the party are removed."""
    party = {"name": "揭东区陈记副食店（经营者：陈某）", "kind": "individual_business",
             "id_number": ID_NUMBER, "phone": "8123456", "address": "揭东区玉滘镇某村5号"}
    text = f"当事人揭东区陈记副食店（经营者：陈某），身份证{ID_NUMBER}，电话8123456，经营场所揭东区玉滘镇某村5号。"
    out = redact(text, party=party)
    assert out == f"当事人揭东区陈记副食店（经营者：陈某），身份证{REDACTED}，电话{REDACTED}，经营场所{REDACTED}。"


def test_p_redact_trade_secrets_and_blank_strings() -> None:
    """P-REDACT: each trade secret is removed; blank strings remove nothing."""
    party = {"name": "某公司", "kind": "organisation", "phone": "", "id_number": "  "}
    text = "配方为A料30%、B料70%，供应商为甲厂。"
    out = redact(text, party=party, trade_secrets=["A料30%、B料70%", "甲厂", " "])
    assert out == f"配方为{REDACTED}，供应商为{REDACTED}。"
    with pytest.raises(TypeError):
        redact(text, party=party, trade_secrets="甲厂")


# --- P-FIELDS --------------------------------------------------------------------------------------

def test_p_fields_natural_person_summary_has_name_only() -> None:
    """P-FIELDS / P-REDACT: the natural person's name is published, nothing else about them."""
    fields = public_fields(person_event())
    assert fields["decision_no"] == DECISION_NO
    assert fields["party"] == {"kind": "natural_person", "name": "张三"}
    assert fields["violation_type"] == "food"
    assert fields["penalty_content"] == "罚款人民币150000.00元"
    assert fields["authority"] == "揭阳市揭东区市场监督管理局"
    assert fields["decided_on"] == "2026-11-25"
    assert "处罚依据：《中华人民共和国食品安全法》第一百二十四条第一款" in fields["decision_text"]
    assert "张三" in fields["decision_text"]
    everything = repr(fields)
    for secret in (ID_NUMBER, PHONE, HOME):
        assert secret not in everything


def test_p_fields_organisation_party_has_name_and_uscc() -> None:
    """P-FIELDS: an organisation is published with its name and USCC."""
    fields = public_fields(org_event(), authority="揭阳市市场监督管理局", trade_secrets=["不符合食品安全标准"])
    assert fields["party"] == {"kind": "organisation", "name": "揭阳市某某食品有限公司", "uscc": ORG_USCC}
    assert ORG_USCC in fields["decision_text"] and "揭阳市某某食品有限公司" in fields["decision_text"]
    assert "不符合食品安全标准" not in fields["decision_text"]
    assert fields["authority"] == "揭阳市市场监督管理局"


def test_p_fields_decision_date_is_shanghai_date() -> None:
    """P-FIELDS / C-WD: 2026-11-24T17:00Z is 2026-11-25 01:00 in Asia/Shanghai."""
    assert public_fields(person_event(decided_at="2026-11-24T17:00:00Z"))["decided_on"] == "2026-11-25"
    assert public_fields(person_event(decided_at="2026-11-24T15:59:59Z"))["decided_on"] == "2026-11-24"


def test_p_fields_penalty_content_sentences() -> None:
    """P-FIELDS: 行政处罚内容 from the kinds and amounts, in the order of 行政处罚法 art. 9."""
    assert penalty_content(fine(2000, K.WARNING)) == "警告；罚款人民币2000.00元"
    both = Penalty(kinds=frozenset({K.FINE, K.CONFISCATE_GAINS, K.CONFISCATE_PROPERTY}),
                   fine_yuan=Decimal("50000"), confiscation_yuan=Decimal("1234.5"))
    assert penalty_content(both) == "罚款人民币50000.00元；没收违法所得和非法财物（合计人民币1234.50元）"
    gains = Penalty(kinds=frozenset({K.CONFISCATE_GAINS, K.REVOKE_LICENCE}), confiscation_yuan=Decimal(800))
    assert penalty_content(gains) == "没收违法所得人民币800.00元；吊销许可证件"
    assert penalty_content(Penalty(kinds=frozenset({K.CONFISCATE_PROPERTY}))) == "没收非法财物"


def test_p_fields_penalty_of_event() -> None:
    """P-FIELDS: the event's JSON numbers become Decimal amounts; unknown kinds are refused."""
    event = person_event(penalty={"kinds": ["fine", "confiscate_gains"], "fine_amount_yuan": 3000.5,
                                  "confiscation_amount_yuan": 10})
    assert penalty_of(event) == Penalty(kinds=frozenset({K.FINE, K.CONFISCATE_GAINS}),
                                        fine_yuan=Decimal("3000.5"), confiscation_yuan=Decimal(10))
    with pytest.raises(ValueError):
        penalty_of(person_event(penalty={"kinds": ["flogging"]}))
    with pytest.raises(ValueError):
        public_fields(person_event(decision_no=""))


# --- P-DUE, P-WITHDRAW -------------------------------------------------------------------------------

def test_p_due_across_national_day_2026(cal: WorkingDayCalendar) -> None:
    """P-DUE: 20 WD from Fri 2026-09-18.

    WD 1 Sun 09-20 (调休), 2-5 Mon 09-21..Thu 09-24, Fri 09-25 off (Mid-Autumn), 6-8 Mon 09-28..
    Wed 09-30, 10-01..10-07 off, 9 Thu 10-08, 10 Fri 10-09, 11 Sat 10-10 (调休), 12-16 Mon 10-12..
    Fri 10-16, 17-20 Mon 10-19..Thu 10-22 → 2026-10-22.
    """
    assert publication_due(D("2026-09-18"), cal) == D("2026-10-22")
    assert cal.working_days_between(D("2026-09-18"), D("2026-10-21")) == 19  # just under
    assert cal.working_days_between(D("2026-09-18"), D("2026-10-23")) == 21  # over


def test_p_due_decided_just_before_national_day(cal: WorkingDayCalendar) -> None:
    """P-DUE: 20 WD from Wed 2026-09-30.

    10-01..10-07 off; WD 1 Thu 10-08, 2 Fri 10-09, 3 Sat 10-10 (调休), 4-8 10-12..10-16,
    9-13 10-19..10-23, 14-18 10-26..10-30, 19 Mon 11-02, 20 Tue 11-03 → 2026-11-03.
    """
    assert publication_due(D("2026-09-30"), cal) == D("2026-11-03")


def test_p_withdraw_across_a_weekend(cal: WorkingDayCalendar) -> None:
    """P-WITHDRAW: 3 WD from Thu 2026-11-26: WD 1 Fri 11-27, Sat/Sun off, 2 Mon 11-30, 3 Tue 12-01."""
    assert withdrawal_due(D("2026-11-26"), cal) == D("2026-12-01")


# --- P-PERIOD ----------------------------------------------------------------------------------------

def test_p_period_low_fine_three_months_boundary_day() -> None:
    """P-PERIOD: a 3,000-yuan fine published 2026-11-25 is shown through 2027-02-24, gone on 02-25."""
    low = fine(3000)
    assert display_period_ends(D("2026-11-25"), low, DEFAULT_POLICY) == D("2027-02-24")
    assert is_displayed(D("2026-11-25"), low, D("2026-11-24"), DEFAULT_POLICY) is False  # not yet
    assert is_displayed(D("2026-11-25"), low, D("2026-11-25"), DEFAULT_POLICY) is True   # first day
    assert is_displayed(D("2026-11-25"), low, D("2027-02-24"), DEFAULT_POLICY) is True   # last day
    assert is_displayed(D("2026-11-25"), low, D("2027-02-25"), DEFAULT_POLICY) is False  # day after


@pytest.mark.parametrize(("amount", "short"), [("2999.99", True), ("3000", True), ("3000.00", True),
                                               ("3000.01", False), ("3001", False)])
def test_p_period_low_fine_threshold(amount: str, short: bool) -> None:
    """P-PERIOD: at or below the provincial low fine (3,000 [U]) → 3 months; above → 3 years."""
    assert short_display(fine(amount)) is short


def test_p_period_3001_yuan_fine_gets_three_years() -> None:
    """P-PERIOD: a 3,001-yuan fine published 2026-11-25 is shown through 2029-11-24."""
    assert display_period_ends(D("2026-11-25"), fine(3001), DEFAULT_POLICY) == D("2029-11-24")
    assert is_displayed(D("2026-11-25"), fine(3001), D("2029-11-24"), DEFAULT_POLICY) is True
    assert is_displayed(D("2026-11-25"), fine(3001), D("2029-11-25"), DEFAULT_POLICY) is False


def test_p_period_circulated_criticism_three_months() -> None:
    """P-PERIOD: 通报批评 → 3 months (also with a low fine); with a confiscation → 3 years."""
    criticism = Penalty(kinds=frozenset({K.CIRCULATED_CRITICISM}))
    assert display_period_ends(D("2026-11-25"), criticism) == D("2027-02-24")
    assert display_period_ends(D("2026-11-25"), fine(500, K.CIRCULATED_CRITICISM)) == D("2027-02-24")
    assert display_period_ends(D("2026-11-25"), fine(500, K.CONFISCATE_GAINS)) == D("2029-11-24")


def test_p_period_month_end_clamp() -> None:
    """P-PERIOD: published 2026-11-30 → (11-29 + 3 months) = 02-29, clamped to 2027-02-28."""
    low = fine(100)
    assert display_period_ends(D("2026-11-30"), low) == D("2027-02-28")
    assert display_period_ends(D("2026-11-29"), low) == D("2027-02-28")
    assert display_period_ends(D("2026-11-28"), low) == D("2027-02-27")
    assert display_period_ends(D("2026-12-01"), low) == D("2027-02-28")  # day before 03-01
    assert display_period_ends(D("2027-11-30"), low) == D("2028-02-29")  # leap year
    assert display_period_ends(D("2028-03-01"), fine(5000)) == D("2031-02-28")  # 02-29 + 3 years


def test_p_period_policy_and_restriction_and_warning() -> None:
    """P-PERIOD: the low fine is a provincial setting; a restriction longer than 3 years extends the
    display; a warning-only decision is not published at all (P-SCOPE)."""
    policy = DisclosurePolicy.from_mapping({"low_fine_max_yuan": 5000})
    assert display_period_ends(D("2026-11-25"), fine(4000), policy) == D("2027-02-24")
    restricted = Penalty(kinds=frozenset({K.BAN_PRACTISING}))
    assert display_period_ends(D("2026-11-25"), restricted, restriction_until=D("2031-11-24")) == D("2031-11-24")
    assert display_period_ends(D("2026-11-25"), restricted, restriction_until=D("2027-11-24")) == D("2029-11-24")
    with pytest.raises(ValueError):
        display_period_ends(D("2026-11-25"), Penalty(kinds=frozenset({K.WARNING})))


def test_p_period_p_repair_policy_from_mapping() -> None:
    """P-PERIOD / P-REPAIR: defaults, operator values, and refused values."""
    assert DisclosurePolicy.from_mapping({}) == DEFAULT_POLICY
    assert DEFAULT_POLICY.low_fine_max_yuan == Decimal(3000)
    policy = DisclosurePolicy.from_mapping({"repair_min_months": 3, "long_repair_categories": ["food"]})
    assert policy.repair_months("drugs") == 3 and policy.repair_months("food") == 12
    for bad in ({"low_fine_max_yuan": -1}, {"low_fine_max_yuan": "lots"}, {"repair_min_months": 0},
                {"long_repair_min_months": True}, {"long_repair_categories": "food"}):
        with pytest.raises(ValueError):
            DisclosurePolicy.from_mapping(bad)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_POLICY.low_fine_max_yuan = Decimal(1)  # type: ignore[misc]


# --- P-REPAIR ----------------------------------------------------------------------------------------

def _repair(**overrides):
    args = dict(published_on=D("2026-05-25"), on=D("2026-11-25"), penalty=fine(50000), category="price",
                performed=True, harm_removed=True, repeat_penalty=False, on_list=False, policy=DEFAULT_POLICY)
    args.update(overrides)
    return repair_refusal(**args)


def test_p_repair_six_months_boundary() -> None:
    """P-REPAIR: published 2026-05-25, six months shown through 11-24: refused on 11-24, allowed
    from 11-25."""
    refusal = _repair(on=D("2026-11-24"))
    assert refusal is not None and "P-REPAIR" in refusal and "6 months" in refusal and "2026-11-25" in refusal
    assert _repair(on=D("2026-11-25")) is None
    assert _repair(on=D("2026-11-26")) is None


def test_p_repair_six_months_month_end() -> None:
    """P-REPAIR: published 2026-08-31, shown through (08-30 + 6 months) = 2027-02-28; allowed 03-01."""
    assert _repair(published_on=D("2026-08-31"), on=D("2027-02-28")) is not None
    assert _repair(published_on=D("2026-08-31"), on=D("2027-03-01")) is None


@pytest.mark.parametrize("category", ["food", "drugs", "special_equipment"])
def test_p_repair_one_year_for_food_drugs_special_equipment(category: str) -> None:
    """P-REPAIR: ≥ 1 year for food, drugs and special equipment."""
    assert "12 months" in _repair(category=category, on=D("2026-11-25"))
    assert _repair(category=category, on=D("2027-05-24")) is not None
    assert _repair(category=category, on=D("2027-05-25")) is None


@pytest.mark.parametrize(("override", "phrase"), [
    ({"performed": False}, "not performed"),
    ({"harm_removed": False}, "harm"),
    ({"repeat_penalty": True}, "penalised again"),
    ({"on_list": True}, "list"),
])
def test_p_repair_each_disqualifier(override: dict, phrase: str) -> None:
    """P-REPAIR: performed, harm removed, no repeat penalty, on neither list — each is required."""
    refusal = _repair(**override)
    assert refusal is not None and refusal.startswith("P-REPAIR") and phrase in refusal


def test_p_repair_lists_every_reason() -> None:
    """P-REPAIR: a refusal names all the reasons."""
    refusal = _repair(on=D("2026-06-01"), performed=False, on_list=True)
    assert "6 months" in refusal and "not performed" in refusal and "list" in refusal


@pytest.mark.parametrize("kind", sorted(NO_REPAIR_KINDS, key=lambda k: k.value))
def test_p_repair_never_for_suspension_restriction_downgrade_revocation(kind: PenaltyKind) -> None:
    """P-REPAIR: never for 停产停业, 关闭, 限制, 降级, 吊销, 暂扣 — even after years and all else met."""
    refusal = _repair(penalty=fine(50000, kind), on=D("2030-01-01"))
    assert refusal is not None and "P-REPAIR" in refusal and "art. 14" in refusal
    assert {K.SUSPEND_BUSINESS, K.CLOSE, K.RESTRICT_BUSINESS, K.BAN_PRACTISING, K.DOWNGRADE_QUALIFICATION,
            K.REVOKE_LICENCE, K.SUSPEND_LICENCE} == NO_REPAIR_KINDS


def test_p_repair_not_for_three_month_displays() -> None:
    """P-REPAIR: 通报批评 and low fines follow the 3-month rule of P-PERIOD instead."""
    refusal = _repair(penalty=fine(3000))
    assert refusal is not None and "P-PERIOD" in refusal
    assert _repair(penalty=fine(3001)) is None
