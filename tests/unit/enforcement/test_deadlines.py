"""Tests for the deadline rules D-CLUE, D-INFORMANT, D-LIMIT, D-DECIDE, D-STATEMENT, D-HEARING,
D-SERVE, D-PAY and D-CLOSE (services/enforcement/domain/deadlines.py).

Every expected date is computed by hand in a comment, from the official 2026 schedule
(State Council notice; the shipped holiday table, checked in ``test_calendar_facts_used_below``):

    New Year      2026-01-01..01-03 off, Sun 2026-01-04 worked
    Spring Fest.  2026-02-15..02-23 off, Sat 2026-02-14 and Sat 2026-02-28 worked (调休上班日)
    Qingming      2026-04-04..04-06 off
    Labour Day    2026-05-01..05-05 off, Sat 2026-05-09 worked
    Dragon Boat   2026-06-19..06-21 off
    Mid-Autumn    Fri 2026-09-25 off
    National Day  2026-10-01..10-07 off, Sun 2026-09-20 and Sat 2026-10-10 worked

"WD n" below means "the n-th working day after the start day" (the start day is not counted).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

import pytest

from services.enforcement.domain import deadlines as dl
from services.enforcement.domain.deadlines import (
    Deadline,
    closure_deadline,
    clue_filing_deadline,
    decision_deadline,
    earliest_hearing_date,
    hearing_date_allowed,
    hearing_request_deadline,
    informant_notice_deadline,
    late_payment_surcharge,
    limitation_ends_on,
    limitation_expired,
    limitation_years,
    payment_deadline,
    service_deadline,
    statement_deadline,
)
from shared.calendar import HOLIDAY_TABLE_ENV, WorkingDayCalendar

D = date.fromisoformat


@pytest.fixture
def cal(monkeypatch: pytest.MonkeyPatch) -> WorkingDayCalendar:
    monkeypatch.delenv(HOLIDAY_TABLE_ENV, raising=False)
    return WorkingDayCalendar()


def test_calendar_facts_used_below(cal: WorkingDayCalendar) -> None:
    """C-WD: the 2026 facts the hand computations in this file rely on."""
    off = ["2026-02-16", "2026-02-23", "2026-04-06", "2026-05-01", "2026-05-05", "2026-06-19",
           "2026-09-25", "2026-10-01", "2026-10-07", "2026-03-14", "2026-05-31"]
    worked = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert not any(cal.is_working_day(D(d)) for d in off)
    assert all(cal.is_working_day(D(d)) for d in worked)


# --------------------------------------------------------------------------- Deadline


def test_deadline_as_dict_and_frozen() -> None:
    d = Deadline("D-CLUE", D("2026-10-21"), "15 working days after ...")
    assert d.as_dict() == {"kind": "D-CLUE", "due": "2026-10-21", "basis": "15 working days after ..."}
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.due = D("2026-10-22")  # type: ignore[misc]


def test_rule_constants_match_domain_table() -> None:
    """Periods of D-CLUE, D-INFORMANT, D-LIMIT, D-DECIDE, D-STATEMENT, D-HEARING, D-SERVE, D-PAY, D-CLOSE."""
    assert (dl.CLUE_FILING_WORKING_DAYS, dl.CLUE_EXTENSION_WORKING_DAYS) == (15, 15)
    assert dl.INFORMANT_NOTICE_WORKING_DAYS == 5
    assert (dl.LIMITATION_YEARS, dl.LIMITATION_YEARS_SERIOUS) == (2, 5)
    assert (dl.DECISION_CALENDAR_DAYS, dl.DECISION_HEAD_EXTENSION_MAX_DAYS) == (90, 30)
    assert dl.STATEMENT_WORKING_DAYS == 5
    assert (dl.HEARING_REQUEST_WORKING_DAYS, dl.HEARING_NOTICE_WORKING_DAYS) == (5, 7)
    assert dl.SERVICE_ABSENT_WORKING_DAYS == 7
    assert dl.PAYMENT_CALENDAR_DAYS == 15
    assert dl.LATE_PAYMENT_DAILY_RATE == Decimal("0.03")
    assert dl.CLOSURE_WORKING_DAYS == 15


# --------------------------------------------------------------------------- D-CLUE


def test_d_clue_crosses_weekends(cal: WorkingDayCalendar) -> None:
    """D-CLUE: 15 WD from Mon 2026-03-02, plain March weeks."""
    # WD 1-4 = Mar 3-6, (7-8 weekend), WD 5-9 = Mar 9-13, WD 10-14 = Mar 16-20, WD 15 = Mon Mar 23.
    d = clue_filing_deadline(D("2026-03-02"), cal)
    assert d.kind == "D-CLUE"
    assert d.due == D("2026-03-23")
    assert d.basis == "15 working days after the clue was received on 2026-03-02 (D-CLUE)"
    # Just over: received one day later (Tue), due one working day later (Tue Mar 24).
    assert clue_filing_deadline(D("2026-03-03"), cal).due == D("2026-03-24")
    # Received on Fri Mar 6: WD 1 = Mon Mar 9 ... WD 15 = Fri Mar 27.
    assert clue_filing_deadline(D("2026-03-06"), cal).due == D("2026-03-27")


def test_d_clue_crosses_national_day_holiday(cal: WorkingDayCalendar) -> None:
    """D-CLUE across Mid-Autumn (09-25) and National Day (10-01..07), with 10-10 worked."""
    # Received Wed 09-23: WD1 Thu 09-24, (Fri 09-25 holiday, weekend), WD2-4 Sep 28-30,
    # (Oct 1-7 off), WD5 Thu 10-08, WD6 Fri 10-09, WD7 Sat 10-10 (调休), (Sun 10-11),
    # WD8-12 Oct 12-16, WD13-15 Oct 19-21.
    assert clue_filing_deadline(D("2026-09-23"), cal).due == D("2026-10-21")


def test_d_clue_touches_spring_festival_adjusted_days(cal: WorkingDayCalendar) -> None:
    """D-CLUE: Sat 02-14 and Sat 02-28 are working days (调休上班日) and count."""
    # Received Mon 02-09: WD1-4 Feb 10-13, WD5 Sat 02-14, (Feb 15-23 off), WD6-9 Feb 24-27,
    # WD10 Sat 02-28, (Sun 03-01), WD11-15 Mar 2-6.
    assert clue_filing_deadline(D("2026-02-09"), cal).due == D("2026-03-06")


def test_d_clue_extended_is_30_wd_from_receipt(cal: WorkingDayCalendar) -> None:
    """D-CLUE: the head's extension adds 15 WD: 30 WD counted from receipt, across Qingming."""
    # From Mon 03-02: WD15 = Mon 03-23 (above); WD16-19 Mar 24-27, WD20-24 Mar 30-Apr 3,
    # (Apr 4-6 Qingming off), WD25-28 Apr 7-10, WD29 Mon 04-13, WD30 Tue 04-14.
    d = clue_filing_deadline(D("2026-03-02"), cal, extended=True)
    assert d.due == D("2026-04-14")
    assert "30 working days" in d.basis and "head" in d.basis and "D-CLUE" in d.basis


# --------------------------------------------------------------------------- D-INFORMANT


def test_d_informant_crosses_weekend(cal: WorkingDayCalendar) -> None:
    """D-INFORMANT: 5 WD from Thu 2026-03-05."""
    # WD1 Fri 03-06, (weekend), WD2-5 Mar 9-12.
    d = informant_notice_deadline(D("2026-03-05"), cal)
    assert (d.kind, d.due) == ("D-INFORMANT", D("2026-03-12"))
    assert "2026-03-05" in d.basis and "D-INFORMANT" in d.basis


def test_d_informant_crosses_dragon_boat_holiday(cal: WorkingDayCalendar) -> None:
    """D-INFORMANT across the Dragon Boat festival (06-19..21)."""
    # Decided Wed 06-17: WD1 Thu 06-18, (Fri 06-19 .. Sun 06-21 off), WD2-5 Jun 22-25.
    assert informant_notice_deadline(D("2026-06-17"), cal).due == D("2026-06-25")


def test_d_informant_ends_on_adjusted_saturday(cal: WorkingDayCalendar) -> None:
    """D-INFORMANT: due on Sat 05-09, an adjusted working day after Labour Day."""
    # Decided Wed 04-29: WD1 Thu 04-30, (May 1-5 off), WD2-4 May 6-8, WD5 Sat 05-09 (调休).
    assert informant_notice_deadline(D("2026-04-29"), cal).due == D("2026-05-09")


# --------------------------------------------------------------------------- D-LIMIT


def test_d_limit_years() -> None:
    """D-LIMIT: 2 years, 5 with life/health/financial safety and harmful consequences."""
    assert limitation_years(False) == 2
    assert limitation_years(True) == 5


@pytest.mark.parametrize(
    ("discovered", "expired"),
    [("2026-03-09", False), ("2026-03-10", False), ("2026-03-11", True)],
)
def test_d_limit_boundary_at_anniversary(discovered: str, expired: bool) -> None:
    """D-LIMIT: ended 2024-03-10 -> last day 2026-03-10; the day before and the anniversary are in time."""
    assert limitation_ends_on(D("2024-03-10"), False) == D("2026-03-10")
    assert limitation_expired(D("2024-03-10"), D(discovered), serious=False) is expired


def test_d_limit_29_february() -> None:
    """D-LIMIT: ended 2024-02-29 -> no 2026-02-29, so the period ends on 2026-02-28 (民法典 art. 202)."""
    assert limitation_ends_on(D("2024-02-29"), False) == D("2026-02-28")
    assert limitation_expired(D("2024-02-29"), D("2026-02-27"), serious=False) is False
    assert limitation_expired(D("2024-02-29"), D("2026-02-28"), serious=False) is False
    assert limitation_expired(D("2024-02-29"), D("2026-03-01"), serious=False) is True
    # 5 years: 2029 is not a leap year either -> 2029-02-28.
    assert limitation_ends_on(D("2024-02-29"), True) == D("2029-02-28")
    # 28 February stays 28 February, even into a leap year (the corresponding date exists).
    assert limitation_ends_on(D("2022-02-28"), False) == D("2024-02-28")


@pytest.mark.parametrize(
    ("discovered", "expired"),
    [("2026-06-14", False), ("2026-06-15", False), ("2026-06-16", True)],
)
def test_d_limit_five_year_variant(discovered: str, expired: bool) -> None:
    """D-LIMIT serious: ended 2021-06-15 -> last day 2026-06-15 (the 2-year period ended 2023-06-15)."""
    assert limitation_ends_on(D("2021-06-15"), True) == D("2026-06-15")
    assert limitation_expired(D("2021-06-15"), D(discovered), serious=True) is expired
    assert limitation_expired(D("2021-06-15"), D(discovered), serious=False) is True


def test_d_limit_anniversary_on_weekend_does_not_roll() -> None:
    """D-LIMIT [U]: a year period ending on a weekend (Sat 2026-03-14) is not extended."""
    # Ended 2024-03-14 -> last day Sat 2026-03-14; discovery on Sun 03-15 is too late.
    assert limitation_expired(D("2024-03-14"), D("2026-03-14"), serious=False) is False
    assert limitation_expired(D("2024-03-14"), D("2026-03-15"), serious=False) is True


def test_d_limit_anniversary_on_holiday_does_not_roll() -> None:
    """D-LIMIT [U]: a period ending on National Day (2026-10-01) is not extended past the holiday."""
    assert limitation_ends_on(D("2024-10-01"), False) == D("2026-10-01")
    assert limitation_expired(D("2024-10-01"), D("2026-10-01"), serious=False) is False
    assert limitation_expired(D("2024-10-01"), D("2026-10-02"), serious=False) is True
    assert limitation_expired(D("2024-10-01"), D("2026-10-08"), serious=False) is True


def test_d_limit_anniversary_on_adjusted_working_day() -> None:
    """D-LIMIT: ending on Sun 2026-09-20 (调休上班日) changes nothing: the calendar date counts."""
    assert limitation_ends_on(D("2024-09-20"), False) == D("2026-09-20")
    assert limitation_expired(D("2024-09-20"), D("2026-09-20"), serious=False) is False
    assert limitation_expired(D("2024-09-20"), D("2026-09-21"), serious=False) is True


def test_d_limit_discovered_while_continuing_is_not_expired() -> None:
    """D-LIMIT: discovery before the (continuing) violation ended is never expired."""
    assert limitation_expired(D("2026-05-01"), D("2026-04-01"), serious=False) is False


# --------------------------------------------------------------------------- D-DECIDE


def test_d_decide_90_days_landing_on_sunday_rolls_to_monday(cal: WorkingDayCalendar) -> None:
    """D-DECIDE: filed Mon 03-02; +90 D = Sun 05-31 (29 days left in March + 30 + 31) -> Mon 06-01."""
    d = decision_deadline(D("2026-03-02"), cal, today=D("2026-03-02"))
    assert (d.kind, d.due) == ("D-DECIDE", D("2026-06-01"))
    assert "90 calendar days" in d.basis and "2026-03-02" in d.basis
    assert "2026-05-31" in d.basis  # the officer sees why it moved
    # Just under: filed Sun 03-01 -> Sat 05-30 -> Mon 06-01 too; just over: filed 03-03 -> Mon 06-01 itself.
    assert decision_deadline(D("2026-03-01"), cal, today=D("2026-03-01")).due == D("2026-06-01")
    on_time = decision_deadline(D("2026-03-03"), cal, today=D("2026-03-03"))
    assert on_time.due == D("2026-06-01")
    assert "rest day" not in on_time.basis
    # Filed 02-27: 90 D = Thu 05-28 (1 day in Feb + 31 + 30 + 28), working day.
    assert decision_deadline(D("2026-02-27"), cal, today=D("2026-02-27")).due == D("2026-05-28")


@pytest.mark.parametrize(
    ("filed", "due"),
    [
        # 07-02 + 90 = 09-30 (Jul 2 -> Aug 2 = 31, -> Sep 2 = 62, -> Sep 30 = 90), a Wednesday: no roll.
        ("2026-07-02", "2026-09-30"),
        # 07-03 + 90 = 10-01 (National Day) -> rolls past 10-01..10-07 to Thu 10-08.
        ("2026-07-03", "2026-10-08"),
        # 07-09 + 90 = 10-07, last holiday day -> 10-08.
        ("2026-07-09", "2026-10-08"),
        # 07-10 + 90 = 10-08, a working day.
        ("2026-07-10", "2026-10-08"),
    ],
)
def test_d_decide_landing_on_national_day_rolls_forward(cal: WorkingDayCalendar, filed: str, due: str) -> None:
    """D-DECIDE: a 90-D deadline on a statutory holiday moves to the next working day (民法典 art. 203)."""
    assert decision_deadline(D(filed), cal, today=D(filed)).due == D(due)


def test_d_decide_landing_on_adjusted_saturday_does_not_roll(cal: WorkingDayCalendar) -> None:
    """D-DECIDE: 07-12 + 90 = Sat 10-10 (Jul 12 -> Oct 12 = 92 days, minus 2), a 调休 working day: stays."""
    assert decision_deadline(D("2026-07-12"), cal, today=D("2026-07-12")).due == D("2026-10-10")
    # 07-13 + 90 = Sun 10-11 -> Mon 10-12.
    assert decision_deadline(D("2026-07-13"), cal, today=D("2026-07-13")).due == D("2026-10-12")


def test_d_decide_head_extension_boundary(cal: WorkingDayCalendar) -> None:
    """D-DECIDE: the head may add up to 30 D; 31 needs collective discussion."""
    # Filed 03-02: raw 90 D = 05-31; +29 = Mon 06-29; +30 = Tue 06-30.
    assert decision_deadline(D("2026-03-02"), cal, head_extension_days=29, today=D("2026-03-02")).due == D(
        "2026-06-29"
    )
    d30 = decision_deadline(D("2026-03-02"), cal, head_extension_days=30, today=D("2026-03-02"))
    assert d30.due == D("2026-06-30")
    assert "30 days extended by the head" in d30.basis
    with pytest.raises(ValueError, match="D-DECIDE.*collective discussion"):
        decision_deadline(D("2026-03-02"), cal, head_extension_days=31, today=D("2026-03-02"))


def test_d_decide_collective_extension(cal: WorkingDayCalendar) -> None:
    """D-DECIDE: beyond 90 + 30, collective discussion adds any number of days."""
    # 06-30 (90 + 30, above) + 30 = Thu 07-30.
    d = decision_deadline(
        D("2026-03-02"), cal, head_extension_days=30, collective_extension_days=30, today=D("2026-03-02")
    )
    assert d.due == D("2026-07-30")
    assert "collective discussion" in d.basis


@pytest.mark.parametrize("kwargs", [{"head_extension_days": -1}, {"collective_extension_days": -1}])
def test_d_decide_negative_extension_raises(cal: WorkingDayCalendar, kwargs: dict) -> None:
    """D-DECIDE: negative extensions are rejected."""
    with pytest.raises(ValueError, match="D-DECIDE"):
        decision_deadline(D("2026-03-02"), cal, today=D("2026-03-02"), **kwargs)


def test_d_decide_closed_pause_adds_exactly_its_days(cal: WorkingDayCalendar) -> None:
    """D-DECIDE: a closed pause [04-01, 04-11) adds exactly 10 days."""
    # Filed Tue 03-03: 90 D = Mon 06-01 (working, no roll). Paused Apr 1..10 (resumes 04-11) = 10 days
    # -> 06-11 (Thu).
    base = decision_deadline(D("2026-03-03"), cal, today=D("2026-05-01"))
    paused = decision_deadline(
        D("2026-03-03"), cal, paused=[(D("2026-04-01"), D("2026-04-11"))], today=D("2026-05-01")
    )
    assert base.due == D("2026-06-01")
    assert paused.due == D("2026-06-11")
    assert "10 paused days" in paused.basis
    # Just under / over: 9 and 11 paused days.
    assert decision_deadline(
        D("2026-03-03"), cal, paused=[(D("2026-04-01"), D("2026-04-10"))], today=D("2026-05-01")
    ).due == D("2026-06-10")
    assert decision_deadline(
        D("2026-03-03"), cal, paused=[(D("2026-04-01"), D("2026-04-12"))], today=D("2026-05-01")
    ).due == D("2026-06-12")


def test_d_decide_overlapping_pauses_count_once(cal: WorkingDayCalendar) -> None:
    """D-DECIDE: overlapping paused periods are merged: [04-01, 04-11) + [04-06, 04-16) = 15 days."""
    # Filed 03-03: 06-01 + 15 = Tue 06-16.
    d = decision_deadline(
        D("2026-03-03"),
        cal,
        paused=[(D("2026-04-06"), D("2026-04-16")), (D("2026-04-01"), D("2026-04-11"))],
        today=D("2026-05-01"),
    )
    assert d.due == D("2026-06-16")
    assert "15 paused days" in d.basis
    # A period inside another adds nothing: [04-01, 04-11) + [04-03, 04-05) = 10 days -> 06-11.
    inner = decision_deadline(
        D("2026-03-03"),
        cal,
        paused=[(D("2026-04-01"), D("2026-04-11")), (D("2026-04-03"), D("2026-04-05"))],
        today=D("2026-05-01"),
    )
    assert inner.due == D("2026-06-11")
    # Touching periods [04-01, 04-11) + [04-11, 04-13) = 12 days, no double count -> Sat 06-13 -> Mon 06-15.
    touching = decision_deadline(
        D("2026-03-03"),
        cal,
        paused=[(D("2026-04-01"), D("2026-04-11")), (D("2026-04-11"), D("2026-04-13"))],
        today=D("2026-05-01"),
    )
    assert touching.due == D("2026-06-15")


def test_d_decide_open_pause_counts_through_today(cal: WorkingDayCalendar) -> None:
    """D-DECIDE: an open pause started 04-01 counts (today - start) + 1 days, moving daily."""
    filed = D("2026-03-03")  # 90 D -> 06-01
    open_pause = [(D("2026-04-01"), None)]
    # today = 04-01: 1 day -> 06-02 (Tue).
    assert decision_deadline(filed, cal, paused=open_pause, today=D("2026-04-01")).due == D("2026-06-02")
    # today = 04-10: 10 days -> 06-11 (Thu); today = 04-11: 11 days -> 06-12 (Fri).
    assert decision_deadline(filed, cal, paused=open_pause, today=D("2026-04-10")).due == D("2026-06-11")
    assert decision_deadline(filed, cal, paused=open_pause, today=D("2026-04-11")).due == D("2026-06-12")
    # Open pause overlapping a closed one [03-25, 04-05): merged [03-25, 04-11) = 17 days -> 06-18.
    both = [(D("2026-03-25"), D("2026-04-05")), (D("2026-04-01"), None)]
    assert decision_deadline(filed, cal, paused=both, today=D("2026-04-10")).due == D("2026-06-18")


def test_d_decide_pause_moves_deadline_onto_and_past_holiday(cal: WorkingDayCalendar) -> None:
    """D-DECIDE: filed 07-02 (90 D = Wed 09-30); a 1-day pause lands on 10-01 -> rolls to 10-08."""
    d = decision_deadline(D("2026-07-02"), cal, paused=[(D("2026-08-03"), D("2026-08-04"))], today=D("2026-09-01"))
    assert d.due == D("2026-10-08")
    assert "1 paused days" in d.basis and "2026-10-01" in d.basis


@pytest.mark.parametrize(
    "paused",
    [
        [(D("2026-05-02"), None)],  # open pause starting after today
        [(D("2026-04-10"), D("2026-04-01"))],  # ends before it starts
        [(D("2026-03-01"), D("2026-03-10"))],  # starts before filing
    ],
)
def test_d_decide_invalid_pause_raises(cal: WorkingDayCalendar, paused: list) -> None:
    """D-DECIDE: malformed paused periods are rejected."""
    with pytest.raises(ValueError, match="D-DECIDE"):
        decision_deadline(D("2026-03-03"), cal, paused=paused, today=D("2026-05-01"))


def test_d_decide_pause_starting_on_filing_day_does_not_count_filing_day(cal: WorkingDayCalendar) -> None:
    """D-DECIDE [U]: the filing day is not counted, so a pause from it adds only the later days."""
    # Filed 03-03, paused [03-03, 03-13): 10 days minus the filing day = 9 -> 06-10.
    d = decision_deadline(D("2026-03-03"), cal, paused=[(D("2026-03-03"), D("2026-03-13"))], today=D("2026-05-01"))
    assert d.due == D("2026-06-10")


# --------------------------------------------------------------------------- D-STATEMENT


def test_d_statement_crosses_weekend(cal: WorkingDayCalendar) -> None:
    """D-STATEMENT: 5 WD from Fri 03-13 -> WD1-5 = Mar 16-20."""
    d = statement_deadline(D("2026-03-13"), cal)
    assert (d.kind, d.due) == ("D-STATEMENT", D("2026-03-20"))
    assert d.basis == "5 working days after the pre-notice was served on 2026-03-13 (D-STATEMENT)"


def test_d_statement_crosses_qingming(cal: WorkingDayCalendar) -> None:
    """D-STATEMENT across Qingming (04-04..06)."""
    # Served Thu 04-02: WD1 Fri 04-03, (Apr 4-6 off), WD2-5 Apr 7-10.
    assert statement_deadline(D("2026-04-02"), cal).due == D("2026-04-10")


def test_d_statement_touches_adjusted_sunday(cal: WorkingDayCalendar) -> None:
    """D-STATEMENT: Sun 09-20 is a working day (调休)."""
    # Served Thu 09-17: WD1 Fri 09-18, (Sat 09-19), WD2 Sun 09-20, WD3-5 Sep 21-23.
    assert statement_deadline(D("2026-09-17"), cal).due == D("2026-09-23")
    # Across National Day and Sat 10-10: served Tue 09-29: WD1 Wed 09-30, (Oct 1-7), WD2 Thu 10-08,
    # WD3 Fri 10-09, WD4 Sat 10-10, WD5 Mon 10-12.
    assert statement_deadline(D("2026-09-29"), cal).due == D("2026-10-12")


# --------------------------------------------------------------------------- D-HEARING


def test_d_hearing_request_crosses_weekend(cal: WorkingDayCalendar) -> None:
    """D-HEARING: request within 5 WD from Wed 11-04: WD1-2 Nov 5-6, WD3-5 Nov 9-11."""
    d = hearing_request_deadline(D("2026-11-04"), cal)
    assert (d.kind, d.due) == ("D-HEARING", D("2026-11-11"))


def test_d_hearing_request_crosses_mid_autumn(cal: WorkingDayCalendar) -> None:
    """D-HEARING: served Tue 09-22: WD1-2 Sep 23-24, (Fri 09-25 holiday, weekend), WD3-5 Sep 28-30."""
    assert hearing_request_deadline(D("2026-09-22"), cal).due == D("2026-09-30")


def test_d_hearing_request_touches_adjusted_saturday(cal: WorkingDayCalendar) -> None:
    """D-HEARING: Sat 02-28 is a working day (调休)."""
    # Served Thu 02-26: WD1 Fri 02-27, WD2 Sat 02-28, (Sun 03-01), WD3-5 Mar 2-4.
    assert hearing_request_deadline(D("2026-02-26"), cal).due == D("2026-03-04")


@pytest.mark.parametrize(
    ("hearing", "allowed"),
    [("2026-03-11", False), ("2026-03-12", True), ("2026-03-13", True), ("2026-03-02", False)],
)
def test_d_hearing_notice_seven_full_working_days(cal: WorkingDayCalendar, hearing: str, allowed: bool) -> None:
    """D-HEARING [U]: 7 full WD between notice and hearing; notice Mon 03-02."""
    # WD1-4 Mar 3-6, (weekend), WD5-7 Mar 9-11 -> 7th WD = Wed 03-11; earliest hearing = Thu 03-12.
    assert earliest_hearing_date(D("2026-03-02"), cal) == D("2026-03-12")
    assert hearing_date_allowed(D("2026-03-02"), D(hearing), cal) is allowed


def test_d_hearing_notice_weekend_after_seventh_day_not_allowed(cal: WorkingDayCalendar) -> None:
    """D-HEARING [U]: 7th WD on a Friday -> earliest hearing is the next Monday, not the Saturday."""
    # Notice Wed 03-04: WD1-2 Mar 5-6, WD3-7 Mar 9-13 -> 7th WD Fri 03-13; earliest Mon 03-16.
    assert earliest_hearing_date(D("2026-03-04"), cal) == D("2026-03-16")
    assert hearing_date_allowed(D("2026-03-04"), D("2026-03-13"), cal) is False
    assert hearing_date_allowed(D("2026-03-04"), D("2026-03-14"), cal) is False
    assert hearing_date_allowed(D("2026-03-04"), D("2026-03-16"), cal) is True


def test_d_hearing_notice_crosses_dragon_boat(cal: WorkingDayCalendar) -> None:
    """D-HEARING: notice Mon 06-15: WD1-3 Jun 16-18, (06-19..21 off), WD4-7 Jun 22-25 -> earliest Fri 06-26."""
    assert earliest_hearing_date(D("2026-06-15"), cal) == D("2026-06-26")
    assert hearing_date_allowed(D("2026-06-15"), D("2026-06-25"), cal) is False
    assert hearing_date_allowed(D("2026-06-15"), D("2026-06-26"), cal) is True


def test_d_hearing_notice_earliest_is_adjusted_saturday(cal: WorkingDayCalendar) -> None:
    """D-HEARING: across National Day the earliest hearing day is Sat 10-10 (调休上班日)."""
    # Notice Tue 09-22: WD1-2 Sep 23-24, (09-25 off, weekend), WD3-5 Sep 28-30, (Oct 1-7 off),
    # WD6 Thu 10-08, WD7 Fri 10-09 -> earliest = next working day = Sat 10-10.
    assert earliest_hearing_date(D("2026-09-22"), cal) == D("2026-10-10")
    assert hearing_date_allowed(D("2026-09-22"), D("2026-10-09"), cal) is False
    assert hearing_date_allowed(D("2026-09-22"), D("2026-10-10"), cal) is True


def test_d_hearing_notice_counts_spring_festival_adjusted_day(cal: WorkingDayCalendar) -> None:
    """D-HEARING: Sat 02-14 counts as one of the 7 WD."""
    # Notice Mon 02-09: WD1-4 Feb 10-13, WD5 Sat 02-14, (Feb 15-23 off), WD6-7 Feb 24-25 -> earliest Thu 02-26.
    assert earliest_hearing_date(D("2026-02-09"), cal) == D("2026-02-26")


# --------------------------------------------------------------------------- D-SERVE


def test_d_serve_on_the_spot_when_present(cal: WorkingDayCalendar) -> None:
    """D-SERVE: party present -> due the decision day itself, even a Saturday."""
    d = service_deadline(D("2026-03-14"), cal, party_present=True)
    assert (d.kind, d.due) == ("D-SERVE", D("2026-03-14"))
    assert "on the spot" in d.basis


def test_d_serve_absent_crosses_weekend(cal: WorkingDayCalendar) -> None:
    """D-SERVE: absent party, 7 WD from Mon 03-09: WD1-4 Mar 10-13, WD5-7 Mar 16-18."""
    d = service_deadline(D("2026-03-09"), cal, party_present=False)
    assert d.due == D("2026-03-18")
    assert "7 working days" in d.basis and "absent" in d.basis


def test_d_serve_absent_crosses_dragon_boat(cal: WorkingDayCalendar) -> None:
    """D-SERVE: decided Thu 06-18: (06-19..21 off), WD1-5 Jun 22-26, WD6-7 Jun 29-30."""
    assert service_deadline(D("2026-06-18"), cal, party_present=False).due == D("2026-06-30")


def test_d_serve_absent_touches_adjusted_days(cal: WorkingDayCalendar) -> None:
    """D-SERVE: Sun 09-20 and Sat 05-09 (调休) count."""
    # Decided Fri 09-18: (Sat 09-19), WD1 Sun 09-20, WD2-5 Sep 21-24, (09-25 off, weekend), WD6-7 Sep 28-29.
    assert service_deadline(D("2026-09-18"), cal, party_present=False).due == D("2026-09-29")
    # Decided Thu 04-30: (May 1-5 off), WD1-3 May 6-8, WD4 Sat 05-09, WD5-7 May 11-13.
    assert service_deadline(D("2026-04-30"), cal, party_present=False).due == D("2026-05-13")


# --------------------------------------------------------------------------- D-PAY


def test_d_pay_weekend_roll_forward(cal: WorkingDayCalendar) -> None:
    """D-PAY: received Fri 03-06 + 15 D = Sat 03-21 -> Mon 03-23."""
    d = payment_deadline(D("2026-03-06"), cal)
    assert (d.kind, d.due) == ("D-PAY", D("2026-03-23"))
    assert "15 calendar days" in d.basis and "2026-03-21" in d.basis
    # Just under: received Thu 03-05 -> Fri 03-20, no roll.
    assert payment_deadline(D("2026-03-05"), cal).due == D("2026-03-20")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-09-15", "2026-09-30"),  # + 15 = Wed 09-30: working, no roll
        ("2026-09-16", "2026-10-08"),  # + 15 = 10-01 National Day -> Thu 10-08
        ("2026-09-22", "2026-10-08"),  # + 15 = 10-07, last holiday day -> 10-08
        ("2026-09-23", "2026-10-08"),  # + 15 = 10-08 itself
    ],
)
def test_d_pay_national_day_roll_forward(cal: WorkingDayCalendar, received: str, due: str) -> None:
    """D-PAY: 15 D ending on a statutory holiday moves to the first working day after it."""
    assert payment_deadline(D(received), cal).due == D(due)


def test_d_pay_ends_on_adjusted_saturday(cal: WorkingDayCalendar) -> None:
    """D-PAY: ending on a 调休 Saturday does not roll."""
    # Received 09-25 + 15 = Sat 10-10 (worked) -> 10-10; received 09-26 + 15 = Sun 10-11 -> Mon 10-12.
    assert payment_deadline(D("2026-09-25"), cal).due == D("2026-10-10")
    assert payment_deadline(D("2026-09-26"), cal).due == D("2026-10-12")
    # Spring Festival: received Fri 02-13 + 15 = Sat 02-28 (worked) -> 02-28.
    assert payment_deadline(D("2026-02-13"), cal).due == D("2026-02-28")


@pytest.mark.parametrize(
    ("paid_on", "surcharge"),
    [
        ("2026-10-07", "0.00"),  # paid early
        ("2026-10-08", "0.00"),  # paid on the due day
        ("2026-10-09", "30.00"),  # 1 day late = 3%
        ("2026-11-09", "960.00"),  # 32 days late = 96%
        ("2026-11-10", "990.00"),  # 33 days late = 99% (Oct 8 + 23 = Oct 31, + 10 = Nov 10)
        ("2026-11-11", "1000.00"),  # 34 days late = 102% -> capped at the fine
        ("2027-06-01", "1000.00"),  # far later: still capped
    ],
)
def test_d_pay_late_surcharge(paid_on: str, surcharge: str) -> None:
    """D-PAY (行政处罚法 art. 72): 3% of the fine per day late, capped at the fine."""
    assert late_payment_surcharge(Decimal("1000.00"), D("2026-10-08"), D(paid_on)) == Decimal(surcharge)


def test_d_pay_surcharge_rounding_half_up() -> None:
    """D-PAY: Decimal arithmetic quantized to 0.01 yuan ROUND_HALF_UP."""
    # 0.50 * 0.03 = 0.015 -> 0.02 (half up, not banker's 0.02/0.01).
    assert late_payment_surcharge(Decimal("0.50"), D("2026-10-08"), D("2026-10-09")) == Decimal("0.02")
    # 333.33 * 0.03 = 9.9999 -> 10.00.
    assert late_payment_surcharge(Decimal("333.33"), D("2026-10-08"), D("2026-10-09")) == Decimal("10.00")
    # 0.10 * 0.03 * 1 = 0.003 -> 0.00.
    assert late_payment_surcharge(Decimal("0.10"), D("2026-10-08"), D("2026-10-09")) == Decimal("0.00")
    result = late_payment_surcharge(Decimal("200"), D("2026-10-08"), D("2026-10-10"))
    assert result == Decimal("12.00") and str(result) == "12.00"
    assert late_payment_surcharge(0, D("2026-10-08"), D("2026-10-10")) == Decimal("0.00")


@pytest.mark.parametrize("fine", [Decimal("-0.01"), Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_d_pay_surcharge_rejects_negative_or_non_finite_fine(fine: Decimal) -> None:
    """D-PAY: a negative or non-finite fine is a ValueError."""
    with pytest.raises(ValueError, match="D-PAY"):
        late_payment_surcharge(fine, D("2026-10-08"), D("2026-10-09"))


@pytest.mark.parametrize("fine", [1000.0, True, "1000"])
def test_d_pay_surcharge_rejects_non_decimal_fine(fine: object) -> None:
    """D-PAY: floats (inexact) and other types are a TypeError."""
    with pytest.raises(TypeError, match="D-PAY"):
        late_payment_surcharge(fine, D("2026-10-08"), D("2026-10-09"))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- D-CLOSE


def test_d_close_crosses_weekends(cal: WorkingDayCalendar) -> None:
    """D-CLOSE: 15 WD from Mon 03-02 -> Mon 03-23 (WD1-4 Mar 3-6, 5-9 Mar 9-13, 10-14 Mar 16-20, 15 Mar 23)."""
    d = closure_deadline(D("2026-03-02"), cal)
    assert (d.kind, d.due) == ("D-CLOSE", D("2026-03-23"))
    assert d.basis == "15 working days after the closing ground arose on 2026-03-02 (D-CLOSE)"


def test_d_close_crosses_dragon_boat(cal: WorkingDayCalendar) -> None:
    """D-CLOSE: ground arose Fri 05-29: WD1-5 Jun 1-5, WD6-10 Jun 8-12, WD11-14 Jun 15-18,
    (06-19..21 off), WD15 Mon 06-22."""
    assert closure_deadline(D("2026-05-29"), cal).due == D("2026-06-22")


def test_d_close_touches_adjusted_days(cal: WorkingDayCalendar) -> None:
    """D-CLOSE: Sat 02-14 and Sat 02-28 (调休) count; same count as D-CLUE from Mon 02-09 -> 03-06."""
    # WD1-4 Feb 10-13, WD5 Sat 02-14, (Feb 15-23 off), WD6-9 Feb 24-27, WD10 Sat 02-28, WD11-15 Mar 2-6.
    assert closure_deadline(D("2026-02-09"), cal).due == D("2026-03-06")


# --------------------------------------------------------------------------- types


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c, t: clue_filing_deadline(t, c), id="D-CLUE"),
        pytest.param(lambda c, t: informant_notice_deadline(t, c), id="D-INFORMANT"),
        pytest.param(lambda c, t: limitation_ends_on(t, False), id="D-LIMIT-ends"),
        pytest.param(lambda c, t: limitation_expired(D("2026-01-05"), t, serious=False), id="D-LIMIT-expired"),
        pytest.param(lambda c, t: decision_deadline(t, c, today=D("2026-03-03")), id="D-DECIDE-filed"),
        pytest.param(lambda c, t: decision_deadline(D("2026-03-03"), c, today=t), id="D-DECIDE-today"),
        pytest.param(
            lambda c, t: decision_deadline(D("2026-03-03"), c, paused=[(t, None)], today=D("2026-04-03")),
            id="D-DECIDE-paused",
        ),
        pytest.param(lambda c, t: statement_deadline(t, c), id="D-STATEMENT"),
        pytest.param(lambda c, t: hearing_request_deadline(t, c), id="D-HEARING-request"),
        pytest.param(lambda c, t: earliest_hearing_date(t, c), id="D-HEARING-earliest"),
        pytest.param(lambda c, t: hearing_date_allowed(D("2026-03-02"), t, c), id="D-HEARING-allowed"),
        pytest.param(lambda c, t: service_deadline(t, c, party_present=True), id="D-SERVE-present"),
        pytest.param(lambda c, t: service_deadline(t, c, party_present=False), id="D-SERVE-absent"),
        pytest.param(lambda c, t: payment_deadline(t, c), id="D-PAY"),
        pytest.param(lambda c, t: late_payment_surcharge(Decimal("10"), t, D("2026-04-01")), id="D-PAY-due"),
        pytest.param(lambda c, t: late_payment_surcharge(Decimal("10"), D("2026-04-01"), t), id="D-PAY-paid"),
        pytest.param(lambda c, t: closure_deadline(t, c), id="D-CLOSE"),
    ],
)
def test_datetime_where_date_expected_raises_type_error(cal: WorkingDayCalendar, call) -> None:
    """C-WD: an instant is never silently taken for a Shanghai calendar date."""
    with pytest.raises(TypeError):
        call(cal, datetime(2026, 3, 3, 9, 0))


def test_module_is_pure() -> None:
    """The domain module imports no nameko, SQLAlchemy or AMQP library."""
    source = open(dl.__file__, encoding="utf-8").read()
    for name in ("nameko", "sqlalchemy", "kombu", "amqp", "pika"):
        assert f"import {name}" not in source and f"from {name}" not in source
