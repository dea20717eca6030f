"""Assessing an infringement report (侵权举报) against one protected mark: rules T-INFRINGE, T-FINE,
T-INNOCENT (商标法 arts. 57, 60), G-USE, G-INFRINGE, G-FINE (商标法 art. 16, 实施条例 art. 4,
广东省地理标志条例 arts. 20, 26) and the judiciary thresholds J-213 / J-214 (刑法 arts. 213, 214,
evaluated by :mod:`shared.law.judiciary`). Pure Python.

The assessment is the first reading an officer gets: which findings the reported facts support, the
legal basis, the range of the fine the law allows, and whether a criminal threshold is met (J-DUTY:
then the case must be transferred). It decides nothing the officer must weigh — whether goods are
the same or similar (类似商品), whether a similar name confuses, whether an unauthorised producer in
the region made a fair use of the place name — and says so in ``notes`` where it matters.

Amounts the law sets are :class:`IpAmounts` defaults (DOMAIN.md), read from an operator's mapping by
:meth:`IpAmounts.from_mapping`. "At the threshold" counts as reached (商标法 art. 60: "五万元以上";
刑法 art. 99: 以上 includes the number itself).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, Mapping

from services.ip_protection.domain.marks import Mark, MarkKind, MarkStatus
from services.ip_protection.domain.names import Relation, compare, normalise
from shared.law.settings import settings_from_mapping
from shared.law.judiciary import (
    CaseFindings,
    JudiciaryThresholds,
    Offence,
    ThresholdMet,
    thresholds_met,
)
from shared.law.penalties import amount_in_yuan

__all__ = [
    "FINDINGS",
    "INFRINGING_FINDINGS",
    "Role",
    "IpAmounts",
    "ReportFacts",
    "FineRange",
    "Assessment",
    "assess",
]

_FEN = Decimal("0.01")

#: The findings vocabulary, in the order findings are reported, with the rule each rests on.
FINDINGS: dict[str, str] = {
    "identical_mark": "T-INFRINGE / G-USE: the name used equals the mark's name after normalising "
                      "(相同商标, 商标法第五十七条第一项)",
    "similar_mark": "T-INFRINGE / G-INFRINGE: the name used is similar to the mark's name "
                    "(近似商标, 商标法第五十七条第二项); confusion is for the officer to confirm",
    "mark_not_registered": "T-INFRINGE: no registration in force on the day — only applied for "
                           "(申请已受理), not yet registered, or revoked / invalidated; no exclusive "
                           "right (商标法第三条), so no infringement of this mark",
    "mark_expired": "T-INFRINGE: the registration term had ended on the day (商标法第三十九、四十条); "
                    "no infringement of an expired mark",
    "not_authorized_user": "G-USE / T-INFRINGE: the mark is used by someone it does not authorise "
                           "(未经许可; for a seller: the goods were not put on the market by an "
                           "authorised user)",
    "origin_unknown": "G-USE: neither the established nor the claimed origin of the goods is known; "
                      "the origin must be established (广东省地理标志条例第十九条 ledgers)",
    "origin_outside_region": "G-USE / G-INFRINGE: the goods come from outside the GI's region, "
                             "whoever uses the mark (广东省地理标志条例第二十条; 商标法第十六条)",
    "claims_origin_in_region": "G-INFRINGE: the label claims an origin in the region, the goods "
                               "come from outside it (广东省地理标志条例第二十条第四项)",
    "product_standard_not_met": "G-INFRINGE: the goods do not meet the GI's product standard "
                                "(广东省地理标志条例第二十条第二项)",
    "selling_infringing_goods": "T-INFRINGE / G-INFRINGE: selling goods that infringe "
                                "(商标法第五十七条第三项; 广东省地理标志条例第二十条第五项)",
    "innocent_seller": "T-INNOCENT: the seller did not know, proved lawful acquisition and named "
                       "the supplier: only ordered to stop selling (商标法第六十条第二款)",
    "repeat_infringer": "T-FINE: two or more infringements within five years, this one included: "
                        "heavier penalty (从重处罚, 商标法第六十条第二款)",
}

#: The findings that make the reported use an infringement.
INFRINGING_FINDINGS = frozenset({"not_authorized_user", "origin_outside_region", "claims_origin_in_region",
                                 "product_standard_not_met"})


class Role(str, Enum):
    MANUFACTURER = "manufacturer"  # 制造 (uses the mark on goods it makes: 刑法 213, J-213)
    SELLER = "seller"              # 销售 (商标法 art. 57(3); 刑法 214, J-214)


# --- configuration -------------------------------------------------------------------------------

@dataclass(frozen=True)
class IpAmounts:
    """The amounts and counts of T-FINE and G-FINE (DOMAIN.md defaults).

    - T-FINE (商标法 art. 60(2)): 违法经营额 ≥ 5万 → up to 5 × 违法经营额; none or < 5万 → up to
      25万; ≥ 2 infringements within 5 years → 从重. ``t_fine_repeat_years`` is the window the service
      counts ``ReportFacts.prior_infringements_5y`` in.
    - G-FINE (广东省地理标志条例 art. 26): up to 1 × 货值金额 (货值金额等值以下).
    """

    t_fine_turnover_threshold_yuan: Decimal = Decimal(50_000)
    t_fine_turnover_multiple: Decimal = Decimal(5)
    t_fine_fixed_maximum_yuan: Decimal = Decimal(250_000)
    t_fine_repeat_count: int = 2
    t_fine_repeat_years: int = 5
    g_fine_goods_value_multiple: Decimal = Decimal(1)
    source: str = field(default="DOMAIN.md defaults (T-FINE, G-FINE)")

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name == "source":
                continue
            value = getattr(self, f.name)
            if isinstance(f.default, int):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError(f"{f.name} must be a whole number of at least 1, not {value!r}")
            else:
                object.__setattr__(self, f.name, amount_in_yuan(value, f.name))

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> "IpAmounts":
        """An operator's values (see :func:`shared.law.settings.settings_from_mapping`)."""
        return settings_from_mapping(cls, values, "IP amount")


# --- input ---------------------------------------------------------------------------------------

def _text(name: str, value: object, *, required: bool) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {value!r}")
    if required and not normalise(value):
        raise ValueError(f"{name} must not be empty")
    return value


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, not {value!r}")
    return value


def _whole(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


@dataclass(frozen=True, kw_only=True)
class ReportFacts:
    """The facts of an infringement report, as the investigation established them.

    - ``mark_name_used``: the name on the goods or their packaging.
    - ``seller_is_authorized_user``: computed by the service from its register of authorised users
      (被许可人 / 集体商标成员 / 证明商标使用人 / 专用标志使用人). For role ``seller`` it means the
      goods were put on the market under the mark by an authorised user (genuine goods need no
      licence to be resold).
    - ``claimed_origin``: the origin printed or claimed (产地 on the label), may be empty;
      ``actual_origin``: the origin the investigation established, if any.
    - ``sales_amount_yuan``: 销售金额 (sold goods at their sales price); ``unsold_goods_yuan``: the
      value of unsold goods (未销售侵权商品的标价); together they are 违法经营额 (实施条例 art. 78) and,
      for J-213, 非法经营数额. ``illegal_gains_yuan``: 违法所得.
    - ``goods_value_yuan``: 货值金额 for G-FINE; defaults to sales + unsold.
    - ``marks_count``: registered marks counterfeited in the case (J-213: 两种以上).
    - ``meets_product_standard``: ``None`` when not tested.
    - ``did_not_know`` / ``lawful_acquisition_proven`` / ``supplier_named``: the three conditions of
      T-INNOCENT (不知道 / 能证明合法取得 / 说明提供者; proof per 实施条例 art. 79).
    - ``prior_infringements_5y``: the party's earlier infringements within ``IpAmounts.t_fine_repeat_years``.
    - ``on``: the day the facts are assessed for (the mark must be in force on it).
    """

    mark_name_used: str
    product: str
    role: Role
    seller_is_authorized_user: bool
    on: date
    seller_uscc: str | None = None
    claimed_origin: str = ""
    actual_origin: str | None = None
    sales_amount_yuan: Decimal = Decimal(0)
    unsold_goods_yuan: Decimal = Decimal(0)
    illegal_gains_yuan: Decimal = Decimal(0)
    goods_value_yuan: Decimal | None = None
    marks_count: int = 1
    meets_product_standard: bool | None = None
    did_not_know: bool = False
    lawful_acquisition_proven: bool = False
    supplier_named: bool = False
    prior_infringements_5y: int = 0

    def __post_init__(self) -> None:
        _text("mark_name_used", self.mark_name_used, required=True)
        _text("product", self.product, required=True)
        _text("claimed_origin", self.claimed_origin, required=False)
        for name in ("seller_uscc", "actual_origin"):
            if getattr(self, name) is not None:
                _text(name, getattr(self, name), required=False)
        try:
            object.__setattr__(self, "role", Role(self.role))
        except ValueError:
            raise ValueError(f"role must be one of {', '.join(r.value for r in Role)}, "
                             f"not {self.role!r}") from None
        if isinstance(self.on, datetime) or not isinstance(self.on, date):
            raise ValueError(f"on must be a date, not {self.on!r}")
        for name in ("seller_is_authorized_user", "did_not_know", "lawful_acquisition_proven",
                     "supplier_named"):
            _flag(name, getattr(self, name))
        if self.meets_product_standard is not None:
            _flag("meets_product_standard", self.meets_product_standard)
        for name in ("sales_amount_yuan", "unsold_goods_yuan", "illegal_gains_yuan"):
            object.__setattr__(self, name, amount_in_yuan(getattr(self, name), name))
        goods_value = (self.sales_amount_yuan + self.unsold_goods_yuan if self.goods_value_yuan is None
                       else amount_in_yuan(self.goods_value_yuan, "goods_value_yuan"))
        object.__setattr__(self, "goods_value_yuan", goods_value)
        _whole("marks_count", self.marks_count, 1)
        _whole("prior_infringements_5y", self.prior_infringements_5y, 0)

    @property
    def turnover_yuan(self) -> Decimal:
        """违法经营额 (商标法实施条例 art. 78: sales price of sold goods and labelled price of unsold
        goods): sales + unsold goods."""
        return self.sales_amount_yuan + self.unsold_goods_yuan

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "ReportFacts":
        """From a JSON body: ``on`` as ``YYYY-MM-DD``, amounts as numbers or strings. Unknown or
        missing keys raise ``ValueError``."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown report fields: {', '.join(sorted(unknown))}")
        missing = {"mark_name_used", "product", "role", "seller_is_authorized_user", "on"} - set(data)
        if missing:
            raise ValueError(f"report is missing: {', '.join(sorted(missing))}")
        values = dict(data)
        if isinstance(values["on"], str):
            try:
                values["on"] = date.fromisoformat(values["on"])
            except ValueError:
                raise ValueError(f"on must be a date (YYYY-MM-DD), not {data['on']!r}") from None
        return cls(**values)


# --- output --------------------------------------------------------------------------------------

def _money(amount: Decimal) -> str:
    """Two decimals, as the services' JSON writes amounts ("250000.00")."""
    return format(amount.quantize(_FEN, rounding=ROUND_HALF_UP), "f")


def _grouped(amount: Decimal) -> str:
    return f"{amount.quantize(_FEN, rounding=ROUND_HALF_UP):,.2f}"


def _times(multiple: Decimal) -> str:
    """5 -> '5', 1.5 -> '1.5' (a multiple in a note)."""
    return format(multiple.normalize(), "f")


@dataclass(frozen=True)
class FineRange:
    """The fine the law allows (罚款幅度), with what else comes with it.

    - ``rule_id``: "T-FINE", "T-INNOCENT" (no fine: maximum 0) or "G-FINE".
    - ``heavier``: 从重 (T-FINE repeat infringer): the fine is set in the upper part of the same range.
    - ``confiscate_goods``: the goods are confiscated (T-FINE: 没收、销毁侵权商品和工具; G-FINE: 没收产品).
    - ``basis_yuan``: the amount the maximum was computed from (违法经营额 for T-FINE, 货值金额 for G-FINE).
    """

    minimum_yuan: Decimal
    maximum_yuan: Decimal
    rule_id: str
    note: str
    heavier: bool = False
    confiscate_goods: bool = False
    basis_yuan: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"minimum_yuan": _money(self.minimum_yuan), "maximum_yuan": _money(self.maximum_yuan),
                "rule_id": self.rule_id, "note": self.note, "heavier": self.heavier,
                "confiscate_goods": self.confiscate_goods,
                "basis_yuan": None if self.basis_yuan is None else _money(self.basis_yuan)}


@dataclass(frozen=True)
class Assessment:
    mark_id: str
    relation: Relation                       # how the name used compares to the mark's name
    findings: tuple[str, ...]                # from FINDINGS, in its order
    infringement: bool
    legal_basis: tuple[str, ...]
    fine_range: FineRange | None
    judiciary: tuple[ThresholdMet, ...]      # J-213 / J-214 thresholds met (J-DUTY)
    notes: tuple[str, ...] = ()              # what the officer still has to weigh

    @property
    def transfer_suggested(self) -> bool:
        """J-DUTY: a criminal threshold is met, the case should go to the public security organ."""
        return bool(self.judiciary)

    def to_dict(self) -> dict[str, Any]:
        return {"mark_id": self.mark_id, "relation": self.relation, "findings": list(self.findings),
                "infringement": self.infringement, "legal_basis": list(self.legal_basis),
                "fine_range": None if self.fine_range is None else self.fine_range.to_dict(),
                "judiciary": [t.as_dict() for t in self.judiciary],
                "transfer_suggested": self.transfer_suggested, "notes": list(self.notes)}


# --- the assessment ------------------------------------------------------------------------------

class _Builder:
    """Collects findings, legal basis and notes without duplicates, and orders the findings."""

    def __init__(self) -> None:
        self.findings: set[str] = set()
        self.basis: list[str] = []
        self.notes: list[str] = []

    def find(self, *names: str) -> None:
        self.findings.update(names)

    def cite(self, *articles: str) -> None:
        self.basis.extend(a for a in articles if a not in self.basis)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def ordered(self) -> tuple[str, ...]:
        return tuple(f for f in FINDINGS if f in self.findings)


def _origin(facts: ReportFacts, mark: Mark, b: _Builder) -> None:
    """G-USE / G-INFRINGE: judge the established origin if there is one, else the claimed one."""
    actual = facts.actual_origin if facts.actual_origin and normalise(facts.actual_origin) else None
    judged = actual if actual is not None else facts.claimed_origin
    if not normalise(judged):
        b.find("origin_unknown")
        return
    if mark.origin_in_region(judged):
        if actual is None:
            b.note("Origin judged from the claimed origin only; the actual origin is not established "
                   "(广东省地理标志条例第十九条: production and sales ledgers).")
        return
    b.find("origin_outside_region")
    if actual is not None and mark.origin_in_region(facts.claimed_origin):
        b.find("claims_origin_in_region")


def _t_fine(facts: ReportFacts, config: IpAmounts, repeat: bool) -> FineRange:
    """T-FINE (商标法 art. 60(2))."""
    turnover = facts.turnover_yuan
    if turnover >= config.t_fine_turnover_threshold_yuan:
        # A statutory cap is never exceeded by rounding: round down to the fen.
        maximum = (turnover * config.t_fine_turnover_multiple).quantize(_FEN, rounding=ROUND_DOWN)
        note = (f"违法经营额 {_grouped(turnover)} yuan reaches {_grouped(config.t_fine_turnover_threshold_yuan)} yuan: "
                f"fine up to {_times(config.t_fine_turnover_multiple)} × the turnover")
    else:
        maximum = config.t_fine_fixed_maximum_yuan
        note = (f"违法经营额 {_grouped(turnover)} yuan is below {_grouped(config.t_fine_turnover_threshold_yuan)} "
                f"(or none): fine up to {_grouped(maximum)} yuan")
    note += "; order to stop, confiscate and destroy the infringing goods and tools"
    if repeat:
        note += "; repeat infringer: heavier penalty (从重) within the range"
    return FineRange(minimum_yuan=Decimal(0), maximum_yuan=maximum, rule_id="T-FINE", note=note,
                     heavier=repeat, confiscate_goods=True, basis_yuan=turnover)


def _g_fine(facts: ReportFacts, config: IpAmounts) -> FineRange:
    """G-FINE (广东省地理标志条例 art. 26), for a GI product, to which trademark law does not apply."""
    value = facts.goods_value_yuan
    maximum = (value * config.g_fine_goods_value_multiple).quantize(_FEN, rounding=ROUND_DOWN)
    note = (f"货值金额 {_grouped(value)} yuan: fine up to {_times(config.g_fine_goods_value_multiple)} "
            "× the goods' value; order to correct, confiscate the products and the illegal gains")
    return FineRange(minimum_yuan=Decimal(0), maximum_yuan=maximum, rule_id="G-FINE", note=note,
                     confiscate_goods=True, basis_yuan=value)


def _judiciary(facts: ReportFacts, thresholds: JudiciaryThresholds) -> tuple[ThresholdMet, ...]:
    """J-213 (manufacturer: 非法经营数额 = sales + unsold, 违法所得, marks) or J-214 (seller: 销售金额,
    违法所得, 尚未销售的货值)."""
    if facts.role is Role.MANUFACTURER:
        findings = CaseFindings(offences=frozenset({Offence.COUNTERFEIT_TRADEMARK}),
                                illegal_turnover_yuan=facts.turnover_yuan,
                                illegal_gains_yuan=facts.illegal_gains_yuan,
                                marks_count=facts.marks_count)
    else:
        findings = CaseFindings(offences=frozenset({Offence.SELLING_COUNTERFEIT_MARKED_GOODS}),
                                sales_yuan=facts.sales_amount_yuan,
                                unsold_goods_yuan=facts.unsold_goods_yuan,
                                illegal_gains_yuan=facts.illegal_gains_yuan)
    return tuple(thresholds_met(findings, thresholds))


def assess(facts: ReportFacts, mark: Mark, config: IpAmounts = IpAmounts(),
           thresholds: JudiciaryThresholds = JudiciaryThresholds()) -> Assessment:
    """Assess a report against ``mark`` on ``facts.on``.

    1. The name used is compared with the mark's (:func:`~services.ip_protection.domain.names.compare`);
       a different name gives no finding against this mark.
    2. A mark that is not registered and in force on the day (applied for, revoked, before its
       registration, lapsed) gives ``mark_not_registered`` or ``mark_expired`` and nothing else.
    3. Otherwise: authorisation (G-USE / T-INFRINGE), for a GI the origin and the product standard
       (G-USE / G-INFRINGE), selling (art. 57(3)), T-INNOCENT, repeat (T-FINE).
    4. The fine: T-FINE / T-INNOCENT where trademark law applies (it governs over G-FINE), G-FINE
       for a GI product.
    5. J-213 / J-214 only for the counterfeit (identical) use of a registered, in-force trademark
       without permission, by a party not found to be an innocent seller.
    """
    if not isinstance(facts, ReportFacts):
        raise ValueError(f"facts must be a ReportFacts, not {type(facts).__name__}")
    if not isinstance(mark, Mark):
        raise ValueError(f"mark must be a Mark, not {type(mark).__name__}")
    b = _Builder()
    relation = compare(facts.mark_name_used, mark.name)

    def result(infringement: bool = False, fine: FineRange | None = None,
               judiciary: tuple[ThresholdMet, ...] = ()) -> Assessment:
        return Assessment(mark_id=mark.mark_id, relation=relation, findings=b.ordered(),
                          infringement=infringement, legal_basis=tuple(b.basis), fine_range=fine,
                          judiciary=judiciary, notes=tuple(b.notes))

    if relation == "different":
        b.note(f"The name used ({facts.mark_name_used!r}) does not match {mark.name!r}: nothing to "
               "assess against this mark.")
        return result()
    b.find("identical_mark" if relation == "identical" else "similar_mark")

    # 2. Is there a right on the day? No right, no infringement (and no 刑法 213/214: "注册商标").
    if mark.lapsed(facts.on):
        b.find("mark_expired")
        b.cite("商标法第三十九条", "商标法第四十条")
        b.note(f"The registration of {mark.name} had ended on {facts.on.isoformat()} "
               f"(valid until {mark.valid_until.isoformat() if mark.valid_until else 'unknown'}): no "
               "trademark infringement. A renewal made in the grace period must be entered first; a "
               "separate GI-product protection of the same name is a separate mark.")
        return result()
    if not mark.in_force(facts.on):
        b.find("mark_not_registered")
        if mark.is_trademark:
            b.cite("商标法第三条")
        why = {MarkStatus.APPLICATION: "only applied for (申请已受理)",
               MarkStatus.REVOKED: "revoked or invalidated"}.get(mark.status, "not yet registered on that day")
        b.note(f"{mark.name} is {why}: an unregistered mark has no exclusive right, so there is no "
               "GI or trademark infringement and no fine under T-FINE / G-FINE. A false origin claim may "
               "still be a false place of origin under other law (产品质量法第五条), outside this assessment.")
        return result()

    # 3. Findings against a mark in force.
    if not facts.seller_is_authorized_user:
        b.find("not_authorized_user")
    if mark.is_gi:
        _origin(facts, mark, b)
        if facts.meets_product_standard is False:
            b.find("product_standard_not_met")
    infringement = bool(b.findings & INFRINGING_FINDINGS)
    if not infringement:
        if relation == "similar":
            b.note("An authorised user uses a variant of the mark's name: a matter for the mark's use "
                   "rules, not an infringement.")
        return result()

    seller = facts.role is Role.SELLER
    if seller:
        b.find("selling_infringing_goods")
    innocent = (mark.is_trademark and seller and facts.did_not_know and facts.lawful_acquisition_proven
                and facts.supplier_named)
    if innocent:
        b.find("innocent_seller")
    repeat = mark.is_trademark and facts.prior_infringements_5y + 1 >= config.t_fine_repeat_count
    if repeat:
        b.find("repeat_infringer")

    if (mark.kind in (MarkKind.GI_CERTIFICATION, MarkKind.GI_COLLECTIVE)
            and "not_authorized_user" in b.findings
            and not b.findings & {"origin_outside_region", "origin_unknown", "product_standard_not_met"}):
        b.note("The goods come from the region and are not shown to fail the standard: a producer who "
               "meets the GI's conditions may demand permission (certification mark) or membership "
               "(collective mark) (商标法实施条例第四条), and may make a fair use of the place name "
               "(正当使用, 商标法第五十九条第一款). The officer checks whether the mark itself was used.")
    if relation == "similar":
        b.note("Similar, not identical, name: the officer confirms the likelihood of confusion "
               "(商标法第五十七条第二项).")
    if mark.is_trademark:
        b.note(f"Same or similar goods (类似商品) are for the officer to confirm: the product is "
               f"{facts.product!r}, the mark's goods are {', '.join(mark.goods) or 'not recorded'}.")

    # Legal basis of the findings.
    if mark.is_trademark:
        b.cite("商标法第五十七条")
        if mark.is_gi and b.findings & {"origin_outside_region", "claims_origin_in_region"}:
            b.cite("商标法第十六条")
    if mark.is_gi:
        b.cite("广东省地理标志条例第二十条")

    # 4. The fine. Trademark law governs where it applies (G-FINE: 条例 art. 26 defers to 商标法).
    if mark.is_trademark:
        b.cite("商标法第六十条第二款")
        if innocent:
            b.cite("商标法实施条例第七十九条", "商标法实施条例第八十条")
            fine = FineRange(minimum_yuan=Decimal(0), maximum_yuan=Decimal(0), rule_id="T-INNOCENT",
                             note="Innocent seller: ordered to stop selling only (责令停止销售), no fine and "
                                  "no confiscation; the supplier is reported to the AMR where it is located "
                                  "(商标法实施条例第八十条).",
                             basis_yuan=facts.turnover_yuan)
            if repeat:
                b.note("Earlier infringements bear on whether the seller really did not know.")
        else:
            fine = _t_fine(facts, config, repeat)
            if seller and (facts.did_not_know or facts.lawful_acquisition_proven or facts.supplier_named):
                b.note("T-INNOCENT needs all three conditions (did not know, lawful acquisition proven, "
                       "supplier named); not all were met, so the fine applies.")
        if mark.is_gi:
            b.note("G-FINE (广东省地理标志条例第二十六条) gives way to trademark law for a GI trademark.")
    else:
        b.cite("广东省地理标志条例第二十六条")
        fine = _g_fine(facts, config)
        if seller and facts.did_not_know and facts.lawful_acquisition_proven and facts.supplier_named:
            b.note("T-INNOCENT is trademark law and does not apply to a GI product; proof of no fault "
                   "may still exclude a penalty (行政处罚法第三十三条第二款).")
    if facts.role is Role.MANUFACTURER and (facts.did_not_know or facts.lawful_acquisition_proven
                                            or facts.supplier_named):
        b.note("T-INNOCENT covers sellers only; the innocent-seller facts were not applied to a manufacturer.")

    # 5. Judiciary: 刑法 213/214 need a registered trademark used identically without permission
    # (假冒: 相同商标), and 214 a seller who knew (明知), which T-INNOCENT excludes.
    judiciary: tuple[ThresholdMet, ...] = ()
    if mark.is_trademark and relation == "identical" and "not_authorized_user" in b.findings and not innocent:
        judiciary = _judiciary(facts, thresholds)
        if judiciary:
            b.cite("商标法第六十一条")
            b.note("A criminal threshold is met: the case must be transferred to the public security "
                   "organ (J-DUTY); a penalty may not replace the transfer.")
    return result(infringement=True, fine=fine, judiciary=judiciary)
