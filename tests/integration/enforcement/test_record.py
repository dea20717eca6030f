"""A-RECORD: tampering with the full-process record directly in the database is detected by
``GET /cases/{case_no}/record/verification``, on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, delete, select, update

from services.enforcement.tables import record_entries
from tests.integration.enforcement.conftest import OFFICER

pytestmark = pytest.mark.integration


def _case_with_four_entries(enforcement) -> tuple[str, str]:
    case_no = enforcement.open_case()
    for text in ("询问笔录", "现场照片"):
        enforcement.post(f"/cases/{case_no}/evidence", {"kind": "documentary", "description": text,
                                                        "content": f"{text}内容", "collected_on": "2026-11-24"},
                         headers=OFFICER, second=True)
    return case_no, enforcement.get(f"/cases/{case_no}")["clue_id"]


@pytest.fixture
def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def _verification(enforcement, case_no):
    return enforcement.get(f"/cases/{case_no}/record/verification")


def test_an_untouched_record_verifies(enforcement):
    case_no, _ = _case_with_four_entries(enforcement)
    assert _verification(enforcement, case_no) == {"case_no": case_no, "valid": True, "entries": 4,
                                                   "first_broken": None, "reason": None}


def test_an_edited_field_is_detected(enforcement, engine):
    case_no, key = _case_with_four_entries(enforcement)
    with engine.begin() as conn:
        conn.execute(update(record_entries).where(record_entries.c.record_key == key, record_entries.c.sequence == 3)
                     .values(content='{"case_no":"%s","evidence":{"content":"篡改"}}' % case_no))
    result = _verification(enforcement, case_no)
    assert result["valid"] is False and result["first_broken"] == 3


def test_an_edited_actor_is_detected(enforcement, engine):
    case_no, key = _case_with_four_entries(enforcement)
    with engine.begin() as conn:
        conn.execute(update(record_entries).where(record_entries.c.record_key == key, record_entries.c.sequence == 2)
                     .values(actor="someone-else"))
    assert _verification(enforcement, case_no)["first_broken"] == 2


def test_a_deleted_row_is_detected(enforcement, engine):
    case_no, key = _case_with_four_entries(enforcement)
    with engine.begin() as conn:
        conn.execute(delete(record_entries).where(record_entries.c.record_key == key, record_entries.c.sequence == 2))
    result = _verification(enforcement, case_no)
    assert result["valid"] is False and result["first_broken"] == 3  # the entry after the gap


def test_a_deleted_last_row_is_detected(enforcement, engine):
    case_no, key = _case_with_four_entries(enforcement)
    with engine.begin() as conn:
        conn.execute(delete(record_entries).where(record_entries.c.record_key == key, record_entries.c.sequence == 4))
    result = _verification(enforcement, case_no)
    assert result["valid"] is False and result["first_broken"] == 4


def test_two_swapped_rows_are_detected(enforcement, engine):
    case_no, key = _case_with_four_entries(enforcement)
    columns = [c for c in record_entries.c if c.name not in ("record_key", "sequence")]
    with engine.begin() as conn:
        rows = {r.sequence: r for r in conn.execute(select(record_entries).where(record_entries.c.record_key == key))}
        for mine, theirs in ((2, 3), (3, 2)):
            conn.execute(update(record_entries).where(record_entries.c.record_key == key,
                                                      record_entries.c.sequence == mine)
                         .values({c.name: getattr(rows[theirs], c.name) for c in columns}))
    result = _verification(enforcement, case_no)
    assert result["valid"] is False and result["first_broken"] == 2
