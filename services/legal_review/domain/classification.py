"""Is a proposed decision "major" (重大行政执法决定)? Rules M-PUBLIC ... M-TRANSFER of DOMAIN.md
("Legal review of major decisions", 行政处罚法 art. 58). Pure Python.

The rule table is data (``major_rules.json`` beside this module, or an operator's table named by the
``MAJOR_RULES_TABLE`` environment variable or passed explicitly): a version, the large amounts
(较大数额, shared with H-RIGHT through :class:`shared.law.penalties.LargeAmounts`) and the nine rules,
each of which may be disabled only by a table that says ``"enabled": false``. A table that leaves out
a rule, names an unknown one, has negative amounts or no version is refused (``ValueError`` naming
the file): a missing rule is never a silent disable.

A classification records every enabled rule evaluated, the rules that fired (its grounds) in table
order, one reason per ground, and the table version, so that ``review.cleared`` can say what was
checked and ``review.opened`` why the decision is major.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from shared.law.penalties import (
    REVOCATIONS,
    SUSPENSIONS,
    LargeAmounts,
    PartyKind,
    Penalty,
    PenaltyKind,
    amount_in_yuan,
)

__all__ = [
    "RULE_IDS",
    "ENV_VAR",
    "DEFAULT_TABLE_PATH",
    "RuleSpec",
    "RuleTable",
    "load_rule_table",
    "ProposalFacts",
    "Classification",
    "classify",
]

#: Every rule a table must list, in the order of DOMAIN.md.
RULE_IDS: tuple[str, ...] = ("M-PUBLIC", "M-HEARING", "M-COMPLEX", "M-FINE", "M-CONFISCATE",
                             "M-SUSPEND", "M-REVOKE", "M-DISCRETION", "M-TRANSFER")
ENV_VAR = "MAJOR_RULES_TABLE"
DEFAULT_TABLE_PATH = Path(__file__).with_name("major_rules.json")


# --- the rule table ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleSpec:
    id: str
    description: str
    enabled: bool = True


@dataclass(frozen=True)
class RuleTable:
    version: str
    large_amounts: LargeAmounts
    rules: tuple[RuleSpec, ...]
    source: str = field(default="", compare=False)  # where the table came from (file path, description)

    def __post_init__(self) -> None:
        if not isinstance(self.version, str) or not self.version.strip():
            raise ValueError("rule table: missing version")
        ids = [r.id for r in self.rules]
        unknown = [i for i in ids if i not in RULE_IDS]
        if unknown:
            raise ValueError(f"rule table: unknown rule id(s) {', '.join(map(str, unknown))}")
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule table: duplicate rule id(s) {', '.join(duplicates)}")
        missing = [i for i in RULE_IDS if i not in ids]
        if missing:
            raise ValueError(f"rule table: missing rule(s) {', '.join(missing)} "
                             "(list them with \"enabled\": false to disable)")
        for r in self.rules:
            if not isinstance(r.enabled, bool):
                raise ValueError(f"rule table: {r.id}.enabled must be true or false")
        la = self.large_amounts
        for name in ("natural_person_yuan", "organisation_yuan"):
            amount = getattr(la, name)
            if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
                raise ValueError(f"rule table: large_amounts.{name} must be a non-negative amount, "
                                 f"got {amount!r}")

    @property
    def enabled_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules if r.enabled)

    def rule(self, rule_id: str) -> RuleSpec:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def load_rule_table(path: str | os.PathLike[str] | None = None) -> RuleTable:
    """Read a rule table: ``path``, else ``$MAJOR_RULES_TABLE``, else the shipped ``major_rules.json``.

    Raises ``ValueError`` naming the file when the table is malformed, ``FileNotFoundError`` when
    there is no such file.
    """
    if path is None:
        path = os.environ.get(ENV_VAR) or DEFAULT_TABLE_PATH
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text, parse_constant=_reject_constant)
        return _table_from_mapping(raw, source=str(path))
    except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
        reason = str(exc).removeprefix("rule table: ")
        raise ValueError(f"{path}: invalid major-decision rule table: {reason}") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid amount")


def _table_from_mapping(raw: Any, *, source: str) -> RuleTable:
    if not isinstance(raw, Mapping):
        raise ValueError("the table must be a JSON object")
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ValueError("missing version")

    amounts = raw.get("large_amounts")
    if not isinstance(amounts, Mapping):
        raise ValueError("missing large_amounts")
    ib_as_np = amounts.get("individual_business_as_natural_person", True)
    if not isinstance(ib_as_np, bool):
        raise ValueError("large_amounts.individual_business_as_natural_person must be true or false")
    large = LargeAmounts(
        natural_person_yuan=_amount(amounts, "natural_person_yuan"),
        organisation_yuan=_amount(amounts, "organisation_yuan"),
        individual_business_as_natural_person=ib_as_np,
        source=f"{raw.get('source') or source} (major rules {version})")

    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, list):
        raise ValueError("missing rules (a list of {id, description, enabled})")
    rules = []
    for i, entry in enumerate(rules_raw):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            raise ValueError(f"rules[{i}] must be an object with a string id")
        enabled = entry.get("enabled", True)  # only an explicit false disables a rule
        if not isinstance(enabled, bool):
            raise ValueError(f"{entry['id']}.enabled must be true or false, got {enabled!r}")
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise ValueError(f"{entry['id']}.description must be a string")
        rules.append(RuleSpec(id=entry["id"], description=description, enabled=enabled))
    return RuleTable(version=version, large_amounts=large, rules=tuple(rules), source=source)


def _amount(values: Mapping[str, Any], name: str) -> Decimal:
    if name not in values:
        raise ValueError(f"missing large_amounts.{name}")
    return amount_in_yuan(values[name], f"large_amounts.{name}")


# --- the facts of a proposal ---------------------------------------------------------------------

@dataclass(frozen=True)
class ProposalFacts:
    penalty: Penalty
    party: PartyKind
    hearing_held: bool = False
    complex: bool = False
    public_interest: bool = False
    discretion_departure: bool = False
    judiciary_rules_met: tuple[str, ...] = ()

    @classmethod
    def from_event_data(cls, data: Mapping[str, Any]) -> "ProposalFacts":
        """The facts of a ``decision.proposed`` (v1) event's ``data``.

        Amounts arrive as JSON numbers and are read through ``Decimal(str(x))``; an unknown penalty
        or party kind, a negative amount or a flag that is not a boolean raises ``ValueError``.
        """
        if not isinstance(data, Mapping):
            raise ValueError("decision.proposed data must be an object")
        penalty_data = data.get("penalty")
        if not isinstance(penalty_data, Mapping) or not isinstance(penalty_data.get("kinds"), list):
            raise ValueError("decision.proposed: penalty.kinds is required")
        kinds = []
        for k in penalty_data["kinds"]:
            try:
                kinds.append(PenaltyKind(k))
            except ValueError:
                raise ValueError(f"decision.proposed: unknown penalty kind {k!r}") from None
        if not kinds:
            raise ValueError("decision.proposed: penalty.kinds is empty")
        penalty = Penalty(kinds=frozenset(kinds),
                          fine_yuan=_event_amount(penalty_data, "fine_amount_yuan"),
                          confiscation_yuan=_event_amount(penalty_data, "confiscation_amount_yuan"))
        try:
            party = PartyKind(data.get("party_kind"))
        except ValueError:
            raise ValueError(f"decision.proposed: unknown party_kind {data.get('party_kind')!r}") from None

        met: list[str] = []
        thresholds = data.get("judiciary_thresholds", [])
        if not isinstance(thresholds, list):
            raise ValueError("decision.proposed: judiciary_thresholds must be a list")
        for t in thresholds:
            rule = t.get("rule") if isinstance(t, Mapping) else None
            if not isinstance(rule, str) or not rule:
                raise ValueError(f"decision.proposed: judiciary threshold without a rule id: {t!r}")
            if rule not in met:
                met.append(rule)
        return cls(penalty=penalty, party=party,
                   hearing_held=_flag(data, "hearing_held"), complex=_flag(data, "complex"),
                   public_interest=_flag(data, "public_interest"),
                   discretion_departure=_flag(data, "discretion_departure"),
                   judiciary_rules_met=tuple(met))


def _event_amount(values: Mapping[str, Any], name: str) -> Decimal:
    return amount_in_yuan(values.get(name), f"decision.proposed: penalty.{name}", missing_is_zero=True)


def _flag(data: Mapping[str, Any], name: str) -> bool:
    """A required boolean: a missing flag or a string like "false" must not be guessed."""
    value = data.get(name)
    if not isinstance(value, bool):
        raise ValueError(f"decision.proposed: {name} must be true or false, got {value!r}")
    return value


# --- classification ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Classification:
    major: bool
    grounds: tuple[str, ...]      # the rule ids that fired, in table order
    evaluated: tuple[str, ...]    # every enabled rule id evaluated, in table order
    table_version: str
    reasons: dict[str, str]       # rule id -> one sentence, for each ground

    def as_dict(self) -> dict[str, Any]:
        return {"major": self.major, "grounds": list(self.grounds), "evaluated": list(self.evaluated),
                "table_version": self.table_version,
                "reasons": {g: self.reasons[g] for g in self.grounds}}


_PARTY_LABEL = {
    PartyKind.NATURAL_PERSON: "公民（自然人）",
    PartyKind.INDIVIDUAL_BUSINESS: "个体工商户",
    PartyKind.ORGANISATION: "法人或者其他组织",
}
_KIND_LABEL = {
    PenaltyKind.SUSPEND_BUSINESS: "责令停产停业",
    PenaltyKind.CLOSE: "责令关闭",
    PenaltyKind.BAN_PRACTISING: "限制从业",
    PenaltyKind.RESTRICT_BUSINESS: "限制开展生产经营活动",
    PenaltyKind.REVOKE_LICENCE: "吊销许可证件",
    PenaltyKind.DOWNGRADE_QUALIFICATION: "降低资质等级",
}


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _party(facts: ProposalFacts, amounts: LargeAmounts) -> str:
    label = _PARTY_LABEL[facts.party]
    if facts.party is PartyKind.INDIVIDUAL_BUSINESS:
        label += ("，按公民计" if amounts.individual_business_as_natural_person else "，按组织计")
    return label


def _kinds(kinds: frozenset[PenaltyKind]) -> str:
    return "、".join(_KIND_LABEL[k] for k in sorted(kinds, key=lambda k: k.value))


def _evaluate(rule_id: str, facts: ProposalFacts, amounts: LargeAmounts) -> str | None:
    """The reason ``rule_id`` fires for ``facts``, or None when it does not."""
    p = facts.penalty
    if rule_id == "M-PUBLIC":
        return "M-PUBLIC: 案件涉及重大公共利益 (public-interest flag set)." if facts.public_interest else None
    if rule_id == "M-HEARING":
        return "M-HEARING: 案件经过听证程序 (a hearing was held)." if facts.hearing_held else None
    if rule_id == "M-COMPLEX":
        return ("M-COMPLEX: 案件情况疑难复杂、涉及多个法律关系 (complexity flag set)."
                if facts.complex else None)
    if rule_id == "M-FINE":
        if not amounts.is_large_fine(p, facts.party):
            return None
        return (f"M-FINE: 罚款 {_yuan(p.fine_yuan)} 元 ≥ 较大数额 {_yuan(amounts.threshold(facts.party))} 元"
                f"（{_party(facts, amounts)}）.")
    if rule_id == "M-CONFISCATE":
        if not amounts.is_large_confiscation(p, facts.party):
            return None
        return (f"M-CONFISCATE: 没收违法所得或非法财物 {_yuan(p.confiscation_yuan)} 元 ≥ 较大数额 "
                f"{_yuan(amounts.threshold(facts.party))} 元（{_party(facts, amounts)}）.")
    if rule_id == "M-SUSPEND":
        hit = p.kinds & SUSPENSIONS
        return f"M-SUSPEND: 拟处{_kinds(hit)}." if hit else None
    if rule_id == "M-REVOKE":
        hit = p.kinds & REVOCATIONS
        return f"M-REVOKE: 拟处{_kinds(hit)}." if hit else None
    if rule_id == "M-DISCRETION":
        return ("M-DISCRETION: 处罚超出裁量基准幅度 (departs from the discretion benchmark)."
                if facts.discretion_departure else None)
    if rule_id == "M-TRANSFER":
        if not facts.judiciary_rules_met:
            return None
        return f"M-TRANSFER: 达到涉嫌犯罪移送标准 {', '.join(facts.judiciary_rules_met)}，需审查是否移送."
    raise ValueError(f"unknown rule id {rule_id!r}")  # RuleTable forbids this


def classify(facts: ProposalFacts, table: RuleTable) -> Classification:
    """Evaluate every enabled rule of ``table`` against ``facts``; major when any fires."""
    evaluated: list[str] = []
    grounds: list[str] = []
    reasons: dict[str, str] = {}
    for rule in table.rules:
        if not rule.enabled:
            continue
        evaluated.append(rule.id)
        reason = _evaluate(rule.id, facts, table.large_amounts)
        if reason is not None:
            grounds.append(rule.id)
            reasons[rule.id] = reason
    return Classification(major=bool(grounds), grounds=tuple(grounds), evaluated=tuple(evaluated),
                          table_version=table.version, reasons=reasons)
