"""Persistence of the register: entities, annual reports, listings, party facts, credit entries."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import delete, insert, select, update

from services.registration.domain.deregistration import Standing
from services.registration.domain.entity import Entity
from services.registration.tables import annual_reports, credit_entries, entities, listings, party_facts, sequences
from shared.db import next_number as shared_next_number
from shared.errors import Conflict, NotFound

OPEN_CASE = "open_case"
UNEXECUTED_PENALTY = "unexecuted_penalty"


def next_number(uow, name: str) -> int:
    """The next number of a series, gap-free per series."""
    return shared_next_number(uow, sequences, name)


# -- entities -------------------------------------------------------------------------------------
def _columns(entity: Entity) -> dict[str, Any]:
    return {"category": entity.category.value, "status": entity.status.value, "name": entity.name,
            "town": entity.town, "sector": entity.sector, "data": entity.to_dict()}


def exists(connection, uscc: str) -> bool:
    return connection.execute(select(entities.c.uscc).where(entities.c.uscc == uscc)).first() is not None


def insert_entity(uow, entity: Entity) -> None:
    uow.execute(insert(entities).values(uscc=entity.uscc, established_on=date.fromisoformat(entity.established_on),
                                        version=1, **_columns(entity)))


def load_entity(connection, uscc: str) -> tuple[Entity, int]:
    row = connection.execute(select(entities.c.data, entities.c.version).where(entities.c.uscc == uscc)).first()
    if row is None:
        raise NotFound(f"no entity {uscc} on the register")
    return Entity.from_dict(row.data), row.version


def save_entity(uow, entity: Entity, version: int) -> None:
    done = uow.execute(update(entities).where(entities.c.uscc == entity.uscc, entities.c.version == version)
                       .values(version=version + 1, **_columns(entity)))
    if done.rowcount != 1:
        raise Conflict(f"entity {entity.uscc} was changed by another request; reload and retry")


def list_entities(connection, *, filters: dict[str, str], query: str | None, limit: int,
                  after: str | None) -> list[dict[str, Any]]:
    statement = select(entities.c.uscc, entities.c.name, entities.c.category, entities.c.status,
                       entities.c.town, entities.c.sector).order_by(entities.c.uscc)
    for name, value in filters.items():
        statement = statement.where(entities.c[name] == value)
    if query:
        statement = statement.where(entities.c.name.contains(query, autoescape=True))
    if after:
        statement = statement.where(entities.c.uscc > after)
    return [dict(row._mapping) for row in connection.execute(statement.limit(limit))]


# -- annual reports (R-ANNUAL) ----------------------------------------------------------------------
def reports_filed(connection, uscc: str) -> dict[int, date]:
    rows = connection.execute(select(annual_reports.c.year, annual_reports.c.filed_on)
                              .where(annual_reports.c.uscc == uscc))
    return {row.year: row.filed_on for row in rows}


def file_report(uow, uscc: str, year: int, filed_on: date) -> bool:
    """False when that year's report was already on file (a report is filed once)."""
    if uow.execute(select(annual_reports.c.year).where(annual_reports.c.uscc == uscc,
                                                       annual_reports.c.year == year)).first():
        return False
    uow.execute(insert(annual_reports).values(uscc=uscc, year=year, filed_on=filed_on))
    return True


# -- listings (R-ABNORMAL, R-SERIOUS) ------------------------------------------------------------
def new_listing(uow, *, uscc: str, list_name: str, ground: str, listed_on: date, data: dict[str, Any],
                report_year: int | None = None) -> dict[str, Any]:
    prefix = "YC" if list_name == "abnormal" else "YZ"  # 异常 / 严重
    listing = {"listing_id": f"{prefix}-{uuid.uuid4().hex[:12]}", "uscc": uscc, "list": list_name,
               "ground": ground, "report_year": report_year, "listed_on": listed_on.isoformat(),
               "state": "active", **data}
    uow.execute(insert(listings).values(listing_id=listing["listing_id"], uscc=uscc, list=list_name, ground=ground,
                                        report_year=report_year, listed_on=listed_on, state="active", data=listing))
    return listing


def load_listing(connection, uscc: str, listing_id: str, list_name: str) -> dict[str, Any]:
    row = connection.execute(select(listings.c.data).where(
        listings.c.listing_id == listing_id, listings.c.uscc == uscc, listings.c.list == list_name)).first()
    if row is None:
        raise NotFound(f"no {list_name} listing {listing_id} for {uscc}")
    return dict(row.data)


def save_listing(uow, listing: dict[str, Any], *, expected_state: str = "active") -> None:
    done = uow.execute(update(listings).where(listings.c.listing_id == listing["listing_id"],
                                              listings.c.state == expected_state)
                       .values(state=listing["state"], data=listing))
    if done.rowcount != 1:
        raise Conflict(f"listing {listing['listing_id']} was changed by another request; reload and retry")


def entity_listings(connection, uscc: str) -> list[dict[str, Any]]:
    rows = connection.execute(select(listings.c.data).where(listings.c.uscc == uscc).order_by(listings.c.listed_on))
    return [dict(row.data) for row in rows]


def active_listings(connection, list_name: str | None = None) -> list[dict[str, Any]]:
    statement = select(listings.c.data).where(listings.c.state == "active")
    if list_name:
        statement = statement.where(listings.c.list == list_name)
    return [dict(row.data) for row in connection.execute(statement)]


def has_annual_report_listing(connection, uscc: str, year: int) -> bool:
    return connection.execute(select(listings.c.listing_id).where(
        listings.c.uscc == uscc, listings.c.ground == "no_annual_report", listings.c.report_year == year)).first() \
        is not None


# -- what other services told us (the read model behind R-DEREG) -------------------------------------
def note_fact(uow, kind: str, reference: str, uscc: str, since: date) -> bool:
    if uow.execute(select(party_facts.c.uscc).where(party_facts.c.kind == kind,
                                                    party_facts.c.reference == reference)).first():
        return False
    uow.execute(insert(party_facts).values(kind=kind, reference=reference, uscc=uscc, since=since))
    return True


def drop_fact(uow, kind: str, reference: str) -> str | None:
    """Forget a fact; returns the party's code when there was one."""
    row = uow.execute(select(party_facts.c.uscc).where(party_facts.c.kind == kind,
                                                       party_facts.c.reference == reference)).first()
    if row is None:
        return None
    uow.execute(delete(party_facts).where(party_facts.c.kind == kind, party_facts.c.reference == reference))
    return row.uscc


def standing(connection, uscc: str) -> Standing:
    facts = connection.execute(select(party_facts.c.kind, party_facts.c.reference)
                               .where(party_facts.c.uscc == uscc).order_by(party_facts.c.reference)).all()
    active = [row for row in entity_listings(connection, uscc) if row["state"] == "active"]
    return Standing(
        abnormal_listings=tuple(row["listing_id"] for row in active if row["list"] == "abnormal"),
        serious_listings=tuple(row["listing_id"] for row in active if row["list"] == "serious"),
        open_cases=tuple(r.reference for r in facts if r.kind == OPEN_CASE),
        unexecuted_penalties=tuple(r.reference for r in facts if r.kind == UNEXECUTED_PENALTY))


# -- the credit record (R-CREDIT) -----------------------------------------------------------------
def add_credit_entry(uow, *, uscc: str, kind: str, reference: str, on: date, data: dict[str, Any]) -> bool:
    """False when this fact is already on the record (an event announced twice)."""
    if uow.execute(select(credit_entries.c.id).where(credit_entries.c.uscc == uscc, credit_entries.c.kind == kind,
                                                     credit_entries.c.reference == reference)).first():
        return False
    uow.execute(insert(credit_entries).values(uscc=uscc, kind=kind, reference=reference, entry_on=on,
                                              recorded_at=datetime.now(timezone.utc), data=data))
    return True


def credit_record(connection, uscc: str) -> list[dict[str, Any]]:
    rows = connection.execute(select(credit_entries).where(credit_entries.c.uscc == uscc)
                              .order_by(credit_entries.c.entry_on, credit_entries.c.id))
    return [{"kind": row.kind, "reference": row.reference, "on": row.entry_on.isoformat(), **row.data}
            for row in rows]


def penalties(connection, uscc: str) -> list[tuple[str, date]]:
    """(decision number, date) of every penalty on the entity's record."""
    rows = connection.execute(select(credit_entries.c.reference, credit_entries.c.entry_on).where(
        credit_entries.c.uscc == uscc, credit_entries.c.kind == "penalty"))
    return [(row.reference, row.entry_on) for row in rows]


def penalty_party(connection, decision_no: str) -> str | None:
    row = connection.execute(select(credit_entries.c.uscc).where(
        credit_entries.c.kind == "penalty", credit_entries.c.reference == decision_no)).first()
    return row.uscc if row else None


def disclosure_party(connection, disclosure_id: str) -> str | None:
    row = connection.execute(select(credit_entries.c.uscc).where(
        credit_entries.c.kind == "disclosure_published", credit_entries.c.reference == disclosure_id)).first()
    return row.uscc if row else None


def revoked_penalties(connection, uscc: str) -> set[str]:
    rows = connection.execute(select(credit_entries.c.reference).where(
        credit_entries.c.uscc == uscc, credit_entries.c.kind == "penalty_revoked"))
    return {row.reference for row in rows}
