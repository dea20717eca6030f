"""R-CREDIT: an entity's credit record (信用记录) and the risk class random inspections filter on.
Pure Python.

The record is a list of entries (penalties, their execution, listings, removals, disclosures) built
from the events of all services; other departments and the public read it. Entries hold only public
facts: the decision number, the penalty's kinds and amounts, the legal basis, never a natural person's
identity number, phone or home address.

The risk class (低 / 中 / 高) is the platform's local classification [U], used by I-DRAW to weight
inspection items: high while on the serious list or with a penalty not executed; medium while on the
abnormal list or with a penalty in the last ``RECENT_PENALTY_YEARS`` years; low otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Iterable, Mapping

from services.registration.domain.listings import add_years
from shared.calendar import shanghai_date

RECENT_PENALTY_YEARS = 3  # [U] local classification


class CreditRisk(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class EntryKind(str, Enum):
    PENALTY = "penalty"                          # 行政处罚
    PENALTY_EXECUTED = "penalty_executed"        # 处罚履行完毕
    PENALTY_REVOKED = "penalty_revoked"          # 处罚决定撤销
    ABNORMAL_LISTED = "abnormal_listed"
    ABNORMAL_REMOVED = "abnormal_removed"
    SERIOUS_LISTED = "serious_listed"
    SERIOUS_REMOVED = "serious_removed"
    DISCLOSURE_PUBLISHED = "disclosure_published"
    DISCLOSURE_WITHDRAWN = "disclosure_withdrawn"
    INSPECTION = "inspection"                    # 双随机抽查结果


@dataclass(frozen=True)
class Standing:
    """The facts the risk class is computed from."""
    on_serious_list: bool
    on_abnormal_list: bool
    unexecuted_penalties: int
    penalty_dates: tuple[date, ...]


def risk(standing: Standing, on: date) -> CreditRisk:
    if standing.on_serious_list or standing.unexecuted_penalties:
        return CreditRisk.HIGH
    recent = any(add_years(day, RECENT_PENALTY_YEARS) > on for day in standing.penalty_dates)
    if standing.on_abnormal_list or recent:
        return CreditRisk.MEDIUM
    return CreditRisk.LOW


def penalty_entry(decided: Mapping[str, Any]) -> dict[str, Any]:
    """The public part of a ``penalty.decided`` event, for the credit record."""
    penalty = decided.get("penalty", {})
    return {"decision_no": decided["decision_no"], "case_no": decided["case_no"],
            "kinds": list(penalty.get("kinds", [])),
            "fine_amount_yuan": penalty.get("fine_amount_yuan", 0),
            "confiscation_amount_yuan": penalty.get("confiscation_amount_yuan", 0),
            "legal_basis": decided.get("legal_basis"),
            "decided_on": _shanghai_day(decided.get("decided_at"))}


def _shanghai_day(moment: Any) -> str:
    """The Asia/Shanghai date of ``decided_at`` (C-WD); a value that is no ISO date-time keeps its
    first 10 characters, a missing one is empty."""
    if moment is None:
        return ""
    try:
        return shanghai_date(moment).isoformat()
    except ValueError:
        return str(moment)[:10]


def needs_execution(decided: Mapping[str, Any]) -> bool:
    """A penalty with money to pay is executed when paid (or on the spot: ``executed_on_decision``);
    other kinds take effect on decision."""
    if decided.get("executed_on_decision"):
        return False
    penalty = decided.get("penalty", {})
    return bool(penalty.get("fine_amount_yuan") or 0) or bool(penalty.get("confiscation_amount_yuan") or 0)


def summarise(entries: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry["kind"]] = counts.get(entry["kind"], 0) + 1
    return counts
