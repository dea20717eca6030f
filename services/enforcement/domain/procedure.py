"""Procedure checks a case must pass before an action: the simplified on-the-spot procedure
(S-SIMPLE, 简易程序 / 当场处罚), the party's hearing right (H-RIGHT, 听证) and the two-officer rule
(O-TWO, 两名以上执法人员). Pure Python.

Each check returns ``None`` (or an empty list) when the action is allowed, or the sentence, naming
the rule, that a caller shows to the officer and records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Mapping, Sequence

from shared.law.penalties import (
    REVOCATIONS,
    SUSPENSIONS,
    LargeAmounts,
    PartyKind,
    Penalty,
    PenaltyKind,
)


def _yuan(amount: Decimal) -> str:
    return f"{format(Decimal(amount).normalize(), ',f')} yuan"


def _flag(value: object) -> bool:
    """A setting read from a file or the environment: "false", "no", "0" and "" are false."""
    if isinstance(value, str):
        return value.strip().lower() not in {"", "0", "false", "no", "off"}
    return bool(value)


_PARTY_NAMES = {
    PartyKind.NATURAL_PERSON: "a natural person",
    PartyKind.INDIVIDUAL_BUSINESS: "an individual business",
    PartyKind.ORGANISATION: "an organisation",
}


# --- S-SIMPLE -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SimpleProcedureLimits:
    """S-SIMPLE (行政处罚法 art. 51) [P]: on the spot only a warning, or a fine ≤ 200 yuan on a citizen
    (公民) / ≤ 3,000 yuan on a legal person or other organisation (法人或者其他组织). Whether an
    individual business (个体工商户) is counted with natural persons is [U]: by default it is."""

    natural_person_fine_yuan: Decimal = Decimal(200)    # S-SIMPLE [P art. 51]
    organisation_fine_yuan: Decimal = Decimal(3_000)    # S-SIMPLE [P art. 51]
    individual_business_as_natural_person: bool = True  # S-SIMPLE [U]
    source: str = field(default="DOMAIN.md defaults (S-SIMPLE)")

    def fine_limit(self, party: PartyKind) -> Decimal:
        if party is PartyKind.NATURAL_PERSON or (
                party is PartyKind.INDIVIDUAL_BUSINESS and self.individual_business_as_natural_person):
            return self.natural_person_fine_yuan
        return self.organisation_fine_yuan

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> "SimpleProcedureLimits":
        return cls(
            natural_person_fine_yuan=Decimal(str(values.get("natural_person_fine_yuan",
                                                            cls.natural_person_fine_yuan))),
            organisation_fine_yuan=Decimal(str(values.get("organisation_fine_yuan", cls.organisation_fine_yuan))),
            individual_business_as_natural_person=_flag(values.get("individual_business_as_natural_person",
                                                                  cls.individual_business_as_natural_person)),
            source=str(values.get("source", "operator configuration")))


_SIMPLE_KINDS = frozenset({PenaltyKind.WARNING, PenaltyKind.FINE})


def simplified_procedure_refusal(penalty: Penalty, party: PartyKind,
                                 limits: SimpleProcedureLimits = SimpleProcedureLimits()) -> str | None:
    """S-SIMPLE: ``None`` when the simplified on-the-spot procedure (简易程序) may be used: only a
    warning (警告), or a fine (罚款), alone or with a warning, not above the limit for the party.
    Otherwise one sentence naming S-SIMPLE and why."""
    party = PartyKind(party)
    if not penalty.kinds:
        return "S-SIMPLE: no penalty is given, and the on-the-spot procedure only imposes a warning or a small fine"
    others = sorted(k.value for k in penalty.kinds - _SIMPLE_KINDS)
    if others:
        return (f"S-SIMPLE: the on-the-spot procedure allows only a warning or a small fine, "
                f"and {', '.join(others)} {'excludes' if len(others) == 1 else 'exclude'} it")
    if PenaltyKind.FINE in penalty.kinds:
        limit = limits.fine_limit(party)
        if penalty.fine_yuan > limit:
            counted = (" (counted as a natural person)"
                       if party is PartyKind.INDIVIDUAL_BUSINESS and limits.individual_business_as_natural_person
                       else "")
            return (f"S-SIMPLE: a fine of {_yuan(penalty.fine_yuan)} on {_PARTY_NAMES[party]}{counted} "
                    f"exceeds the on-the-spot limit of {_yuan(limit)}")
    return None


# --- H-RIGHT --------------------------------------------------------------------------------------

# H-RIGHT (行政处罚法 art. 63) [P]: the non-monetary penalties that give a hearing right.
_HEARING_KINDS: dict[PenaltyKind, str] = {
    PenaltyKind.DOWNGRADE_QUALIFICATION: "qualification downgrade (降低资质等级)",
    PenaltyKind.REVOKE_LICENCE: "licence revocation (吊销许可证件)",
    PenaltyKind.SUSPEND_BUSINESS: "suspension of production or business (责令停产停业)",
    PenaltyKind.CLOSE: "closure (责令关闭)",
    PenaltyKind.BAN_PRACTISING: "ban on practising (限制从业)",
    PenaltyKind.RESTRICT_BUSINESS: "restriction of business (限制开展生产经营活动)",
}
if frozenset(_HEARING_KINDS) != REVOCATIONS | SUSPENSIONS:  # pragma: no cover - guards a vocabulary change
    raise RuntimeError("H-RIGHT: the hearing kinds are out of step with shared.law.penalties")


def hearing_right_grounds(penalty: Penalty, party: PartyKind,
                          large: LargeAmounts = LargeAmounts()) -> list[str]:
    """H-RIGHT: why the party may request a hearing (听证) on this penalty; an empty list means no
    hearing right. A large fine or a large confiscation is measured against ``large`` (较大数额, the
    same amounts M-FINE / M-CONFISCATE use)."""
    party = PartyKind(party)
    grounds = []
    if large.is_large_fine(penalty, party):
        grounds.append(f"large fine (较大数额罚款): {_yuan(penalty.fine_yuan)} reaches "
                       f"{_yuan(large.threshold(party))}")
    if large.is_large_confiscation(penalty, party):
        grounds.append(f"large confiscation (没收较大数额违法所得、较大价值非法财物): "
                       f"{_yuan(penalty.confiscation_yuan)} reaches {_yuan(large.threshold(party))}")
    for kind, phrase in _HEARING_KINDS.items():
        if kind in penalty.kinds:
            grounds.append(phrase)
    return grounds


# --- O-TWO ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Officer:
    """An enforcement officer as the case knows them; ``cert_no`` is the enforcement certificate
    (行政执法证件) number, ``cert_expires`` the last day it is valid."""

    staff_id: str
    cert_no: str | None
    cert_expires: date | None


# O-TWO (行政处罚法 art. 42) [P]: at least two officers with valid certificates.
MIN_OFFICERS = 2


def _certificate_problem(officer: Officer, on: date) -> str | None:
    if not officer.cert_no:
        return f"{officer.staff_id} holds no enforcement certificate"
    if officer.cert_expires is None:
        return f"{officer.staff_id}'s certificate {officer.cert_no} has no expiry date on record"
    if officer.cert_expires < on:
        return f"{officer.staff_id}'s certificate {officer.cert_no} expired on {officer.cert_expires.isoformat()}"
    return None


def two_officers_refusal(officers: Sequence[Officer], on: date) -> str | None:
    """O-TWO: ``None`` when at least two distinct officers (by ``staff_id``) hold an enforcement
    certificate (执法证件) valid on ``on``; a certificate is valid through its expiry day. An expired
    certificate, or one without a recorded expiry date, counts as none. Otherwise one sentence
    naming O-TWO and who is missing or expired."""
    valid: list[str] = []
    problems: dict[str, str] = {}
    seen: list[str] = []
    duplicates: list[str] = []
    for officer in officers:
        staff_id = (officer.staff_id or "").strip()
        if not staff_id:
            problems.setdefault("", "an officer without a staff id")
            continue
        if staff_id in seen:
            if staff_id not in duplicates:
                duplicates.append(staff_id)
        else:
            seen.append(staff_id)
        if staff_id in valid:
            continue
        problem = _certificate_problem(officer, on)
        if problem is None:
            valid.append(staff_id)
            problems.pop(staff_id, None)
        else:
            problems.setdefault(staff_id, problem)
    if len(valid) >= MIN_OFFICERS:
        return None
    found = (f"only {len(valid)} ({', '.join(valid)}) does" if len(valid) == 1 else "none does")
    details = [p for s, p in problems.items() if s not in valid]
    details += [f"{s} is listed more than once and counts once" for s in duplicates]
    if not officers:
        details.append("no officer is assigned")
    return (f"O-TWO: at least {MIN_OFFICERS} officers with enforcement certificates valid on "
            f"{on.isoformat()} are needed, {found}" + ("; " + "; ".join(details) if details else ""))


__all__ = [
    "MIN_OFFICERS", "Officer", "SimpleProcedureLimits", "hearing_right_grounds",
    "simplified_procedure_refusal", "two_officers_refusal",
]
