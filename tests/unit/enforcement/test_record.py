"""Tests for rule A-RECORD: the tamper-evident full-process record (全过程记录).

A chain of five entries verifies; each kind of tampering is detected, with the sequence where the
chain first breaks.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.enforcement.domain.record import (
    GENESIS_HASH,
    RecordEntry,
    Verification,
    append,
    entry_hash,
    verify,
)

T0 = datetime(2025, 3, 1, 2, 30, tzinfo=timezone.utc)
SHANGHAI = timezone(timedelta(hours=8))

ACTIONS = [
    ("A001", "clue.received", {"summary": "群众举报：销售假冒“埔田竹笋”", "channel": "12315"}),
    ("A001", "case.filed", {"decision": "立案", "approved_by": "H001"}),
    ("B002", "evidence.collected", {"items": ["现场笔录", "询问笔录"], "value_yuan": Decimal("1.50")}),
    ("A001", "notice.served", {"kind": "事先告知", "fine_yuan": Decimal("3000")}),
    ("H001", "decision.made", {"fine_yuan": Decimal("3000"), "confiscation_yuan": Decimal(0)}),
]


def chain(n: int = 5) -> list[RecordEntry]:
    entries: list[RecordEntry] = []
    for i, (actor, action, content) in enumerate(ACTIONS[:n]):
        entries.append(append(entries[-1] if entries else None, actor=actor, at=T0 + timedelta(hours=i),
                              action=action, content=content))
    return entries


def rehash(entry: RecordEntry, **changes) -> RecordEntry:
    """A forger who knows the scheme: change fields and recompute the entry's own hash."""
    e = dataclasses.replace(entry, **changes)
    return dataclasses.replace(e, hash=entry_hash(e.sequence, e.actor, e.at, e.action, e.content, e.previous_hash))


# --- building the chain ----------------------------------------------------------------------------

def test_a_record_append_links_entries():
    entries = chain()
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].previous_hash == GENESIS_HASH == "0" * 64
    for before, after in zip(entries, entries[1:]):
        assert after.previous_hash == before.hash
    assert all(len(e.hash) == 64 for e in entries)
    assert len({e.hash for e in entries}) == 5


def test_a_record_naive_time_is_refused():
    with pytest.raises(ValueError):
        append(None, actor="A001", at=datetime(2025, 3, 1, 10, 30), action="case.filed", content={})


def test_a_record_time_is_stored_in_utc_and_hashes_as_the_same_instant():
    local = append(None, actor="A001", at=datetime(2025, 3, 1, 10, 30, tzinfo=SHANGHAI), action="case.filed",
                   content={"decision": "立案"})
    utc = append(None, actor="A001", at=T0, action="case.filed", content={"decision": "立案"})
    assert local.at == T0 and local.at.utcoffset() == timedelta(0)
    assert local.hash == utc.hash


def test_a_record_hash_covers_microseconds():
    one = entry_hash(1, "A001", T0, "case.filed", {}, GENESIS_HASH)
    assert entry_hash(1, "A001", T0 + timedelta(microseconds=1), "case.filed", {}, GENESIS_HASH) != one


def test_a_record_canonical_content_chinese_and_decimal_scale():
    """A-RECORD: 1.50 and 1.5 are the same amount and hash alike; Chinese text hashes as is."""
    a = entry_hash(1, "执法员甲", T0, "evidence.collected", {"货值": Decimal("1.50"), "名称": "东寮芋"}, GENESIS_HASH)
    b = entry_hash(1, "执法员甲", T0, "evidence.collected", {"名称": "东寮芋", "货值": Decimal("1.5")}, GENESIS_HASH)
    assert a == b
    assert a != entry_hash(1, "执法员甲", T0, "evidence.collected", {"货值": Decimal("1.51"), "名称": "东寮芋"},
                           GENESIS_HASH)


def test_a_record_content_is_copied():
    content = {"items": ["现场笔录"]}
    entry = append(None, actor="A001", at=T0, action="evidence.collected", content=content)
    content["items"].append("forged")
    assert verify([entry]).valid


def test_a_record_content_without_canonical_form_is_refused():
    with pytest.raises(TypeError):
        append(None, actor="A001", at=T0, action="x", content={"obj": object()})


# --- verification ----------------------------------------------------------------------------------

def test_a_record_valid_chain_of_five_verifies():
    entries = chain()
    result = verify(entries, expected_count=5, expected_head_hash=entries[-1].hash)
    assert result == Verification(valid=True, entries=5, first_broken=None, reason=None)
    assert result.as_dict() == {"valid": True, "entries": 5, "first_broken": None, "reason": None}
    assert verify([]).valid and verify([], expected_count=0, expected_head_hash=GENESIS_HASH).valid


@pytest.mark.parametrize("field, value", [
    ("content", {"decision": "不予立案", "approved_by": "H001"}),
    ("actor", "X999"),
    ("at", T0 + timedelta(hours=1, seconds=1)),
    ("action", "case.rejected"),
])
def test_a_record_edited_field_is_detected(field, value):
    """A-RECORD: editing content, actor, time or action of entry 2 breaks its hash."""
    entries = chain()
    entries[1] = dataclasses.replace(entries[1], **{field: value})
    result = verify(entries, expected_count=5, expected_head_hash=entries[-1].hash)
    assert not result.valid
    assert result.first_broken == 2
    assert result.reason == "entry 2: content does not match its hash"


def test_a_record_edited_decimal_in_content_is_detected():
    entries = chain()
    entries[2] = dataclasses.replace(entries[2], content={**entries[2].content, "value_yuan": Decimal("1.51")})
    assert verify(entries).first_broken == 3


def test_a_record_edited_and_rehashed_entry_breaks_the_next_link():
    """A forger who recomputes entry 2's hash breaks entry 3's previous_hash."""
    entries = chain()
    entries[1] = rehash(entries[1], content={"decision": "不予立案"})
    result = verify(entries)
    assert not result.valid and result.first_broken == 3 and "previous_hash" in result.reason


def test_a_record_deleted_middle_entry_is_detected():
    """A-RECORD: deleting entry 3 leaves a gap; first_broken is the entry after the gap."""
    entries = chain()
    del entries[2]
    result = verify(entries)
    assert not result.valid
    assert result.first_broken == 4
    assert result.entries == 4
    assert "entry 3 is missing" in result.reason


def test_a_record_deleted_first_entry_is_detected():
    entries = chain()[1:]
    assert verify(entries).first_broken == 2


def test_a_record_deleted_middle_entry_renumbered_is_detected():
    """Renumbering the later entries (and rehashing them) still breaks the chain at the gap."""
    entries = chain()
    del entries[2]
    entries[2] = rehash(entries[2], sequence=3)
    result = verify(entries)
    assert result.first_broken == 3 and "previous_hash" in result.reason


def test_a_record_deleted_last_entry_is_detected_by_count_and_head():
    """A-RECORD: the chain of 4 is self-consistent; the case's count and head expose the truncation."""
    full = chain()
    truncated = full[:-1]
    assert verify(truncated).valid  # the chain alone cannot tell
    by_count = verify(truncated, expected_count=5)
    assert not by_count.valid and by_count.first_broken == 5
    by_both = verify(truncated, expected_count=5, expected_head_hash=full[-1].hash)
    assert by_both.first_broken == 5
    by_head = verify(truncated, expected_head_hash=full[-1].hash)
    assert not by_head.valid and "not the case's head" in by_head.reason


def test_a_record_truncation_of_two_entries():
    result = verify(chain()[:3], expected_count=5)
    assert not result.valid and result.first_broken == 4 and "from 4 on are missing" in result.reason


def test_a_record_entries_beyond_the_recorded_head_are_detected():
    full = chain()
    assert verify(full, expected_count=4).first_broken == 5
    assert verify(full, expected_head_hash=full[3].hash).first_broken == 5


def test_a_record_replaced_last_entry_is_detected_by_head():
    full = chain()
    forged = rehash(full[-1], content={"fine_yuan": Decimal("300")})
    result = verify([*full[:-1], forged], expected_count=5, expected_head_hash=full[-1].hash)
    assert not result.valid and result.first_broken == 5


def test_a_record_two_swapped_entries_are_detected():
    """A-RECORD: entries 2 and 3 stored in each other's place."""
    entries = chain()
    entries[1], entries[2] = entries[2], entries[1]
    result = verify(entries, expected_count=5, expected_head_hash=entries[-1].hash)
    assert not result.valid
    assert result.first_broken == 3  # entry 3, found where entry 2 belongs
    assert "out of order" in result.reason


def test_a_record_swapped_sequence_numbers_are_detected():
    """Swapping the sequence numbers of entries 2 and 3 (so that ORDER BY sequence swaps them)."""
    original = chain()
    entries = [original[0], dataclasses.replace(original[2], sequence=2),
               dataclasses.replace(original[1], sequence=3), *original[3:]]
    result = verify(entries)
    assert result.first_broken == 2 and result.reason == "entry 2: content does not match its hash"
    rehashed = [original[0], rehash(original[2], sequence=2), rehash(original[1], sequence=3), *original[3:]]
    result = verify(rehashed)
    assert result.first_broken == 2 and "previous_hash" in result.reason


def test_a_record_inserted_forged_entry_is_detected():
    """A-RECORD: a forged entry 3 with a recomputed hash but a previous_hash not of entry 2."""
    entries = chain()
    forged = append(entries[0], actor="A001", at=T0 + timedelta(minutes=90), action="evidence.collected",
                    content={"items": ["伪造笔录"]})
    forged = rehash(forged, sequence=3)  # previous_hash is entry 1's hash
    entries.insert(2, forged)
    result = verify(entries)
    assert not result.valid
    assert result.first_broken == 3
    assert "previous_hash does not match the hash of entry 2" in result.reason


def test_a_record_inserted_forged_entry_with_correct_link_is_detected_after_it():
    """Even linked correctly to entry 2, the forged entry 3 pushes the real entry 3 out of place."""
    entries = chain()
    forged = append(entries[1], actor="A001", at=T0 + timedelta(minutes=90), action="evidence.collected",
                    content={"items": ["伪造笔录"]})
    entries.insert(2, forged)
    result = verify(entries)
    assert not result.valid and result.first_broken == 3 and "duplicated" in result.reason


def test_a_record_entry_with_naive_time_does_not_verify():
    entries = chain()
    entries[3] = dataclasses.replace(entries[3], at=entries[3].at.replace(tzinfo=None))
    result = verify(entries)
    assert result.first_broken == 4 and "cannot be hashed" in result.reason


def test_a_record_head_continues_the_chain_exactly_as_the_last_entry_does():
    """A-RECORD: appending after the head (sequence, hash) kept beside the record gives the same entry
    as appending after the last entry itself, so the chain still verifies."""
    from datetime import datetime, timezone

    from services.enforcement.domain.record import RecordHead, append, verify

    at = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
    first = append(None, actor="O-1", at=at, action="clue.received", content={"n": 1})
    by_entry = append(first, actor="O-2", at=at, action="case.filed", content={"n": 2})
    by_head = append(RecordHead(first.sequence, first.hash), actor="O-2", at=at, action="case.filed", content={"n": 2})
    assert by_head == by_entry
    assert verify([first, by_head]).valid
