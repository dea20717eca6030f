"""Penalties and parties: the vocabulary of 行政处罚法 art. 9, and the "large amount" (较大数额)
that H-RIGHT (hearing right, enforcement) and M-FINE / M-CONFISCATE (major decision, legal_review)
both compare against. Pure Python.

Amounts marked [S]/[U] in DOMAIN.md, or set by a province, are configuration: :class:`LargeAmounts`
holds the defaults, and :meth:`LargeAmounts.from_mapping` reads an operator's values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Mapping


class PenaltyKind(str, Enum):
    """行政处罚法 art. 9."""
    WARNING = "warning"                                  # 警告
    CIRCULATED_CRITICISM = "circulated_criticism"        # 通报批评
    FINE = "fine"                                        # 罚款
    CONFISCATE_GAINS = "confiscate_gains"                # 没收违法所得
    CONFISCATE_PROPERTY = "confiscate_property"          # 没收非法财物
    SUSPEND_LICENCE = "suspend_licence"                  # 暂扣许可证件
    DOWNGRADE_QUALIFICATION = "downgrade_qualification"  # 降低资质等级
    REVOKE_LICENCE = "revoke_licence"                    # 吊销许可证件 (incl. business licence)
    RESTRICT_BUSINESS = "restrict_business"              # 限制开展生产经营活动
    SUSPEND_BUSINESS = "suspend_business"                # 责令停产停业
    CLOSE = "close"                                      # 责令关闭
    BAN_PRACTISING = "ban_practising"                    # 限制从业


CONFISCATIONS = frozenset({PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY})
# M-SUSPEND / H-RIGHT: suspension of production or business, closure, ban, restriction.
SUSPENSIONS = frozenset({PenaltyKind.SUSPEND_BUSINESS, PenaltyKind.CLOSE, PenaltyKind.BAN_PRACTISING,
                         PenaltyKind.RESTRICT_BUSINESS})
# M-REVOKE / H-RIGHT: revocation and downgrade.
REVOCATIONS = frozenset({PenaltyKind.REVOKE_LICENCE, PenaltyKind.DOWNGRADE_QUALIFICATION})


class PartyKind(str, Enum):
    """Who is penalised: the amounts differ for 公民 and for 法人或者其他组织."""
    NATURAL_PERSON = "natural_person"
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户
    ORGANISATION = "organisation"                # 法人或者其他组织


def party_reference(party: Mapping[str, object]) -> dict[str, object]:
    """What other departments receive about a party in an event: its code, name and kind, never a
    natural person's identity number, phone or address."""
    return {k: v for k, v in party.items() if k in ("uscc", "name", "kind")}


@dataclass(frozen=True)
class Penalty:
    kinds: frozenset[PenaltyKind]
    fine_yuan: Decimal = Decimal(0)
    confiscation_yuan: Decimal = Decimal(0)

    @property
    def is_warning_only(self) -> bool:
        return self.kinds == {PenaltyKind.WARNING}


@dataclass(frozen=True)
class LargeAmounts:
    """较大数额: H-RIGHT and M-FINE / M-CONFISCATE [S]. Individual businesses are counted with
    natural persons by default (``individual_business_as_natural_person``) [U]."""

    natural_person_yuan: Decimal = Decimal(10_000)
    organisation_yuan: Decimal = Decimal(100_000)
    individual_business_as_natural_person: bool = True
    source: str = field(default="DOMAIN.md defaults (H-RIGHT, M-FINE)")

    def threshold(self, party: PartyKind) -> Decimal:
        if party is PartyKind.NATURAL_PERSON or (
                party is PartyKind.INDIVIDUAL_BUSINESS and self.individual_business_as_natural_person):
            return self.natural_person_yuan
        return self.organisation_yuan

    def is_large_fine(self, penalty: Penalty, party: PartyKind) -> bool:
        return PenaltyKind.FINE in penalty.kinds and penalty.fine_yuan >= self.threshold(party)

    def is_large_confiscation(self, penalty: Penalty, party: PartyKind) -> bool:
        return bool(penalty.kinds & CONFISCATIONS) and penalty.confiscation_yuan >= self.threshold(party)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> "LargeAmounts":
        return cls(natural_person_yuan=Decimal(str(values.get("natural_person_yuan", cls.natural_person_yuan))),
                   organisation_yuan=Decimal(str(values.get("organisation_yuan", cls.organisation_yuan))),
                   individual_business_as_natural_person=bool(values.get(
                       "individual_business_as_natural_person", True)),
                   source=str(values.get("source", "operator configuration")))


def amount_in_yuan(value: object, what: str, *, missing_is_zero: bool = False) -> Decimal:
    """The one way an amount in yuan is read from data: finite, non-negative, exact (floats go
    through ``str`` so 0.1 stays 0.1). Raises ``ValueError`` naming ``what``."""
    if value is None and missing_is_zero:
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what} must be a non-negative amount, got {value!r}")
    return amount
