"""Persistence of clues, cases and the full-process record, through a unit of work."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import insert, select, update

from services.enforcement.domain.case import Case
from services.enforcement.domain.record import RecordEntry, RecordHead, Verification, append, verify
from services.enforcement.tables import cases, clues, overdue_notices, record_entries, record_heads, sequences
from shared.canonical import canonical_json
from shared.db import next_number as shared_next_number
from shared.errors import Conflict, NotFound


def next_number(uow, name: str) -> int:
    """The next number of a series, gap-free per series."""
    return shared_next_number(uow, sequences, name)


# -- clues ----------------------------------------------------------------------------------------
def insert_clue(uow, clue: dict[str, Any]) -> None:
    uow.execute(insert(clues).values(clue_id=clue["clue_id"], state=clue["state"], received_on=date.fromisoformat(
        clue["received_on"]), subject_uscc=clue["subject"].get("uscc"), case_no=None, data=clue, version=1))


def load_clue(connection, clue_id: str) -> tuple[dict[str, Any], int]:
    row = connection.execute(select(clues.c.data, clues.c.version).where(clues.c.clue_id == clue_id)).first()
    if row is None:
        raise NotFound(f"no clue {clue_id}")
    return dict(row.data), row.version


def save_clue(uow, clue: dict[str, Any], version: int) -> None:
    done = uow.execute(update(clues).where(clues.c.clue_id == clue["clue_id"], clues.c.version == version)
                       .values(state=clue["state"], case_no=clue.get("case_no"), data=clue, version=version + 1))
    if done.rowcount != 1:
        raise Conflict(f"clue {clue['clue_id']} was changed by another request; reload and retry")


# -- cases ----------------------------------------------------------------------------------------
def insert_case(uow, case: Case) -> None:
    uow.execute(insert(cases).values(case_no=case.case_no, clue_id=case.clue_id, state=case.state.value,
                                     subject_uscc=case.subject.get("uscc"), filed_on=date.fromisoformat(case.filed_on),
                                     data=case.to_dict(), version=1))


def load_case(connection, case_no: str) -> tuple[Case, int]:
    row = connection.execute(select(cases.c.data, cases.c.version).where(cases.c.case_no == case_no)).first()
    if row is None:
        raise NotFound(f"no case {case_no}")
    return Case.from_dict(row.data), row.version


def save_case(uow, case: Case, version: int) -> None:
    done = uow.execute(update(cases).where(cases.c.case_no == case.case_no, cases.c.version == version)
                       .values(state=case.state.value, data=case.to_dict(), version=version + 1))
    if done.rowcount != 1:
        raise Conflict(f"case {case.case_no} was changed by another request; reload and retry")


def list_cases(connection, *, state: str | None, limit: int, after: str | None) -> list[dict[str, Any]]:
    query = select(cases.c.case_no, cases.c.state, cases.c.filed_on, cases.c.subject_uscc).order_by(cases.c.case_no)
    if state:
        query = query.where(cases.c.state == state)
    if after:
        query = query.where(cases.c.case_no > after)
    return [dict(row._mapping) for row in connection.execute(query.limit(limit))]


# -- the full-process record (A-RECORD) ------------------------------------------------------------
def append_record(uow, record_key: str, *, actor: str, action: str, content: dict[str, Any]) -> RecordEntry:
    """Append one entry to a clue's (and then its case's) record, in the command's transaction."""
    head = uow.execute(select(record_heads).where(record_heads.c.record_key == record_key).with_for_update()).first()
    last = RecordHead(sequence=head.count, hash=head.head_hash) if head is not None else None
    plain = json.loads(canonical_json(content))  # exactly what is hashed is what is stored
    entry = append(last, actor=actor, at=datetime.now(timezone.utc), action=action, content=plain)
    uow.execute(insert(record_entries).values(
        record_key=record_key, sequence=entry.sequence, actor=entry.actor, at=entry.at, action=entry.action,
        content=canonical_json(entry.content).decode("utf-8"), previous_hash=entry.previous_hash, hash=entry.hash))
    if head is None:
        uow.execute(insert(record_heads).values(record_key=record_key, count=entry.sequence, head_hash=entry.hash))
    else:
        uow.execute(update(record_heads).where(record_heads.c.record_key == record_key)
                    .values(count=entry.sequence, head_hash=entry.hash))
    return entry


def _entry(row) -> RecordEntry:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)  # SQLite keeps no offset
    return RecordEntry(sequence=row.sequence, actor=row.actor, at=at, action=row.action,
                       content=json.loads(row.content), previous_hash=row.previous_hash, hash=row.hash)


def read_record(connection, record_key: str) -> list[RecordEntry]:
    rows = connection.execute(select(record_entries).where(record_entries.c.record_key == record_key)
                              .order_by(record_entries.c.sequence))
    return [_entry(row) for row in rows]


def verify_record(connection, record_key: str) -> Verification:
    head = connection.execute(select(record_heads).where(record_heads.c.record_key == record_key)).first()
    return verify(read_record(connection, record_key), expected_count=head.count if head else 0,
                  expected_head_hash=head.head_hash if head else None)


def open_cases(connection) -> list[Case]:
    rows = connection.execute(select(cases.c.data).where(cases.c.state != "closed"))
    return [Case.from_dict(row.data) for row in rows]


def open_clues(connection) -> list[dict[str, Any]]:
    return [dict(row.data) for row in connection.execute(select(clues.c.data).where(clues.c.state == "received"))]


def note_overdue(uow, aggregate: str, kind: str, due: date) -> bool:
    """Remember that this deadline's overdue event was published; False if it already was."""
    exists = uow.execute(select(overdue_notices.c.id).where(
        overdue_notices.c.aggregate == aggregate, overdue_notices.c.kind == kind, overdue_notices.c.due == due)).first()
    if exists:
        return False
    uow.execute(insert(overdue_notices).values(aggregate=aggregate, kind=kind, due=due))
    return True
