"""Transfer to the judiciary (行刑衔接): the criminal thresholds of rules J-140, J-143, J-144, J-213,
J-214 and J-224, evaluated from a case's amounts and findings at proposal time. Pure Python.

J-DUTY (《行政执法机关移送涉嫌犯罪案件的规定》 arts. 3, 11; 行政处罚法 art. 27): when a threshold below
is met the case must be transferred to the public security organ (公安机关); a penalty may not replace
a transfer (不得以行政处罚代替移送). This module only says whether, and why, a threshold is met; the
deadlines of the transfer (3 D / 24 h / 3 D) belong to the workflow.

Every amount is configuration ([S] in DOMAIN.md, or set by a later judicial interpretation):
:class:`JudiciaryThresholds` holds the DOMAIN.md defaults and :meth:`JudiciaryThresholds.from_mapping`
reads an operator's values. "At the threshold" counts as met (≥), as in the interpretations' "以上"
(which includes the number itself, 刑法 art. 99).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import Enum
from typing import Iterable, Mapping

from shared.law.settings import settings_from_mapping
from shared.law.penalties import amount_in_yuan


class Offence(str, Enum):
    """The crimes whose thresholds the platform evaluates (the value is the 刑法 article)."""
    PRODUCT_QUALITY = "140"                    # 生产、销售伪劣产品罪 (J-140)
    UNSAFE_FOOD = "143"                        # 生产、销售不符合安全标准的食品罪 (J-143)
    TOXIC_FOOD = "144"                         # 生产、销售有毒、有害食品罪 (J-144)
    COUNTERFEIT_TRADEMARK = "213"              # 假冒注册商标罪 (J-213)
    SELLING_COUNTERFEIT_MARKED_GOODS = "214"   # 销售假冒注册商标的商品罪 (J-214)
    PYRAMID_SELLING = "224-1"                  # 组织、领导传销活动罪 (J-224)


# The rule id and the crime's full name, in the order the rules are evaluated and reported.
_RULES: dict[Offence, tuple[str, str]] = {
    Offence.PRODUCT_QUALITY: ("J-140", "刑法第一百四十条 生产、销售伪劣产品罪"),
    Offence.UNSAFE_FOOD: ("J-143", "刑法第一百四十三条 生产、销售不符合安全标准的食品罪"),
    Offence.TOXIC_FOOD: ("J-144", "刑法第一百四十四条 生产、销售有毒、有害食品罪"),
    Offence.COUNTERFEIT_TRADEMARK: ("J-213", "刑法第二百一十三条 假冒注册商标罪"),
    Offence.SELLING_COUNTERFEIT_MARKED_GOODS: ("J-214", "刑法第二百一十四条 销售假冒注册商标的商品罪"),
    Offence.PYRAMID_SELLING: ("J-224", "刑法第二百二十四条之一 组织、领导传销活动罪"),
}


def _decimal(name: str, value: object) -> Decimal:
    """A non-negative, finite amount in yuan."""
    return amount_in_yuan(value, name)


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {value}")
    return value


def _yuan(amount: Decimal) -> str:
    """50000 -> '50,000 yuan', 9999.99 -> '9,999.99 yuan' (for the reason sentences)."""
    return f"{format(amount.normalize(), ',f')} yuan"


def _plain(amount: Decimal) -> str:
    """The canonical string of an amount in ``ThresholdMet.measured`` (as canonical JSON writes it)."""
    return format(amount.normalize(), "f")


@dataclass(frozen=True)
class CaseFindings:
    """What the investigation established, as the proposal states it.

    - ``offences``: the crimes the facts may amount to (涉嫌罪名); only these are evaluated.
    - ``sales_yuan``: 销售金额 (J-140, J-214); ``unsold_goods_yuan``: 尚未销售的货值金额 (J-140, J-214);
      ``illegal_turnover_yuan``: 非法经营数额 (J-213); ``illegal_gains_yuan``: 违法所得数额 (J-213, J-214).
    - ``marks_count``: how many registered trademarks were counterfeited (J-213, 两种以上注册商标).
    - ``participants`` / ``levels``: 传销人员 and 层级 of a pyramid scheme (J-224).
    - ``serious_food_poisoning_risk``: the J-143 finding 足以造成严重食物中毒事故或者其他严重食源性疾病.
    - ``toxic_substance_added``: the J-144 finding 掺入有毒、有害的非食品原料 (or knowingly sold such food).
    """

    offences: frozenset[Offence]
    sales_yuan: Decimal = Decimal(0)
    unsold_goods_yuan: Decimal = Decimal(0)
    illegal_turnover_yuan: Decimal = Decimal(0)
    illegal_gains_yuan: Decimal = Decimal(0)
    marks_count: int = 1
    participants: int = 0
    levels: int = 0
    serious_food_poisoning_risk: bool = False
    toxic_substance_added: bool = False

    def __post_init__(self) -> None:
        offences: Iterable[object] = self.offences
        if isinstance(offences, (str, Offence)):
            offences = (offences,)
        try:
            normalised = frozenset(Offence(o) for o in offences)
        except ValueError as exc:
            raise ValueError(f"unknown offence: {exc}") from None
        object.__setattr__(self, "offences", normalised)
        for name in ("sales_yuan", "unsold_goods_yuan", "illegal_turnover_yuan", "illegal_gains_yuan"):
            object.__setattr__(self, name, _decimal(name, getattr(self, name)))
        for name in ("marks_count", "participants", "levels"):
            _count(name, getattr(self, name))
        for name in ("serious_food_poisoning_risk", "toxic_substance_added"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, not {getattr(self, name)!r}")


@dataclass(frozen=True)
class JudiciaryThresholds:
    """The amounts and counts from which a transfer is required (DOMAIN.md defaults).

    J-143 (a finding, no amount floor) and J-144 (any amount) have no configurable amount.
    """

    # J-140 (立案追诉标准（一） art. 16) [S]: 销售金额 ≥ 5万; or 尚未销售的货值金额 ≥ 15万;
    # or 销售金额 × 3 + 尚未销售的货值金额 ≥ 15万.
    j140_sales_yuan: Decimal = Decimal(50_000)
    j140_unsold_yuan: Decimal = Decimal(150_000)
    j140_sales_multiplier: Decimal = Decimal(3)
    j140_combined_yuan: Decimal = Decimal(150_000)
    # J-213 (2004 SPC/SPP interpretation art. 1) [P]: 非法经营数额 ≥ 5万 or 违法所得 ≥ 3万;
    # 假冒两种以上注册商标: ≥ 3万 / ≥ 2万.
    j213_turnover_yuan: Decimal = Decimal(50_000)
    j213_gains_yuan: Decimal = Decimal(30_000)
    j213_multiple_marks: int = 2
    j213_multiple_marks_turnover_yuan: Decimal = Decimal(30_000)
    j213_multiple_marks_gains_yuan: Decimal = Decimal(20_000)
    # J-214 (法释〔2025〕5号, as reported) [S]: 销售金额 ≥ 5万 or 违法所得 ≥ 3万, or 尚未销售的货值 ≥ 15万.
    j214_sales_yuan: Decimal = Decimal(50_000)
    j214_gains_yuan: Decimal = Decimal(30_000)
    j214_unsold_yuan: Decimal = Decimal(150_000)
    # J-224 (立案追诉标准（二） art. 70) [S]: 传销人员 ≥ 30 AND 层级 ≥ 3, both.
    j224_participants: int = 30
    j224_levels: int = 3
    source: str = field(default="DOMAIN.md defaults (J-140, J-213, J-214, J-224)")

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name == "source":
                continue
            value = getattr(self, f.name)
            if isinstance(f.default, int):
                _count(f.name, value)
            else:
                object.__setattr__(self, f.name, _decimal(f.name, value))

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> "JudiciaryThresholds":
        """An operator's values (see :func:`shared.law.settings.settings_from_mapping`)."""
        return settings_from_mapping(cls, values, "judiciary threshold")


@dataclass(frozen=True)
class ThresholdMet:
    """One rule whose threshold the findings meet, and why."""

    rule: str                 # "J-140"
    offence: str              # "刑法第一百四十条 生产、销售伪劣产品罪"
    measured: dict[str, str]  # the amounts / counts that were compared, as strings
    reason: str               # one sentence: which comparison was met

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "offence": self.offence, "measured": dict(self.measured),
                "reason": self.reason}


def _met(offence: Offence, measured: dict[str, str], comparisons: list[str]) -> ThresholdMet:
    rule, name = _RULES[offence]
    return ThresholdMet(rule=rule, offence=name, measured=measured,
                        reason=f"{rule} met: " + "; and ".join(comparisons) + ".")


def _j140(f: CaseFindings, t: JudiciaryThresholds) -> ThresholdMet | None:
    combined = f.sales_yuan * t.j140_sales_multiplier + f.unsold_goods_yuan
    met = []
    if f.sales_yuan >= t.j140_sales_yuan:
        met.append(f"sales of {_yuan(f.sales_yuan)} reach {_yuan(t.j140_sales_yuan)}")
    if f.unsold_goods_yuan >= t.j140_unsold_yuan:
        met.append(f"unsold goods worth {_yuan(f.unsold_goods_yuan)} reach {_yuan(t.j140_unsold_yuan)}")
    if combined >= t.j140_combined_yuan:
        met.append(f"sales × {_plain(t.j140_sales_multiplier)} plus unsold goods, {_yuan(combined)}, "
                   f"reach {_yuan(t.j140_combined_yuan)}")
    if not met:
        return None
    return _met(Offence.PRODUCT_QUALITY, {
        "sales_yuan": _plain(f.sales_yuan),
        "unsold_goods_yuan": _plain(f.unsold_goods_yuan),
        "sales_x3_plus_unsold_yuan": _plain(combined),
    }, met)


def _j143(f: CaseFindings, t: JudiciaryThresholds) -> ThresholdMet | None:
    if not f.serious_food_poisoning_risk:
        return None
    return _met(Offence.UNSAFE_FOOD, {"serious_food_poisoning_risk": "true"},
                ["the food was found sufficient to cause serious food poisoning "
                 "(足以造成严重食物中毒事故或者其他严重食源性疾病), which needs no amount"])


def _j144(f: CaseFindings, t: JudiciaryThresholds) -> ThresholdMet | None:
    if not f.toxic_substance_added:
        return None
    return _met(Offence.TOXIC_FOOD, {"toxic_substance_added": "true"},
                ["toxic or harmful non-food substances were found added to food "
                 "(掺入有毒、有害的非食品原料), whatever the amount"])


def _j213(f: CaseFindings, t: JudiciaryThresholds) -> ThresholdMet | None:
    several = f.marks_count >= t.j213_multiple_marks
    turnover_floor = t.j213_multiple_marks_turnover_yuan if several else t.j213_turnover_yuan
    gains_floor = t.j213_multiple_marks_gains_yuan if several else t.j213_gains_yuan
    marks = f" with {f.marks_count} registered marks counterfeited" if several else ""
    met = []
    if f.illegal_turnover_yuan >= turnover_floor:
        met.append(f"illegal turnover of {_yuan(f.illegal_turnover_yuan)} reaches {_yuan(turnover_floor)}{marks}")
    if f.illegal_gains_yuan >= gains_floor:
        met.append(f"illegal gains of {_yuan(f.illegal_gains_yuan)} reach {_yuan(gains_floor)}{marks}")
    if not met:
        return None
    return _met(Offence.COUNTERFEIT_TRADEMARK, {
        "illegal_turnover_yuan": _plain(f.illegal_turnover_yuan),
        "illegal_gains_yuan": _plain(f.illegal_gains_yuan),
        "marks_count": str(f.marks_count),
    }, met)


def _j214(f: CaseFindings, t: JudiciaryThresholds) -> ThresholdMet | None:
    met = []
    if f.sales_yuan >= t.j214_sales_yuan:
        met.append(f"sales of {_yuan(f.sales_yuan)} reach {_yuan(t.j214_sales_yuan)}")
    if f.illegal_gains_yuan >= t.j214_gains_yuan:
        met.append(f"illegal gains of {_yuan(f.illegal_gains_yuan)} reach {_yuan(t.j214_gains_yuan)}")
    if f.unsold_goods_yuan >= t.j214_unsold_yuan:
        met.append(f"unsold goods worth {_yuan(f.unsold_goods_yuan)} reach {_yuan(t.j214_unsold_yuan)}")
    if not met:
        return None
    return _met(Offence.SELLING_COUNTERFEIT_MARKED_GOODS, {
        "sales_yuan": _plain(f.sales_yuan),
        "illegal_gains_yuan": _plain(f.illegal_gains_yuan),
        "unsold_goods_yuan": _plain(f.unsold_goods_yuan),
    }, met)


def _j224(f: CaseFindings, t: JudiciaryThresholds) -> ThresholdMet | None:
    if f.participants < t.j224_participants or f.levels < t.j224_levels:
        return None
    return _met(Offence.PYRAMID_SELLING, {"participants": str(f.participants), "levels": str(f.levels)},
                [f"{f.participants} participants reach {t.j224_participants} and "
                 f"{f.levels} levels reach {t.j224_levels}"])


_EVALUATORS = {
    Offence.PRODUCT_QUALITY: _j140,
    Offence.UNSAFE_FOOD: _j143,
    Offence.TOXIC_FOOD: _j144,
    Offence.COUNTERFEIT_TRADEMARK: _j213,
    Offence.SELLING_COUNTERFEIT_MARKED_GOODS: _j214,
    Offence.PYRAMID_SELLING: _j224,
}


def thresholds_met(findings: CaseFindings,
                   table: JudiciaryThresholds = JudiciaryThresholds()) -> list[ThresholdMet]:
    """The J-* rules met by the findings, in rule order (J-140, J-143, J-144, J-213, J-214, J-224).
    Only the offences listed in ``findings.offences`` are evaluated."""
    results = []
    for offence in _RULES:  # fixed order, whatever the order of the frozenset
        if offence in findings.offences:
            met = _EVALUATORS[offence](findings, table)
            if met is not None:
                results.append(met)
    return results


def transfer_required(findings: CaseFindings, table: JudiciaryThresholds = JudiciaryThresholds()) -> bool:
    """J-DUTY: a transfer to the public security organ (移送公安机关) is required when any threshold
    of a listed offence is met."""
    return bool(thresholds_met(findings, table))
