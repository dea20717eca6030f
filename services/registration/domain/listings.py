"""The abnormal-operations list (经营异常名录, R-ABNORMAL), annual reports (年度报告, R-ANNUAL) and the
serious-violation list (严重违法失信名单, R-SERIOUS). Pure Python.

- R-ANNUAL: the report for year Y is due between 1 January and 30 June of Y+1; an entity founded in
  year Y reports from Y on (企业信息公示暂行条例 art. 8). Enterprises and cooperatives without the
  report on 30 June are listed from 1 July (:func:`missing_annual_report`). Individual businesses
  report too, but their lapse marks an "abnormal status" under their own rules, not this list, so the
  timer leaves them out.
- R-ABNORMAL: four grounds (:class:`AbnormalGround`); removal only when the ground is cured
  (:func:`cure_refusal`).
- R-SERIOUS: three years on the abnormal list without cure moves the entity to the serious list
  (:func:`escalation_due`, on the third anniversary of the listing); a heavier penalty for a serious
  violation lists it directly. Early removal is possible after one year when the penalty is performed,
  the harm removed and no further heavier penalty received; otherwise the listing ends after its
  publication period (``SERIOUS_PERIOD_YEARS`` [U]).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Mapping

from shared.errors import Conflict, RuleViolation
from shared.law.uscc import EntityCategory

ANNUAL_REPORT_DEADLINE = (6, 30)   # R-ANNUAL: 30 June of the following year
ESCALATION_YEARS = 3               # R-SERIOUS: three years on the abnormal list without cure
EARLY_REMOVAL_YEARS = 1            # R-SERIOUS [S]: early removal possible after one year
SERIOUS_PERIOD_YEARS = 3           # R-SERIOUS [U]: normal publication period of the serious list


class AbnormalGround(str, Enum):
    """R-ABNORMAL (企业经营异常名录管理暂行办法 art. 4)."""
    NO_ANNUAL_REPORT = "no_annual_report"                    # 未按规定期限公示年度报告
    INFORMATION_NOT_DISCLOSED = "information_not_disclosed"  # 未在责令期限内公示有关企业信息
    FALSIFICATION = "falsification"                          # 公示信息隐瞒真实情况、弄虚作假
    UNREACHABLE = "unreachable"                              # 通过登记的住所或经营场所无法联系


class SeriousGround(str, Enum):
    """R-SERIOUS."""
    ABNORMAL_THREE_YEARS = "abnormal_three_years"   # 列入经营异常名录满三年仍未履行
    HEAVY_PENALTY = "heavy_penalty"                 # 严重违法且受到较重行政处罚


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def annual_report_due(year: int) -> date:
    """R-ANNUAL: the last day to publish the report for ``year``."""
    return date(year + 1, *ANNUAL_REPORT_DEADLINE)


def missing_annual_report(*, category: EntityCategory, established_on: date, filed: Mapping[int, date],
                          on: date) -> int | None:
    """The report year whose deadline passed before ``on`` without a report filed by that deadline
    (R-ANNUAL); None when the entity is up to date, not yet due or not subject to listing."""
    if category is EntityCategory.INDIVIDUAL_BUSINESS:
        return None
    year = on.year - 1 if on > annual_report_due(on.year - 1) else on.year - 2
    if established_on.year > year:
        return None  # founded after that year: its first report is due later
    filed_on = filed.get(year)
    if filed_on is not None and filed_on <= annual_report_due(year):
        return None
    return year


@dataclass(frozen=True)
class Cure:
    """What the entity did to cure an abnormal ground (移出经营异常名录的申请)."""
    removed_on: date
    explanation: str
    reports_filed: Mapping[int, date]     # annual reports on file, by year
    verified_address: str | None = None   # UNREACHABLE: the address where it can now be reached


def cure_refusal(listing: Mapping[str, Any], cure: Cure) -> str | None:
    """Why the listing cannot be removed yet (R-ABNORMAL: removed when the ground is cured)."""
    if listing["state"] != "active":
        return None
    listed_on = date.fromisoformat(listing["listed_on"])
    if cure.removed_on < listed_on:
        return f"the removal on {cure.removed_on} predates the listing on {listed_on}"
    ground = AbnormalGround(listing["ground"])
    if ground is AbnormalGround.NO_ANNUAL_REPORT:
        year = listing.get("report_year")
        if year is not None and year not in cure.reports_filed:
            return f"R-ABNORMAL: the annual report for {year} is still not filed; file it first"
        if year is not None and cure.reports_filed[year] > cure.removed_on:
            return f"R-ABNORMAL: the report for {year} was filed on {cure.reports_filed[year]}, after {cure.removed_on}"
    if ground is AbnormalGround.UNREACHABLE and not cure.verified_address:
        return "R-ABNORMAL: give the verified address where the entity can now be reached"
    return None


def escalation_due(listing: Mapping[str, Any], on: date) -> bool:
    """R-SERIOUS: an active abnormal listing three years old on ``on`` moves to the serious list."""
    return listing["list"] == "abnormal" and listing["state"] == "active" and \
        on >= add_years(date.fromisoformat(listing["listed_on"]), ESCALATION_YEARS)


def expiry_due(listing: Mapping[str, Any], on: date) -> bool:
    """R-SERIOUS [U]: a serious listing ends after its publication period."""
    return listing["list"] == "serious" and listing["state"] == "active" and \
        on >= add_years(date.fromisoformat(listing["listed_on"]), SERIOUS_PERIOD_YEARS)


def early_removal_refusal(listing: Mapping[str, Any], *, on: date, penalty_performed: bool,
                          harm_removed: bool, no_further_heavy_penalty: bool) -> str | None:
    """R-SERIOUS [S]: early removal (提前移出, 信用修复) after one year, on three conditions."""
    if listing["list"] != "serious":
        raise RuleViolation("early removal applies to the serious-violation list")
    if listing["state"] != "active":
        raise Conflict(f"listing {listing['listing_id']} is already {listing['state']}")
    listed_on = date.fromisoformat(listing["listed_on"])
    earliest = add_years(listed_on, EARLY_REMOVAL_YEARS)
    if on < earliest:
        return f"R-SERIOUS: early removal is possible from {earliest}, one year after the listing on {listed_on}"
    missing = [name for name, ok in (("the penalty is performed", penalty_performed),
                                     ("the harm is removed", harm_removed),
                                     ("no further heavier penalty", no_further_heavy_penalty)) if not ok]
    if missing:
        return "R-SERIOUS: early removal needs " + ", ".join(missing)
    return None
