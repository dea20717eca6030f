"""I-DRAW: the draw of 双随机、一公开 (random inspection, results made public). Pure Python.

Targets are drawn at random from the target library (检查对象名录库: the register, filtered by the
inspection item, 抽查事项); inspectors are drawn at random from the inspector library
(执法检查人员名录库), at least two per target and none with a conflict of interest; the draw is
reproducible and verifiable after the fact, because the seed is recorded with the result; the
results are published within 20 working days [U] (:func:`results_publication_due`).

The draw uses no random-number generator: every choice is "the smallest SHA-256 digests", so that
anyone holding the seed and the two libraries can recompute it, in any language. Algorithm
``I-DRAW/sha256-rank/v1``, step by step. Strings are hashed as UTF-8; a digest is written as 64
lowercase hex characters, and digests are compared as strings (the same order as comparing them as
256-bit big-endian integers). ``+`` is string concatenation.

1. **Candidates.** The targets the inspection item admits: for each of category, sector, town,
   credit risk and status, the item's set is empty (any value) or holds the target's value. The
   item's statuses default to ``{"active"}``: deregistered and revoked entities, and those in a
   deregistration notice period, are not drawn unless the item names them.
2. **Sample size** ``n``: ``sample_size``, or ``ceil(sample_ratio × number of candidates)``
   computed exactly in decimal (3% of 53,453 is 1,603.59, so 1,604). ``1 <= n <= candidates``.
3. **Targets.** ``rank(t) = sha256(seed + "|target|" + t.uscc)``. The ``n`` candidates with the
   smallest rank are drawn, and are taken in ascending rank order from here on (a tie, which
   SHA-256 makes practically impossible, is broken by USCC). For a seed nobody could predict, this
   is a uniformly random sample of ``n`` candidates.
4. **Inspectors.** An inspector is eligible for target ``t`` on the draw date ``D`` if their
   enforcement certificate has not expired (no expiry recorded, or ``cert_expires >= D``) and
   ``t.uscc`` is neither in their own ``conflicts`` nor in ``extra_conflicts[staff_id]``. Keep a count
   ``load(i)`` of the teams each inspector has joined so far in this draw, 0 at the start. For each
   drawn target in the order of step 3: ``rank(i, t) = sha256(seed + "|inspector|" + t.uscc + "|" +
   i.staff_id)``; sort the eligible inspectors by ``(load(i), rank(i, t), staff_id)`` ascending; the
   first ``team_size`` (at least 2) form the team, in that order; add 1 to each of their loads.
   Preferring the least-loaded spreads the work evenly (with no conflicts, loads differ by at most
   one); among equally loaded inspectors the choice is by the seed, so the whole draw is still
   fixed by the seed.
5. **Digests,** recorded so that a verifier can check they hold the same libraries:
   ``candidates_digest = sha256(the candidates' USCCs sorted by code point, joined by "\\n")``;
   ``roster_digest = sha256(one line per inspector given, expired ones included, sorted by staff_id,
   joined by "\\n")``, a line being ``staff_id + "|" + the USCCs of their conflicts (own and extra)
   sorted and joined by "," + "|" + cert_expires as YYYY-MM-DD, or empty``. No trailing newline.
   USCCs and staff ids therefore may not contain white space, ``|`` or ``,``.

**The seed** must be one that whoever runs the draw could not choose: someone who may try seeds can
keep one that spares a favoured entity. Take it from :func:`new_seed` in front of witnesses, or
from a public source fixed after the libraries are frozen, and record it (it is in the result).

:func:`verify` re-runs the draw from a recorded result (``DrawResult.as_dict()``) and the libraries
and says whether everything matches.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Protocol

from shared.errors import RuleViolation

__all__ = [
    "ALGORITHM",
    "CATEGORIES",
    "CREDIT_RISKS",
    "MIN_TEAM_SIZE",
    "RESULTS_PUBLICATION_WORKING_DAYS",
    "STATUSES",
    "Assignment",
    "DrawRefused",
    "DrawResult",
    "InspectionItem",
    "Inspector",
    "Target",
    "draw",
    "new_seed",
    "results_publication_due",
    "verify",
]

#: I-DRAW: the name and version of the algorithm in this module's docstring; recorded with each result.
ALGORITHM = "I-DRAW/sha256-rank/v1"
#: I-DRAW: at least two inspectors per target.
MIN_TEAM_SIZE = 2
#: I-DRAW: working days after the inspection within which its result is published [U].
RESULTS_PUBLICATION_WORKING_DAYS = 20  # I-DRAW [U]

#: Kinds of market entity: 企业, 个体工商户, 农民专业合作社.
CATEGORIES = frozenset({"enterprise", "individual_business", "cooperative"})
#: Register status: 存续, 注销公告期, 已注销, 吊销.
STATUSES = frozenset({"active", "deregistration_noticed", "deregistered", "revoked"})
#: Credit-risk class (信用风险分类).
CREDIT_RISKS = frozenset({"low", "medium", "high"})

# USCCs and staff ids go into "|"-, ","- and "\n"-separated hash inputs: keep those unambiguous.
_IDENTIFIER = re.compile(r"[^\s|,]+")
_NO_EXTRA_CONFLICTS: Mapping[str, frozenset[str]] = MappingProxyType({})


class DrawRefused(RuleViolation, ValueError):
    """I-DRAW: the draw cannot be made as asked (the message says why). Maps to HTTP 422."""

    def __init__(self, detail: str):
        super().__init__(detail, rule="I-DRAW")


# --------------------------------------------------------------------------- helpers


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _identifier(value: object, what: str) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise ValueError(f"{what} must be a non-empty string without white space, '|' or ',': {value!r}")
    return value


def _usccs(values: object, what: str) -> frozenset[str]:
    # A bare string would iterate into characters and silently recuse the inspector from nothing.
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{what} must be a set of USCCs, not {type(values).__name__}")
    return frozenset(_identifier(v, f"a USCC in {what}") for v in values)


def _choices(values: object, allowed: frozenset[str] | None, what: str) -> frozenset[str]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{what} must be a set of strings, not {type(values).__name__}")
    result = frozenset(values)
    if not all(isinstance(v, str) for v in result):
        raise TypeError(f"{what} must hold strings: {sorted(map(repr, result))}")
    if allowed is not None and not result <= allowed:
        raise ValueError(f"{what}: unknown value(s) {sorted(result - allowed)}; allowed: {sorted(allowed)}")
    return result


def _one_of(value: object, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {sorted(allowed)}, not {value!r}")


def _require_date(value: object, name: str) -> date:
    # datetime is a subclass of date: refuse it so an instant is never taken for a Shanghai date.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")
    return value


# --------------------------------------------------------------------------- the two libraries


@dataclass(frozen=True)
class Target:
    """A market entity in the target library (检查对象名录库), as the register holds it."""

    uscc: str          # 统一社会信用代码
    name: str
    category: str      # see CATEGORIES
    status: str        # see STATUSES
    sector: str        # 行业, e.g. "food_retail"
    town: str          # 镇/街道
    credit_risk: str   # see CREDIT_RISKS

    def __post_init__(self) -> None:
        _identifier(self.uscc, "a target's USCC")
        _one_of(self.category, CATEGORIES, f"the category of {self.uscc}")
        _one_of(self.status, STATUSES, f"the status of {self.uscc}")
        _one_of(self.credit_risk, CREDIT_RISKS, f"the credit risk of {self.uscc}")
        if not isinstance(self.sector, str) or not isinstance(self.town, str):
            raise TypeError(f"the sector and town of {self.uscc} must be strings")


@dataclass(frozen=True)
class InspectionItem:
    """An inspection item (抽查事项): which targets of the library it covers.

    Each set is a filter; an empty set admits any value. By default only active entities
    (存续) are admitted. Sets may be given as any iterable of strings; they are stored as frozensets.
    """

    categories: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    towns: frozenset[str] = frozenset()
    credit_risks: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset({"active"})

    def __post_init__(self) -> None:
        for name, allowed in (("categories", CATEGORIES), ("sectors", None), ("towns", None),
                              ("credit_risks", CREDIT_RISKS), ("statuses", STATUSES)):
            object.__setattr__(self, name, _choices(getattr(self, name), allowed, f"the item's {name}"))

    def admits(self, target: Target) -> bool:
        """Whether ``target`` is a candidate for this item (step 1 of the draw)."""
        return ((not self.categories or target.category in self.categories)
                and (not self.sectors or target.sector in self.sectors)
                and (not self.towns or target.town in self.towns)
                and (not self.credit_risks or target.credit_risk in self.credit_risks)
                and (not self.statuses or target.status in self.statuses))

    def as_dict(self) -> dict[str, list[str]]:
        return {"categories": sorted(self.categories), "sectors": sorted(self.sectors),
                "towns": sorted(self.towns), "credit_risks": sorted(self.credit_risks),
                "statuses": sorted(self.statuses)}


@dataclass(frozen=True)
class Inspector:
    """An inspector in the inspector library (执法检查人员名录库).

    ``conflicts`` are the USCCs the inspector may not inspect (回避: a relative's business, a former
    employer...). An inspector whose enforcement certificate (执法证) has expired on the draw date
    is not drawn; ``cert_expires`` is the last day it is valid, ``None`` if no expiry is recorded.
    """

    staff_id: str
    name: str
    conflicts: frozenset[str] = frozenset()
    cert_expires: date | None = None

    def __post_init__(self) -> None:
        _identifier(self.staff_id, "an inspector's staff id")
        object.__setattr__(self, "conflicts", _usccs(self.conflicts, f"the conflicts of {self.staff_id}"))
        if self.cert_expires is not None:
            _require_date(self.cert_expires, f"the cert_expires of {self.staff_id}")

    def certified_on(self, on: date) -> bool:
        return self.cert_expires is None or self.cert_expires >= on


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Assignment:
    """One drawn target and its inspection team (staff ids, in the order they were drawn)."""

    uscc: str
    name: str
    inspectors: tuple[str, ...]
    rank: str  # the target's rank digest (step 3)

    def as_dict(self) -> dict[str, Any]:
        return {"uscc": self.uscc, "name": self.name, "inspectors": list(self.inspectors), "rank": self.rank}


@dataclass(frozen=True)
class DrawResult:
    """I-DRAW: a draw as it is recorded and published. ``as_dict()`` is what :func:`verify` checks."""

    seed: str
    drawn_on: date
    item: InspectionItem
    team_size: int
    sample_size: int
    sample_ratio: Decimal | None  # when the size was given as a ratio; recorded as given
    eligible_count: int           # the number of candidates (step 1)
    candidates_digest: str
    roster_digest: str
    assignments: tuple[Assignment, ...]
    algorithm: str = ALGORITHM

    def as_dict(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "seed": self.seed, "drawn_on": self.drawn_on.isoformat(),
                "item": self.item.as_dict(), "team_size": self.team_size, "sample_size": self.sample_size,
                "sample_ratio": None if self.sample_ratio is None else str(self.sample_ratio),
                "eligible_count": self.eligible_count, "candidates_digest": self.candidates_digest,
                "roster_digest": self.roster_digest,
                "assignments": [a.as_dict() for a in self.assignments]}


# --------------------------------------------------------------------------- the draw


def new_seed() -> str:
    """A fresh seed: 128 bits from the operating system's CSPRNG, as 32 hex characters."""
    return secrets.token_hex(16)


def _sample_size(sample_size: int | None, sample_ratio: Decimal | None, eligible: int) -> int:
    if (sample_size is None) == (sample_ratio is None):
        raise DrawRefused("I-DRAW: give exactly one of sample_size and sample_ratio")
    if sample_ratio is not None:
        if not isinstance(sample_ratio, Decimal):  # a float such as 0.03 is not exactly 3%
            raise TypeError(f"sample_ratio must be a Decimal, not {type(sample_ratio).__name__}")
        if not sample_ratio.is_finite() or not 0 < sample_ratio <= 1:
            raise DrawRefused(f"I-DRAW: sample_ratio must be in (0, 1], not {sample_ratio}")
        return int((sample_ratio * eligible).to_integral_value(rounding=ROUND_CEILING))
    if isinstance(sample_size, bool) or not isinstance(sample_size, int):
        raise TypeError(f"sample_size must be an int, not {type(sample_size).__name__}")
    if sample_size < 1:
        raise DrawRefused(f"I-DRAW: the sample must hold at least one target, not {sample_size}")
    return sample_size


def _roster_line(inspector: Inspector, conflicts: frozenset[str]) -> str:
    expires = "" if inspector.cert_expires is None else inspector.cert_expires.isoformat()
    return f"{inspector.staff_id}|{','.join(sorted(conflicts))}|{expires}"


def draw(*, seed: str, targets: Iterable[Target], item: InspectionItem, inspectors: Iterable[Inspector],
         sample_size: int | None = None, sample_ratio: Decimal | None = None, team_size: int = MIN_TEAM_SIZE,
         on: date, extra_conflicts: Mapping[str, Iterable[str]] = _NO_EXTRA_CONFLICTS) -> DrawResult:
    """I-DRAW: draw targets from ``targets`` for ``item`` and a team of ``team_size`` inspectors for
    each, on the date ``on``, as the module docstring specifies.

    ``extra_conflicts`` maps staff ids to further USCCs they may not inspect (a recusal declared for
    this round, a target they inspected last round...). The order in which the libraries are given
    does not matter.

    :raises DrawRefused: (a ``ValueError``; the message names I-DRAW) ``team_size`` below 2; not
        exactly one of ``sample_size`` / ``sample_ratio``; a duplicated USCC or staff id; no
        candidates; a sample larger than the candidates; fewer certified inspectors than
        ``team_size``; a drawn target with fewer eligible inspectors than ``team_size``.
    """
    if not isinstance(seed, str) or not seed:
        raise DrawRefused("I-DRAW: the draw needs a non-empty seed, recorded with the result")
    _require_date(on, "on")
    if not isinstance(item, InspectionItem):
        raise TypeError(f"item must be an InspectionItem, not {type(item).__name__}")
    if isinstance(team_size, bool) or not isinstance(team_size, int):
        raise TypeError(f"team_size must be an int, not {type(team_size).__name__}")
    if team_size < MIN_TEAM_SIZE:
        raise DrawRefused(f"I-DRAW: at least {MIN_TEAM_SIZE} inspectors per target, not {team_size}")

    # A duplicate would make the library ambiguous (which name, which status?): refuse it.
    library = list(targets)
    if len({t.uscc for t in library}) != len(library):
        twice = sorted(u for u, n in Counter(t.uscc for t in library).items() if n > 1)
        raise DrawRefused(f"I-DRAW: the target library lists a USCC more than once: {', '.join(twice[:5])}")
    roster = list(inspectors)
    if len({i.staff_id for i in roster}) != len(roster):
        twice = sorted(s for s, n in Counter(i.staff_id for i in roster).items() if n > 1)
        raise DrawRefused(f"I-DRAW: the inspector library lists a staff id more than once: {', '.join(twice)}")
    for staff_id, usccs in extra_conflicts.items():
        _usccs(usccs, f"extra_conflicts[{staff_id!r}]")

    # Step 1: candidates.
    candidates = [t for t in library if item.admits(t)]
    eligible_count = len(candidates)
    if not eligible_count:
        raise DrawRefused(f"I-DRAW: no target in the library ({len(library)} entities) is admitted by the "
                          f"inspection item {item.as_dict()}")
    # Step 2: sample size.
    size = _sample_size(sample_size, sample_ratio, eligible_count)
    if size > eligible_count:
        raise DrawRefused(f"I-DRAW: a sample of {size} targets was asked for, but only {eligible_count} "
                          f"targets are eligible for the inspection item")

    # Conflicts (own and extra) and certificates, once per inspector rather than per target.
    conflicts = {i.staff_id: i.conflicts | frozenset(extra_conflicts.get(i.staff_id, ())) for i in roster}
    certified = [i.staff_id for i in roster if i.certified_on(on)]
    if len(certified) < team_size:
        raise DrawRefused(f"I-DRAW: only {len(certified)} inspector(s) of {len(roster)} in the inspector "
                          f"library hold a valid certificate on {on.isoformat()}; each target needs "
                          f"{team_size}")

    # Step 3: targets. One hash per candidate; only the drawn ones go on to step 4.
    prefix = f"{seed}|target|"
    ranked = sorted((_sha256(prefix + t.uscc), t.uscc, t) for t in candidates)[:size]

    # Step 4: inspectors.
    load = dict.fromkeys(certified, 0)
    assignments = []
    for rank, uscc, target in ranked:
        eligible = [s for s in certified if uscc not in conflicts[s]]
        if len(eligible) < team_size:
            raise DrawRefused(f"I-DRAW: drawn target {uscc} ({target.name}) has only {len(eligible)} "
                              f"eligible inspector(s) without a conflict of interest; it needs {team_size}")
        base = f"{seed}|inspector|{uscc}|"
        team = tuple(s for _, _, s in sorted((load[s], _sha256(base + s), s) for s in eligible)[:team_size])
        for s in team:
            load[s] += 1
        assignments.append(Assignment(uscc=uscc, name=target.name, inspectors=team, rank=rank))

    # Step 5: digests.
    candidates_digest = _sha256("\n".join(sorted(t.uscc for t in candidates)))
    roster_digest = _sha256("\n".join(_roster_line(i, conflicts[i.staff_id])
                                      for i in sorted(roster, key=lambda i: i.staff_id)))
    return DrawResult(seed=seed, drawn_on=on, item=item, team_size=team_size, sample_size=size,
                      sample_ratio=sample_ratio, eligible_count=eligible_count,
                      candidates_digest=candidates_digest, roster_digest=roster_digest,
                      assignments=tuple(assignments))


def verify(result: Mapping[str, Any], *, targets: Iterable[Target], item: InspectionItem,
           inspectors: Iterable[Inspector], on: date,
           extra_conflicts: Mapping[str, Iterable[str]] = _NO_EXTRA_CONFLICTS) -> bool:
    """I-DRAW: whether ``result`` (a recorded ``DrawResult.as_dict()``, e.g. read back from JSON) is
    exactly what the draw gives for its recorded seed, sample and team size with these libraries,
    item and date. A changed seed, target, team, rank, digest or count, another algorithm version,
    or libraries that differ from those of the draw all give ``False``; so does a malformed record."""
    try:
        if result.get("algorithm") != ALGORITHM:
            return False
        ratio = result["sample_ratio"]
        sample = ({"sample_ratio": Decimal(ratio)} if ratio is not None
                  else {"sample_size": result["sample_size"]})
        again = draw(seed=result["seed"], targets=targets, item=item, inspectors=inspectors,
                     team_size=result["team_size"], on=on, extra_conflicts=extra_conflicts, **sample)
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
        return False  # DrawRefused is a ValueError: a draw that cannot be re-run is not verified
    return again.as_dict() == dict(result)


# --------------------------------------------------------------------------- publication


class _WorkingDays(Protocol):
    def add_working_days(self, start: date, n: int) -> date: ...


def results_publication_due(inspected_on: date, workdays: _WorkingDays) -> date:
    """I-DRAW: the last day to publish the result of an inspection done on ``inspected_on``:
    :data:`RESULTS_PUBLICATION_WORKING_DAYS` working days later [U], the inspection day not counted
    (rule C-WD; ``workdays`` is a :class:`shared.calendar.WorkingDayCalendar`)."""
    _require_date(inspected_on, "inspected_on")
    return workdays.add_working_days(inspected_on, RESULTS_PUBLICATION_WORKING_DAYS)
