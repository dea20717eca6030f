"""R-DEREG: deregistration (注销登记), simplified (简易注销) and ordinary (普通注销). Pure Python.

Simplified deregistration (市场主体登记管理条例 art. 33; 实施细则 arts. 47-49):
- enterprises and cooperatives publish their commitment for ``NOTICE_DAYS`` (20 D). Anyone may object
  while it runs; an objection stops the procedure. With no objection the entity applies within
  ``APPLICATION_DAYS`` (20 D) after the notice ends, and the registration is cancelled. The notice runs
  the ``NOTICE_DAYS`` days after its publication day (the publication day itself is not counted, as
  with every period in Chinese administrative law); the application window is a deadline on the
  applicant, so its last day moves to the next working day when it falls on a rest day (C-WD).
- individual businesses (个体工商户) publish nothing: the application goes to tax and the other
  departments, which have ``INDIVIDUAL_OBJECTION_DAYS`` (10 D) to object; without objection the
  deregistration is done the day after.
- barred (art. 48) while on the abnormal or serious list, while a case is filed against the entity
  (立案调查) or coercive measures are in force, while a penalty is not fully executed, or after
  revocation. The registration service knows cases and penalties only from enforcement's events (its
  :class:`Standing` read model), never from enforcement's database.

Ordinary deregistration follows liquidation (清算). The lists do not bar it (a listed entity may
still wind up properly); an open case and an unexecuted penalty do, in the platform's reading [U]:
cancelling the party would leave the case without one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any, Protocol

from services.registration.domain.entity import Entity, EntityStatus
from shared.errors import Conflict, RuleViolation
from shared.law.uscc import EntityCategory

NOTICE_DAYS = 20               # R-DEREG: the commitment is publicly noticed for 20 D
APPLICATION_DAYS = 20          # R-DEREG: the application follows within 20 D after the notice
INDIVIDUAL_OBJECTION_DAYS = 10  # R-DEREG: individual businesses: other departments have 10 D to object


class Mode(str, Enum):
    SIMPLIFIED = "simplified"   # 简易注销
    ORDINARY = "ordinary"       # 普通注销


class _Calendar(Protocol):
    def calendar_deadline(self, start: date, n_days: int) -> date: ...


@dataclass(frozen=True)
class Standing:
    """What bars a deregistration, as registration's read model knows it."""
    abnormal_listings: tuple[str, ...] = ()
    serious_listings: tuple[str, ...] = ()
    open_cases: tuple[str, ...] = ()
    unexecuted_penalties: tuple[str, ...] = ()
    coercive_measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Barrier:
    code: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "reason": self.reason}


def barriers(entity: Entity, standing: Standing, mode: Mode) -> list[Barrier]:
    """Everything that bars ``mode`` for ``entity`` now (R-DEREG, 实施细则 art. 48); empty if none."""
    found = []
    if entity.status is EntityStatus.REVOKED:
        if mode is Mode.SIMPLIFIED:
            found.append(Barrier("revoked", "R-DEREG: a revoked entity cannot use simplified deregistration"))
    if mode is Mode.SIMPLIFIED and standing.abnormal_listings:
        found.append(Barrier("abnormal_list", "R-DEREG: on the abnormal-operations list (经营异常名录): "
                                              + ", ".join(standing.abnormal_listings)))
    if mode is Mode.SIMPLIFIED and standing.serious_listings:
        found.append(Barrier("serious_list", "R-DEREG: on the serious-violation list (严重违法失信名单): "
                                             + ", ".join(standing.serious_listings)))
    if standing.open_cases:
        found.append(Barrier("case_filed", "R-DEREG: a case is filed against the entity (立案调查): "
                                           + ", ".join(standing.open_cases)))
    if standing.coercive_measures:
        found.append(Barrier("coercive_measures", "R-DEREG: coercive measures are in force: "
                                                  + ", ".join(standing.coercive_measures)))
    if standing.unexecuted_penalties:
        found.append(Barrier("penalty_not_executed", "R-DEREG: a penalty is not fully executed: "
                                                     + ", ".join(standing.unexecuted_penalties)))
    return found


def _refuse_if_barred(entity: Entity, standing: Standing, mode: Mode) -> None:
    found = barriers(entity, standing, mode)
    if found:
        raise Conflict("; ".join(b.reason for b in found), barriers=[b.as_dict() for b in found])


def notice_ends(published_on: date) -> date:
    """Last day of the 20-day public notice published on ``published_on`` (R-DEREG)."""
    return published_on + timedelta(days=NOTICE_DAYS)


def application_deadline(published_on: date, cal: _Calendar) -> date:
    """Last day to apply after the notice (R-DEREG: within 20 D after it ends; rest days roll on)."""
    return cal.calendar_deadline(notice_ends(published_on), APPLICATION_DAYS)


def objection_deadline(pushed_on: date) -> date:
    """Last day the other departments may object to an individual business's deregistration."""
    return pushed_on + timedelta(days=INDIVIDUAL_OBJECTION_DAYS)


def start_simplified(entity: Entity, standing: Standing, *, on: date, cal: _Calendar,
                     commitment: dict[str, Any]) -> dict[str, Any]:
    """Publish the commitment (enterprises, cooperatives) or push the application to the other
    departments (individual businesses). Returns the procedure, also stored on the entity."""
    if entity.status is EntityStatus.REVOKED:
        _refuse_if_barred(entity, standing, Mode.SIMPLIFIED)  # R-DEREG: revocation is a barrier; name it
    if entity.status is not EntityStatus.ACTIVE:
        raise Conflict(f"{entity.uscc} is {entity.status.value}; simplified deregistration starts from active")
    if on < date.fromisoformat(entity.established_on):
        raise RuleViolation(f"the notice date {on} predates the entity's founding on {entity.established_on}")
    if not commitment.get("all_investors_signed"):
        raise RuleViolation("R-DEREG: simplified deregistration needs the written commitment signed by all "
                            "investors (全体投资人承诺书)")
    _refuse_if_barred(entity, standing, Mode.SIMPLIFIED)
    procedure: dict[str, Any] = {"mode": Mode.SIMPLIFIED.value, "state": "noticed", "started_on": on.isoformat(),
                                 "commitment": dict(commitment), "objections": []}
    if entity.category is EntityCategory.INDIVIDUAL_BUSINESS:
        procedure.update(variant="individual_business", objections_until=objection_deadline(on).isoformat())
    else:
        procedure.update(variant="public_notice", notice_until=notice_ends(on).isoformat(),
                         apply_by=application_deadline(on, cal).isoformat())
    entity.status = EntityStatus.DEREGISTRATION_NOTICED
    entity.deregistration = procedure
    return procedure


def object_to(entity: Entity, *, objector: str, reason: str, received_on: date) -> dict[str, Any]:
    """An objection (异议) while the notice or the departments' window runs stops the procedure."""
    procedure = entity.deregistration
    if entity.status is not EntityStatus.DEREGISTRATION_NOTICED or not procedure:
        raise Conflict(f"{entity.uscc} has no simplified deregistration under notice")
    started = date.fromisoformat(procedure["started_on"])
    last = date.fromisoformat(procedure.get("notice_until") or procedure["objections_until"])
    if received_on < started:
        raise RuleViolation(f"the objection of {received_on} predates the notice of {started}")
    if received_on > last:
        raise Conflict(f"R-DEREG: the objection period ended on {last}; an objection of {received_on} is late")
    objection = {"objector": objector, "reason": reason, "received_on": received_on.isoformat()}
    procedure["objections"].append(objection)
    procedure.update(state="stopped", stopped_on=received_on.isoformat(), stop_reason="objection")
    entity.status = EntityStatus.ACTIVE
    return objection


def apply_simplified(entity: Entity, standing: Standing, *, on: date) -> dict[str, Any]:
    """The application after the notice (enterprises, cooperatives): cancels the registration."""
    procedure = entity.deregistration
    if entity.status is not EntityStatus.DEREGISTRATION_NOTICED or not procedure:
        raise Conflict(f"{entity.uscc} has no simplified deregistration notice to apply on")
    if procedure.get("variant") != "public_notice":
        raise Conflict("R-DEREG: an individual business's deregistration completes by itself when the "
                       f"departments' window ends on {procedure['objections_until']}")
    notice_until = date.fromisoformat(procedure["notice_until"])
    apply_by = date.fromisoformat(procedure["apply_by"])
    if on <= notice_until:
        raise Conflict(f"R-DEREG: the public notice runs until {notice_until}; apply from "
                       f"{notice_until + timedelta(days=1)} to {apply_by}")
    if on > apply_by:
        raise Conflict(f"R-DEREG: the application window closed on {apply_by}; a new notice is needed")
    _refuse_if_barred(entity, standing, Mode.SIMPLIFIED)
    return _deregister(entity, procedure, on)


def complete_individual(entity: Entity, standing: Standing, *, on: date) -> dict[str, Any] | None:
    """The day after the departments' window with no objection: deregistered, unless now barred (then
    the procedure stops with the barrier as its reason). None while the window still runs."""
    procedure = entity.deregistration
    if entity.status is not EntityStatus.DEREGISTRATION_NOTICED or not procedure \
            or procedure.get("variant") != "individual_business":
        return None
    if on <= date.fromisoformat(procedure["objections_until"]):
        return None
    found = barriers(entity, standing, Mode.SIMPLIFIED)
    if found:
        procedure.update(state="stopped", stopped_on=on.isoformat(), stop_reason="barred",
                         barriers=[b.as_dict() for b in found])
        entity.status = EntityStatus.ACTIVE
        return procedure
    return _deregister(entity, procedure, on)


def lapse_if_unclaimed(entity: Entity, *, on: date) -> dict[str, Any] | None:
    """A public notice whose application window has passed unused lapses (the entity is active again)."""
    procedure = entity.deregistration
    if entity.status is not EntityStatus.DEREGISTRATION_NOTICED or not procedure \
            or procedure.get("variant") != "public_notice":
        return None
    if on <= date.fromisoformat(procedure["apply_by"]):
        return None
    procedure.update(state="stopped", stopped_on=on.isoformat(), stop_reason="application_window_passed")
    entity.status = EntityStatus.ACTIVE
    return procedure


def deregister_ordinary(entity: Entity, standing: Standing, *, on: date,
                        liquidation_completed_on: date | None) -> dict[str, Any]:
    """普通注销 after liquidation."""
    if entity.status in (EntityStatus.DEREGISTERED, EntityStatus.DEREGISTRATION_NOTICED):
        raise Conflict(f"{entity.uscc} is {entity.status.value}")
    if liquidation_completed_on is None:
        raise RuleViolation("ordinary deregistration follows liquidation: give liquidation_completed_on "
                            "(清算报告)")
    if liquidation_completed_on > on:
        raise RuleViolation(f"liquidation completed on {liquidation_completed_on} is after the application of {on}")
    _refuse_if_barred(entity, standing, Mode.ORDINARY)
    procedure = {"mode": Mode.ORDINARY.value, "started_on": on.isoformat(),
                 "liquidation_completed_on": liquidation_completed_on.isoformat(), "objections": []}
    return _deregister(entity, procedure, on)


def _deregister(entity: Entity, procedure: dict[str, Any], on: date) -> dict[str, Any]:
    if on < date.fromisoformat(entity.established_on):
        raise RuleViolation(f"deregistration on {on} predates the entity's founding on {entity.established_on}")
    procedure.update(state="deregistered", deregistered_on=on.isoformat())
    entity.status = EntityStatus.DEREGISTERED
    entity.deregistration = procedure
    return procedure

