"""Tests for the procedure checks: rules S-SIMPLE (简易程序), H-RIGHT (听证) and O-TWO (two officers)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.enforcement.domain.procedure import (
    Officer,
    SimpleProcedureLimits,
    hearing_right_grounds,
    simplified_procedure_refusal,
    two_officers_refusal,
)
from shared.law.penalties import LargeAmounts, PartyKind, Penalty, PenaltyKind

D = Decimal
W, F = PenaltyKind.WARNING, PenaltyKind.FINE
NP, IB, ORG = PartyKind.NATURAL_PERSON, PartyKind.INDIVIDUAL_BUSINESS, PartyKind.ORGANISATION


def fine(amount, *also: PenaltyKind, confiscation=D(0)) -> Penalty:
    return Penalty(kinds=frozenset({F, *also}), fine_yuan=D(amount), confiscation_yuan=confiscation)


# --- S-SIMPLE --------------------------------------------------------------------------------------

def test_s_simple_warning_only_is_allowed_for_every_party():
    for party in PartyKind:
        assert simplified_procedure_refusal(Penalty(kinds=frozenset({W})), party) is None


@pytest.mark.parametrize("amount, allowed", [("199.99", True), ("200", True), ("200.01", False), ("201", False)])
def test_s_simple_natural_person_limit_200(amount, allowed):
    """S-SIMPLE: fine ≤ 200 yuan on a natural person."""
    refusal = simplified_procedure_refusal(fine(amount), NP)
    assert (refusal is None) is allowed
    if amount == "201":
        assert refusal == ("S-SIMPLE: a fine of 201 yuan on a natural person exceeds the on-the-spot "
                           "limit of 200 yuan")


@pytest.mark.parametrize("amount, allowed", [("2999", True), ("3000", True), ("3000.01", False), ("3001", False)])
def test_s_simple_organisation_limit_3000(amount, allowed):
    """S-SIMPLE: fine ≤ 3,000 yuan on an organisation."""
    refusal = simplified_procedure_refusal(fine(amount), ORG)
    assert (refusal is None) is allowed
    if amount == "3001":
        assert refusal == ("S-SIMPLE: a fine of 3,001 yuan on an organisation exceeds the on-the-spot "
                           "limit of 3,000 yuan")


def test_s_simple_fine_with_warning_is_allowed_within_the_limit():
    assert simplified_procedure_refusal(fine(200, W), NP) is None
    assert simplified_procedure_refusal(fine(3000, W), ORG) is None
    assert simplified_procedure_refusal(fine(201, W), NP) is not None


def test_s_simple_individual_business_counted_as_natural_person_by_default():
    """S-SIMPLE [U]: 个体工商户 takes the 200-yuan limit unless configured otherwise."""
    assert simplified_procedure_refusal(fine(200), IB) is None
    refusal = simplified_procedure_refusal(fine(201), IB)
    assert refusal is not None and "individual business (counted as a natural person)" in refusal
    as_organisation = SimpleProcedureLimits.from_mapping({"individual_business_as_natural_person": False})
    assert simplified_procedure_refusal(fine(3000), IB, as_organisation) is None
    assert simplified_procedure_refusal(fine(3001), IB, as_organisation) is not None
    assert SimpleProcedureLimits.from_mapping({"individual_business_as_natural_person": "false"}) \
        .fine_limit(IB) == Decimal(3000)


@pytest.mark.parametrize("other", [PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY,
                                   PenaltyKind.SUSPEND_LICENCE, PenaltyKind.CIRCULATED_CRITICISM,
                                   PenaltyKind.REVOKE_LICENCE])
def test_s_simple_any_other_kind_excludes_it(other):
    """S-SIMPLE: a fine with confiscation (or any other kind) is refused, however small."""
    refusal = simplified_procedure_refusal(fine(10, other, confiscation=D(5)), NP)
    assert refusal is not None and refusal.startswith("S-SIMPLE:") and other.value in refusal


def test_s_simple_no_penalty_is_refused():
    assert simplified_procedure_refusal(Penalty(kinds=frozenset()), NP).startswith("S-SIMPLE:")


def test_s_simple_limits_are_configuration():
    limits = SimpleProcedureLimits.from_mapping({"natural_person_fine_yuan": "50", "organisation_fine_yuan": 1000})
    assert limits.fine_limit(NP) == D(50) and limits.fine_limit(ORG) == D(1000)
    assert simplified_procedure_refusal(fine(51), NP, limits) is not None
    assert SimpleProcedureLimits().fine_limit(ORG) == D(3000)


# --- H-RIGHT ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("party, amount, hearing", [
    (NP, "9999.99", False), (NP, "10000", True), (NP, "10000.01", True),
    (IB, "9999.99", False), (IB, "10000", True),
    (ORG, "99999", False), (ORG, "99999.99", False), (ORG, "100000", True), (ORG, "100001", True),
])
def test_h_right_large_fine(party, amount, hearing):
    """H-RIGHT: large fine ≥ 10,000 natural person (individual business counted with them) / ≥ 100,000 organisation."""
    grounds = hearing_right_grounds(fine(amount), party, LargeAmounts())
    assert bool(grounds) is hearing
    if hearing:
        assert len(grounds) == 1 and "large fine" in grounds[0] and "较大数额罚款" in grounds[0]


@pytest.mark.parametrize("party, amount, hearing", [
    (NP, "9999.99", False), (NP, "10000", True), (ORG, "99999", False), (ORG, "100000", True),
])
@pytest.mark.parametrize("kind", [PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY])
def test_h_right_large_confiscation_same_amounts(party, amount, hearing, kind):
    """H-RIGHT: confiscation of a large amount, with the same amounts as the fine."""
    penalty = Penalty(kinds=frozenset({kind}), confiscation_yuan=D(amount))
    grounds = hearing_right_grounds(penalty, party, LargeAmounts())
    assert bool(grounds) is hearing
    if hearing:
        assert "large confiscation" in grounds[0] and "没收" in grounds[0]


def test_h_right_large_fine_and_confiscation_both_listed():
    penalty = Penalty(kinds=frozenset({F, PenaltyKind.CONFISCATE_GAINS}), fine_yuan=D(10_000),
                      confiscation_yuan=D(10_000))
    assert len(hearing_right_grounds(penalty, NP, LargeAmounts())) == 2


@pytest.mark.parametrize("kind, chinese", [
    (PenaltyKind.DOWNGRADE_QUALIFICATION, "降低资质等级"),
    (PenaltyKind.REVOKE_LICENCE, "吊销许可证件"),
    (PenaltyKind.SUSPEND_BUSINESS, "责令停产停业"),
    (PenaltyKind.CLOSE, "责令关闭"),
    (PenaltyKind.BAN_PRACTISING, "限制从业"),
    (PenaltyKind.RESTRICT_BUSINESS, "限制开展生产经营活动"),
])
def test_h_right_each_non_monetary_kind(kind, chinese):
    """H-RIGHT: downgrade, revocation, suspension, closure, ban on practising, restriction of business."""
    for party in PartyKind:
        (ground,) = hearing_right_grounds(Penalty(kinds=frozenset({kind})), party, LargeAmounts())
        assert chinese in ground


@pytest.mark.parametrize("kind", [PenaltyKind.WARNING, PenaltyKind.CIRCULATED_CRITICISM,
                                  PenaltyKind.SUSPEND_LICENCE])
def test_h_right_light_penalties_give_no_hearing(kind):
    assert hearing_right_grounds(Penalty(kinds=frozenset({kind})), ORG, LargeAmounts()) == []


def test_h_right_uses_configured_large_amounts():
    """H-RIGHT [S]: a province's amounts prevail."""
    large = LargeAmounts.from_mapping({"natural_person_yuan": "5000", "organisation_yuan": "50000"})
    assert hearing_right_grounds(fine(5000), NP, large)
    assert not hearing_right_grounds(fine(5000), NP, LargeAmounts())


# --- O-TWO -----------------------------------------------------------------------------------------

TODAY = date(2025, 6, 16)
YESTERDAY = TODAY - timedelta(days=1)


def officer(staff_id: str, expires: date | None = date(2027, 12, 31), cert: str | None = "cert") -> Officer:
    return Officer(staff_id=staff_id, cert_no=None if cert is None else f"{cert}-{staff_id}", cert_expires=expires)


def test_o_two_two_valid_officers():
    assert two_officers_refusal([officer("A001"), officer("B002")], TODAY) is None


def test_o_two_one_officer_is_refused():
    refusal = two_officers_refusal([officer("A001")], TODAY)
    assert refusal is not None and refusal.startswith("O-TWO:") and "only 1 (A001)" in refusal


def test_o_two_no_officer_is_refused():
    refusal = two_officers_refusal([], TODAY)
    assert refusal is not None and "no officer is assigned" in refusal


def test_o_two_same_officer_twice_counts_once():
    refusal = two_officers_refusal([officer("A001"), officer("A001", cert="other")], TODAY)
    assert refusal is not None and "A001 is listed more than once" in refusal


def test_o_two_certificate_expired_yesterday_counts_as_none():
    refusal = two_officers_refusal([officer("A001"), officer("B002", expires=YESTERDAY)], TODAY)
    assert refusal is not None
    assert f"B002's certificate cert-B002 expired on {YESTERDAY.isoformat()}" in refusal


def test_o_two_certificate_expiring_today_is_still_valid():
    assert two_officers_refusal([officer("A001"), officer("B002", expires=TODAY)], TODAY) is None


def test_o_two_officer_without_certificate_counts_as_none():
    refusal = two_officers_refusal([officer("A001"), officer("B002", cert=None)], TODAY)
    assert refusal is not None and "B002 holds no enforcement certificate" in refusal
    refusal = two_officers_refusal([officer("A001"), officer("B002", expires=None)], TODAY)
    assert refusal is not None and "no expiry date" in refusal


def test_o_two_three_officers_one_expired_is_still_enough():
    officers = [officer("A001"), officer("B002", expires=YESTERDAY), officer("C003")]
    assert two_officers_refusal(officers, TODAY) is None


def test_o_two_both_invalid_names_both():
    refusal = two_officers_refusal([officer("A001", cert=None), officer("B002", expires=YESTERDAY)], TODAY)
    assert refusal is not None and "none does" in refusal and "A001" in refusal and "B002" in refusal
