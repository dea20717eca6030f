"""Tests for rule C-WD: working-day arithmetic on China's official holiday schedule.

Expected 2026 dates were read from chinesecalendar 1.11.0 (State Council 2026 notice):
Spring Festival 2026-02-15..02-23 off, 2026-02-14 (Sat) and 2026-02-28 (Sat) worked;
Mid-autumn 2026-09-25 off; National Day 2026-10-01..10-07 off, 2026-09-20 (Sun) and
2026-10-10 (Sat) worked.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import chinese_calendar
import pytest

from shared.calendar import (
    DEFAULT_TABLE_PATH,
    HOLIDAY_TABLE_ENV,
    WorkingDayCalendar,
    load_holiday_table,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
D = date.fromisoformat


@pytest.fixture
def cal(monkeypatch: pytest.MonkeyPatch) -> WorkingDayCalendar:
    monkeypatch.delenv(HOLIDAY_TABLE_ENV, raising=False)
    return WorkingDayCalendar()


def write_table(path: Path, years: dict, version: str = "test") -> Path:
    path.write_text(json.dumps({"version": version, "years": years}), encoding="utf-8")
    return path


@pytest.fixture
def operator_table_2027(tmp_path: Path) -> Path:
    # Made up: Wednesday 2027-03-10 off, Saturday 2027-03-13 worked.
    return write_table(
        tmp_path / "holidays.json",
        {"2027": {"holidays": ["2027-03-10"], "workdays": ["2027-03-13"]}},
        version="2027-operator",
    )


# -- shipped table ------------------------------------------------------------


def test_c_wd_shipped_table_is_2026_official_without_2027() -> None:
    """C-WD: the shipped table carries the official 2026 schedule and no 2027 guess."""
    table = load_holiday_table(DEFAULT_TABLE_PATH)
    assert table.version == "2026-official"
    assert table.covers(2026)
    assert not table.covers(2027)


def test_c_wd_shipped_table_agrees_with_chinesecalendar_for_every_day_of_2026(
    cal: WorkingDayCalendar,
) -> None:
    """C-WD: table and package agree on all 365 days of 2026."""
    day = D("2026-01-01")
    while day.year == 2026:
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


# -- 2026 National Day / Spring Festival -----------------------------------------


@pytest.mark.parametrize("day", [D("2026-10-01") + timedelta(days=i) for i in range(7)] + [D("2026-09-25")])
def test_c_wd_2026_national_day_and_mid_autumn_are_holidays(cal: WorkingDayCalendar, day: date) -> None:
    """C-WD: 2026-10-01..07 (National Day) and 2026-09-25 (Mid-autumn) are not working days."""
    assert not cal.is_working_day(day)


@pytest.mark.parametrize("day", ["2026-09-20", "2026-10-10"])
def test_c_wd_2026_national_day_adjusted_weekend_workdays(cal: WorkingDayCalendar, day: str) -> None:
    """C-WD: the 调休 weekend days around National Day 2026 are working days."""
    assert D(day).weekday() >= 5
    assert cal.is_working_day(D(day))


def test_c_wd_add_working_days_crosses_2026_national_day(cal: WorkingDayCalendar) -> None:
    """C-WD: a WD period starting 2026-09-30 skips 10-01..07 and counts Saturday 10-10."""
    start = D("2026-09-30")
    assert cal.add_working_days(start, 1) == D("2026-10-08")
    assert cal.add_working_days(start, 2) == D("2026-10-09")
    assert cal.add_working_days(start, 3) == D("2026-10-10")  # adjusted Saturday
    assert cal.add_working_days(start, 4) == D("2026-10-12")
    # Starting the week before: Sun 09-20 is worked, Fri 09-25 is off.
    assert cal.add_working_days(D("2026-09-19"), 1) == D("2026-09-20")
    assert cal.add_working_days(D("2026-09-24"), 1) == D("2026-09-28")


@pytest.mark.parametrize("day", [D("2026-02-15") + timedelta(days=i) for i in range(9)])
def test_c_wd_2026_spring_festival_is_holiday(cal: WorkingDayCalendar, day: date) -> None:
    """C-WD: 2026-02-15..23 (Spring Festival) are not working days."""
    assert not cal.is_working_day(day)


@pytest.mark.parametrize("day", ["2026-02-14", "2026-02-28"])
def test_c_wd_2026_spring_festival_adjusted_saturdays(cal: WorkingDayCalendar, day: str) -> None:
    """C-WD: Saturdays 2026-02-14 and 2026-02-28 are 调休 working days."""
    assert D(day).weekday() == 5
    assert cal.is_working_day(D(day))


def test_c_wd_add_working_days_crosses_2026_spring_festival(cal: WorkingDayCalendar) -> None:
    """C-WD: a WD period starting Friday 2026-02-13 counts Sat 02-14, then skips to 02-24."""
    start = D("2026-02-13")
    assert cal.add_working_days(start, 1) == D("2026-02-14")
    assert cal.add_working_days(start, 2) == D("2026-02-24")
    assert cal.add_working_days(start, 6) == D("2026-02-28")  # adjusted Saturday
    assert cal.add_working_days(start, 7) == D("2026-03-02")


def test_c_wd_ordinary_weekend_is_skipped(cal: WorkingDayCalendar) -> None:
    """C-WD: an ordinary weekend (2026-03-07/08) is not counted."""
    assert not cal.is_working_day(D("2026-03-07"))
    assert not cal.is_working_day(D("2026-03-08"))
    assert cal.add_working_days(D("2026-03-06"), 1) == D("2026-03-09")
    assert cal.add_working_days(D("2026-03-05"), 5) == D("2026-03-12")
    assert cal.working_days_between(D("2026-03-05"), D("2026-03-12")) == 5


# -- basic conventions ----------------------------------------------------------


def test_c_wd_add_zero_working_days_returns_start(cal: WorkingDayCalendar) -> None:
    """C-WD: n == 0 returns the start day, even on a holiday."""
    assert cal.add_working_days(D("2026-10-03"), 0) == D("2026-10-03")
    assert cal.add_working_days(D("2026-03-04"), 0) == D("2026-03-04")


def test_c_wd_negative_periods_rejected(cal: WorkingDayCalendar) -> None:
    """C-WD: negative period lengths are programming errors."""
    with pytest.raises(ValueError):
        cal.add_working_days(D("2026-03-04"), -1)
    with pytest.raises(ValueError):
        cal.calendar_deadline(D("2026-03-04"), -1)


def test_c_wd_datetime_is_not_accepted_as_date(cal: WorkingDayCalendar) -> None:
    """C-WD: instants must go through to_shanghai_date, not be used as dates."""
    with pytest.raises(TypeError):
        cal.is_working_day(datetime(2026, 3, 4, tzinfo=timezone.utc))  # type: ignore[arg-type]


def test_c_wd_working_days_between_consistent_with_add_working_days(cal: WorkingDayCalendar) -> None:
    """C-WD: working_days_between(s, add_working_days(s, n)) == n over every start in 2026."""
    start = D("2026-01-01")
    while start.year == 2026:
        for n in (0, 1, 2, 5, 10, 15):
            end = cal.add_working_days(start, n)
            assert cal.working_days_between(start, end) == n, (start, n)
            assert cal.working_days_between(end, start) == -n
            if n:
                assert cal.is_working_day(end)
                # No earlier day reaches n working days.
                assert cal.working_days_between(start, end - timedelta(days=1)) == n - 1
        start += timedelta(days=1)


def test_c_wd_add_calendar_days(cal: WorkingDayCalendar) -> None:
    """C-WD: D periods are plain calendar days (no holiday adjustment)."""
    assert cal.add_calendar_days(D("2026-09-30"), 1) == D("2026-10-01")
    assert cal.add_calendar_days(D("2026-12-25"), 15) == D("2027-01-09")


def test_c_wd_calendar_deadline_rolls_forward_from_holiday(cal: WorkingDayCalendar) -> None:
    """C-WD: a D period ending on a holiday ends on the first working day after it."""
    # 2026-09-23 + 8 days = 2026-10-01 (National Day) -> 2026-10-08.
    assert cal.calendar_deadline(D("2026-09-23"), 8) == D("2026-10-08")
    # Ends on an ordinary Sunday -> Monday.
    assert cal.calendar_deadline(D("2026-02-27"), 2) == D("2026-03-02")
    # Ends on an adjusted working Saturday -> not moved.
    assert cal.calendar_deadline(D("2026-10-01"), 9) == D("2026-10-10")
    # Ends on a working day -> not moved.
    assert cal.calendar_deadline(D("2026-03-02"), 2) == D("2026-03-04")


# -- 2027: no official data --------------------------------------------------------


def test_c_wd_2027_falls_back_to_weekends_only_warns_and_reports_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """C-WD: a year without data uses weekends-only, warns once, calls on_fallback once, never raises."""
    monkeypatch.delenv(HOLIDAY_TABLE_ENV, raising=False)
    calls: list[int] = []
    cal = WorkingDayCalendar(on_fallback=calls.append)
    assert not cal.has_data(2027)
    assert cal.has_data(2026)

    with caplog.at_level(logging.WARNING, logger="shared.calendar"):
        assert cal.is_working_day(D("2027-01-01"))  # Friday; weekends-only
        assert not cal.is_working_day(D("2027-01-02"))  # Saturday
        assert cal.add_working_days(D("2027-01-01"), 1) == D("2027-01-04")
        assert cal.add_working_days(D("2027-01-01"), 260) == D("2027-12-31")
        assert cal.working_days_between(D("2027-01-01"), D("2027-12-31")) == 260
        assert cal.calendar_deadline(D("2027-01-01"), 1) == D("2027-01-04")
        # Crossing from covered 2026 into uncovered 2027.
        assert cal.add_working_days(D("2026-12-31"), 1) == D("2027-01-01")

    assert calls == [2027]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "2027" in r.getMessage()]
    assert len(warnings) == 1


def test_c_wd_fallback_is_reported_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    """C-WD: each uncovered year is reported on its own."""
    monkeypatch.delenv(HOLIDAY_TABLE_ENV, raising=False)
    calls: list[int] = []
    cal = WorkingDayCalendar(on_fallback=calls.append)
    cal.add_working_days(D("2027-12-01"), 40)
    cal.is_working_day(D("2027-06-01"))
    assert calls == [2027, 2028]


def test_c_wd_failing_fallback_hook_does_not_break_arithmetic(monkeypatch: pytest.MonkeyPatch) -> None:
    """C-WD: never crash, even if the metric hook raises."""
    monkeypatch.delenv(HOLIDAY_TABLE_ENV, raising=False)

    def broken(year: int) -> None:
        raise RuntimeError("metrics down")

    cal = WorkingDayCalendar(on_fallback=broken)
    assert cal.add_working_days(D("2027-01-01"), 1) == D("2027-01-04")


# -- operator table ---------------------------------------------------------------


def test_c_wd_operator_table_fills_2027(operator_table_2027: Path, caplog: pytest.LogCaptureFixture) -> None:
    """C-WD: an operator table covering 2027 is used instead of the fallback."""
    calls: list[int] = []
    cal = WorkingDayCalendar(operator_table_2027, on_fallback=calls.append)
    assert cal.table_version == "2027-operator"
    assert cal.has_data(2027)
    with caplog.at_level(logging.WARNING, logger="shared.calendar"):
        assert not cal.is_working_day(D("2027-03-10"))  # made-up Wednesday holiday
        assert cal.is_working_day(D("2027-03-13"))  # made-up Saturday workday
        assert not cal.is_working_day(D("2027-03-14"))  # ordinary Sunday
        # Tue 03-09 + 1 WD skips Wed 03-10; + 4 WD reaches Sat 03-13.
        assert cal.add_working_days(D("2027-03-09"), 1) == D("2027-03-11")
        assert cal.add_working_days(D("2027-03-09"), 3) == D("2027-03-13")
        assert cal.add_working_days(D("2027-03-09"), 4) == D("2027-03-15")
        assert cal.calendar_deadline(D("2027-03-08"), 2) == D("2027-03-11")
    assert calls == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # Years absent from the operator table still come from chinesecalendar.
    assert not cal.is_working_day(D("2026-10-01"))
    assert cal.is_working_day(D("2026-10-10"))


def test_c_wd_holiday_table_env_var_is_default(
    operator_table_2027: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C-WD: $HOLIDAY_TABLE selects the operator table when no path is given."""
    monkeypatch.setenv(HOLIDAY_TABLE_ENV, str(operator_table_2027))
    cal = WorkingDayCalendar()
    assert cal.table_path == operator_table_2027
    assert not cal.is_working_day(D("2027-03-10"))


def test_c_wd_reload_picks_up_new_year(tmp_path: Path) -> None:
    """C-WD: operators can extend the table and reload; fallback stops for that year."""
    path = write_table(tmp_path / "t.json", {})
    calls: list[int] = []
    cal = WorkingDayCalendar(path, on_fallback=calls.append)
    assert cal.is_working_day(D("2027-03-10"))
    assert calls == [2027]
    write_table(path, {"2027": {"holidays": ["2027-03-10"], "workdays": []}})
    cal.reload()
    assert not cal.is_working_day(D("2027-03-10"))
    assert calls == [2027]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps(["2027-01-01"]),
        json.dumps({"years": {}}),
        json.dumps({"version": "x", "years": {"2027": {"holidays": ["2027-02-30"], "workdays": []}}}),
        json.dumps({"version": "x", "years": {"2027": {"holidays": ["01/01/2027"], "workdays": []}}}),
        json.dumps({"version": "x", "years": {"2027": {"holidays": ["2026-10-01"], "workdays": []}}}),
        json.dumps({"version": "x", "years": {"2027": {"holidays": ["2027-03-13"], "workdays": ["2027-03-13"]}}}),
        json.dumps({"version": "x", "years": {"2027": {"holiday": ["2027-03-10"], "workdays": []}}}),
        json.dumps({"version": "x", "years": {"27": {"holidays": [], "workdays": []}}}),
    ],
    ids=["bad-json", "not-object", "no-version", "bad-date", "bad-format", "wrong-year", "both", "typo-key", "bad-year"],
)
def test_c_wd_malformed_table_raises_value_error_naming_file(tmp_path: Path, content: str) -> None:
    """C-WD: a malformed operator table fails loudly, naming the file."""
    path = tmp_path / "broken-holidays.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="broken-holidays.json"):
        WorkingDayCalendar(path)


def test_c_wd_missing_table_raises_value_error_naming_file(tmp_path: Path) -> None:
    """C-WD: a configured table that does not exist is an operator error."""
    with pytest.raises(ValueError, match="nope.json"):
        WorkingDayCalendar(tmp_path / "nope.json")


# -- Asia/Shanghai ----------------------------------------------------------------


def test_c_wd_to_shanghai_date_crosses_midnight() -> None:
    """C-WD: 2026-11-24T17:30:00Z is 2026-11-25 in Asia/Shanghai."""
    moment = datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)
    assert WorkingDayCalendar.to_shanghai_date(moment) == D("2026-11-25")
    assert WorkingDayCalendar.to_shanghai_date(datetime(2026, 11, 24, 15, 59, tzinfo=timezone.utc)) == D(
        "2026-11-24"
    )


def test_c_wd_to_shanghai_date_rejects_naive_datetime() -> None:
    """C-WD: a naive datetime has no defined Shanghai date."""
    with pytest.raises(ValueError):
        WorkingDayCalendar.to_shanghai_date(datetime(2026, 11, 24, 17, 30))


def test_c_wd_today_is_shanghai_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """C-WD: today() is the Shanghai date of the current instant."""
    monkeypatch.delenv(HOLIDAY_TABLE_ENV, raising=False)
    cal = WorkingDayCalendar(clock=lambda: datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc))
    assert cal.today() == D("2026-11-25")
    assert isinstance(WorkingDayCalendar().today(), date)


# -- import hygiene ---------------------------------------------------------------


def test_c_wd_import_has_no_heavy_side_effects() -> None:
    """C-WD: the domain module imports no framework/metrics code and reads no file at import."""
    code = (
        "import pathlib, sys\n"
        "def no_read(*a, **k): raise AssertionError('file read at import time')\n"
        "pathlib.Path.read_text = no_read\n"
        "import shared.calendar\n"
        "heavy = [m for m in ('nameko', 'sqlalchemy', 'kombu', 'prometheus_client') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)
