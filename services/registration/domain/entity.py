"""A market entity (市场主体) on the district's register, with the history of its changes. Pure Python.

An entity is identified by its unified social credit code (R-USCC, :mod:`shared.law.uscc`); its
category (enterprise 企业, individual business 个体工商户, farmers' cooperative 农民专业合作社) is part of
that code and never changes. Registered particulars change through :meth:`Entity.change`, which keeps
each old value in ``history`` (变更登记), so the register can say what was true on any day.
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, Mapping

from shared.errors import Conflict, RuleViolation
from shared.law.penalties import amount_in_yuan
from shared.law.uscc import EntityCategory


def yuan_text(value: Any) -> str:
    """An amount in yuan as stored on the register: exact, to the fen ("1234.50")."""
    return str(amount_in_yuan(value, "amount", missing_is_zero=True).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class EntityStatus(str, Enum):
    ACTIVE = "active"                                   # 存续
    DEREGISTRATION_NOTICED = "deregistration_noticed"   # 简易注销公告中 (R-DEREG)
    DEREGISTERED = "deregistered"                       # 注销
    REVOKED = "revoked"                                 # 吊销 / 撤销登记


# Particulars a change registration (变更登记) may alter; the code, category and founding date may not.
CHANGEABLE = ("name", "address", "town", "legal_representative", "sector", "business_scope",
              "registered_capital_yuan")
ENDED = (EntityStatus.DEREGISTERED, EntityStatus.REVOKED)


@dataclass
class Entity:
    uscc: str
    category: EntityCategory
    name: str
    legal_representative: dict[str, str]       # {name, id_number?}: a natural person's data
    address: str
    town: str
    sector: str
    established_on: str                          # ISO date
    registered_capital_yuan: str = "0.00"
    business_scope: str = ""
    status: EntityStatus = EntityStatus.ACTIVE
    history: list[dict[str, Any]] = field(default_factory=list)
    deregistration: dict[str, Any] | None = None  # the current or last procedure (R-DEREG)
    revocation: dict[str, Any] | None = None

    @classmethod
    def from_registration(cls, uscc: str, body: Mapping[str, Any]) -> "Entity":
        """A new entity from a registration (设立登记) request's particulars."""
        return cls(uscc=uscc, category=EntityCategory(body["category"]), name=body["name"],
                   legal_representative=dict(body["legal_representative"]), address=body["address"],
                   town=body.get("town", ""), sector=body["sector"], established_on=body["established_on"],
                   registered_capital_yuan=yuan_text(body.get("registered_capital_yuan")),
                   business_scope=body.get("business_scope", ""))

    def public(self) -> dict[str, Any]:
        """What other departments receive about the entity: no natural person's identity number."""
        return {"uscc": self.uscc, "name": self.name, "category": self.category.value,
                "status": self.status.value, "town": self.town, "sector": self.sector,
                "address": self.address, "established_on": self.established_on,
                "registered_capital_yuan": float(self.registered_capital_yuan),
                "business_scope": self.business_scope,
                "legal_representative": {"name": self.legal_representative["name"]}}

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    def change(self, changes: Mapping[str, Any], *, on: date, reason: str) -> list[dict[str, Any]]:
        """变更登记: apply ``changes`` and return what changed (field, old, new), oldest value kept."""
        if self.ended:
            raise Conflict(f"{self.uscc} is {self.status.value}; its particulars can no longer change")
        unknown = sorted(set(changes) - set(CHANGEABLE))
        if unknown:
            raise RuleViolation(f"these particulars cannot be changed: {', '.join(unknown)}")
        if on < date.fromisoformat(self.established_on):
            raise RuleViolation(f"a change on {on} predates the entity's founding on {self.established_on}")
        if self.history and on < date.fromisoformat(self.history[-1]["changed_on"]):
            # as_of unwinds the history from its end, so it must stay in date order
            raise RuleViolation(f"a change on {on} predates the last change registered, on "
                                f"{self.history[-1]['changed_on']}")
        changed = []
        for name in CHANGEABLE:
            if name not in changes or changes[name] == getattr(self, name):
                continue
            changed.append({"field": name, "old": copy.deepcopy(getattr(self, name)),
                            "new": copy.deepcopy(changes[name])})
            setattr(self, name, copy.deepcopy(changes[name]))
        if not changed:
            raise RuleViolation("the change alters nothing: every value given is the current one")
        self.history.append({"changed_on": on.isoformat(), "reason": reason, "changes": changed})
        return changed

    def as_of(self, day: date) -> dict[str, Any]:
        """The particulars as registered at the end of ``day`` (unwinding later changes)."""
        view = self.to_dict()
        for entry in reversed(self.history):
            if date.fromisoformat(entry["changed_on"]) <= day:
                break
            for change in entry["changes"]:
                view[change["field"]] = copy.deepcopy(change["old"])
        return view

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["category"] = self.category.value
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Entity":
        values = dict(data)
        values["category"] = EntityCategory(values["category"])
        values["status"] = EntityStatus(values["status"])
        return cls(**values)
