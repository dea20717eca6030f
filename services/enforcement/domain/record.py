"""A-RECORD: the full-process record of a case (全过程记录, 行政处罚法 art. 47), from clue to archive.
Pure Python.

Every action on a case is appended as a :class:`RecordEntry` carrying its actor, time and content,
and chained to the entry before it: each entry's ``hash`` is the SHA-256 of the canonical JSON
(:mod:`shared.canonical`) of its sequence, actor, time, action, content and the previous entry's hash
(:data:`GENESIS_HASH` for the first). :func:`verify` detects an edited field, a deleted, inserted or
reordered entry; with the count and head hash the case keeps (``expected_count`` /
``expected_head_hash``), it also detects a deleted last entry and a truncated record.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

from shared.canonical import sha256_hex

# A-RECORD: the previous_hash of the first entry of every record.
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class RecordEntry:
    """One action on the case, as stored. ``sequence`` is 1-based; ``at`` is timezone-aware (UTC)."""

    sequence: int
    actor: str
    at: datetime
    action: str              # e.g. "case.filed"
    content: dict            # JSON-compatible; may hold Chinese text, Decimals, dates
    previous_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"sequence": self.sequence, "actor": self.actor, "at": _timestamp(self.at),
                "action": self.action, "content": self.content, "previous_hash": self.previous_hash,
                "hash": self.hash}


def _timestamp(at: datetime) -> str:
    """ISO 8601 in UTC with microseconds, e.g. ``2025-03-01T02:30:00.000000+00:00``."""
    if not isinstance(at, datetime):
        raise ValueError(f"the time of a record entry must be a datetime, not {at!r}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"the time of a record entry must be timezone-aware, not naive {at.isoformat()}")
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


def entry_hash(sequence: int, actor: str, at: datetime, action: str, content: dict,
               previous_hash: str) -> str:
    """A-RECORD: the SHA-256 (hex) of the canonical JSON of all the entry's fields but its hash.
    The same instant in another time zone hashes alike; so do Decimal('1.50') and Decimal('1.5')."""
    return sha256_hex({"sequence": sequence, "actor": actor, "at": _timestamp(at), "action": action,
                       "content": content, "previous_hash": previous_hash})


@dataclass(frozen=True)
class RecordHead:
    """What appending needs of a record: its last entry's sequence and hash (kept beside the record,
    so an append does not read the last entry back)."""

    sequence: int
    hash: str


def append(last: RecordEntry | RecordHead | None, *, actor: str, at: datetime, action: str,
           content: dict) -> RecordEntry:
    """A-RECORD: the entry that follows ``last`` (the record's current head, as its last entry or
    its :class:`RecordHead`; ``None`` for an empty record). Naive datetimes, an empty actor or
    action, and content that has no canonical JSON form raise ``ValueError``/``TypeError``. The
    content is copied, so later changes to the caller's dict do not reach the entry."""
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("a record entry needs an actor")
    if not isinstance(action, str) or not action.strip():
        raise ValueError("a record entry needs an action")
    if not isinstance(content, dict):
        raise ValueError(f"the content of a record entry must be a dict, not {type(content).__name__}")
    _timestamp(at)  # raises for a naive time
    at = at.astimezone(timezone.utc)
    content = copy.deepcopy(content)
    sequence = 1 if last is None else last.sequence + 1
    previous_hash = GENESIS_HASH if last is None else last.hash
    return RecordEntry(sequence=sequence, actor=actor, at=at, action=action, content=content,
                       previous_hash=previous_hash,
                       hash=entry_hash(sequence, actor, at, action, content, previous_hash))


@dataclass(frozen=True)
class Verification:
    """The result of :func:`verify`."""

    valid: bool
    entries: int
    first_broken: int | None  # the sequence number of the first entry that does not verify
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "entries": self.entries, "first_broken": self.first_broken,
                "reason": self.reason}


def verify(entries: Sequence[RecordEntry], *, expected_count: int | None = None,
           expected_head_hash: str | None = None) -> Verification:
    """A-RECORD: check a record as stored, in stored order (the caller orders it by sequence).

    Walking the entries, the first that fails gives ``first_broken`` (its ``sequence``) and the reason:

    - its fields do not match its hash (an edited actor, time, action, content, sequence…);
    - its sequence is not the next one: a gap (a deleted entry: ``first_broken`` is the entry after
      the gap) or entries out of order (swapped: the first entry found out of place);
    - its previous_hash is not the hash of the entry before it (an inserted or replaced entry).

    Then, against what the case keeps: fewer entries than ``expected_count`` (the last entries were
    deleted: ``first_broken`` is the first missing sequence, i.e. ``expected_count`` when only the last
    entry is gone), more entries (``expected_count + 1``), or a last hash that is not
    ``expected_head_hash`` (entries appended after the head: the first of them; otherwise the last
    stored entry, which is not the recorded head).
    """
    count = len(entries)

    def broken(sequence: int, reason: str) -> Verification:
        return Verification(valid=False, entries=count, first_broken=sequence, reason=reason)

    previous_hash = GENESIS_HASH
    for position, entry in enumerate(entries, start=1):
        sequence = entry.sequence
        try:
            recomputed = entry_hash(entry.sequence, entry.actor, entry.at, entry.action, entry.content,
                                    entry.previous_hash)
        except (TypeError, ValueError) as exc:
            return broken(sequence, f"entry {sequence}: cannot be hashed ({exc})")
        if recomputed != entry.hash:
            return broken(sequence, f"entry {sequence}: content does not match its hash")
        if sequence < position:
            return broken(sequence, f"entry {sequence}: stored at position {position}, after entry "
                                    f"{position - 1}: a duplicated sequence number or a reordered record")
        if sequence > position:
            if any(e.sequence == position for e in entries[position:]):
                return broken(sequence, f"entry {sequence}: out of order, stored where entry {position} "
                                        f"belongs (entry {position} is stored after it)")
            missing = (f"entry {position} is missing" if sequence == position + 1
                       else f"entries {position} to {sequence - 1} are missing")
            return broken(sequence, f"entry {sequence}: sequence gap, {missing}")
        if entry.previous_hash != previous_hash:
            before = "the genesis hash" if position == 1 else f"the hash of entry {position - 1}"
            return broken(sequence, f"entry {sequence}: previous_hash does not match {before} "
                                    f"(an entry was inserted, replaced or removed)")
        previous_hash = entry.hash

    if expected_count is not None and count != expected_count:
        if count < expected_count:
            return broken(count + 1, f"the record holds {count} entries where the case expects "
                                     f"{expected_count}: entries from {count + 1} on are missing")
        return broken(expected_count + 1, f"the record holds {count} entries where the case expects "
                                          f"{expected_count}: entries after {expected_count} are not recorded "
                                          f"on the case")
    if expected_head_hash is not None and previous_hash != expected_head_hash:
        for entry in entries:
            if entry.hash == expected_head_hash and entry.sequence < count:
                return broken(entry.sequence + 1,
                              f"entry {entry.sequence + 1}: entries after the case's head "
                              f"(entry {entry.sequence}) are not recorded on the case")
        if not entries:
            return broken(1, "the record is empty but the case records a head hash")
        return broken(entries[-1].sequence,
                      f"entry {entries[-1].sequence}: the last stored entry is not the case's head "
                      f"(the record was truncated or its last entry replaced)")
    return Verification(valid=True, entries=count, first_broken=None, reason=None)
