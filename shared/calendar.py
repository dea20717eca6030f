"""Working-day calendar for China's official holiday schedule (rule C-WD).

Rule C-WD (law file): working-day arithmetic uses China's official holiday
schedule. ``WD`` means *working days* (工作日): weekends and statutory holidays
(法定节假日) are excluded, adjusted working days (调休上班日, a Saturday or
Sunday declared a working day) are included. ``D`` means *calendar days*
(日/自然日). All deadlines are computed in the ``Asia/Shanghai`` time zone.

Data sources, by precedence, for a given date:

1. The holiday table (JSON). By default the shipped
   ``shared/data/holidays.json``; operators may point the ``HOLIDAY_TABLE``
   environment variable (or the ``table_path`` argument) at their own copy and
   add a year when the State Council (国务院办公厅) publishes its annual notice.
   A year present in the table is fully defined by it: listed ``holidays`` are
   days off, listed ``workdays`` are working days, every other date follows
   the Monday-Friday rule.
2. The ``chinesecalendar`` package (data up to 2026; it raises
   ``NotImplementedError`` for other years).
3. Weekends-only fallback. The year is then *not covered*: a warning is
   logged and ``on_fallback(year)`` is called, each once per year and
   calendar instance, so that the caller can expose a metric. Working-day
   arithmetic never crashes for lack of data.

This module is pure domain code. It has no side effects at import time; the
table is read when a :class:`WorkingDayCalendar` is constructed (or
:meth:`WorkingDayCalendar.reload` is called), and a malformed table raises a
:class:`ValueError` naming the file so that an operator error is loud at
start-up. The metric is wired by the caller, e.g.::

    CALENDAR_FALLBACK = Counter("calendar_fallback_total", "...", ["year"])
    calendar = WorkingDayCalendar(
        on_fallback=lambda year: CALENDAR_FALLBACK.labels(str(year)).inc()
    )
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

try:  # The package is a declared dependency, but the table works without it.
    import chinese_calendar as _chinese_calendar
except ImportError:  # pragma: no cover - exercised only in broken installs
    _chinese_calendar = None

__all__ = [
    "shanghai_date",
    "DEFAULT_TABLE_PATH",
    "HOLIDAY_TABLE_ENV",
    "SHANGHAI",
    "HolidayTable",
    "WorkingDayCalendar",
    "load_holiday_table",
]

logger = logging.getLogger(__name__)

#: Time zone in which every deadline is computed (rule C-WD).
SHANGHAI = ZoneInfo("Asia/Shanghai")

#: Environment variable naming an operator-maintained holiday table.
HOLIDAY_TABLE_ENV = "HOLIDAY_TABLE"

#: The holiday table shipped with the platform.
DEFAULT_TABLE_PATH = Path(__file__).resolve().parent / "data" / "holidays.json"

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _YearSchedule:
    holidays: frozenset[date]
    workdays: frozenset[date]


@dataclass(frozen=True)
class HolidayTable:
    """A validated holiday table: official days off and adjusted working days per year."""

    path: Path
    version: str
    years: Mapping[int, _YearSchedule]

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: date) -> bool:
        """Working-day status of ``day``; its year must be covered by the table."""
        schedule = self.years[day.year]
        if day in schedule.holidays:
            return False
        if day in schedule.workdays:
            return True
        return day.weekday() < 5


def shanghai_date(moment: "str | datetime | date") -> date:
    """The Asia/Shanghai calendar date of an event's timestamp (C-WD): ``2026-11-24T17:00:00Z`` is
    2026-11-25. A naive timestamp is taken as Shanghai local time; a plain ISO date is itself.

    :raises ValueError: not an ISO date or date-time.
    """
    if isinstance(moment, datetime):
        parsed = moment
    elif isinstance(moment, date):
        return moment
    elif isinstance(moment, str):
        try:
            parsed = datetime.fromisoformat(moment)
        except ValueError:
            raise ValueError(f"{moment!r} is not an ISO date or date-time") from None
        if len(moment) == 10:
            return parsed.date()
    else:
        raise ValueError(f"expected an ISO date or date-time, not {type(moment).__name__}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return parsed.date()
    return parsed.astimezone(SHANGHAI).date()


def _parse_date_list(raw: Any, *, path: Path, year: int, key: str) -> frozenset[date]:
    if not isinstance(raw, list):
        raise ValueError(f"holiday table {path}: years.{year}.{key} must be a list of ISO dates")
    days: set[date] = set()
    for item in raw:
        if not isinstance(item, str):
            raise ValueError(f"holiday table {path}: years.{year}.{key}: {item!r} is not a date string")
        try:
            day = date.fromisoformat(item)
        except ValueError as exc:
            raise ValueError(
                f"holiday table {path}: years.{year}.{key}: invalid date {item!r} (expected YYYY-MM-DD)"
            ) from exc
        if day.year != year:
            raise ValueError(f"holiday table {path}: years.{year}.{key}: date {item} is not in year {year}")
        days.add(day)
    return frozenset(days)


def load_holiday_table(path: str | os.PathLike[str]) -> HolidayTable:
    """Read and validate a holiday table.

    Expected shape::

        {"version": "2026-official",
         "years": {"2026": {"holidays": ["2026-01-01", ...],
                            "workdays": ["2026-01-04", ...]}}}

    Other top-level keys (e.g. ``source``, ``comment``) are ignored.

    :raises ValueError: the file is missing, unreadable, not JSON, or
        structurally invalid; the message names the file.
    """
    table_path = Path(path)
    try:
        text = table_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"holiday table {table_path}: cannot be read: {exc}") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"holiday table {table_path}: malformed JSON: {exc}") from exc

    if not isinstance(doc, dict):
        raise ValueError(f"holiday table {table_path}: top level must be a JSON object")
    version = doc.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError(f"holiday table {table_path}: 'version' must be a non-empty string")
    raw_years = doc.get("years")
    if not isinstance(raw_years, dict):
        raise ValueError(f"holiday table {table_path}: 'years' must be an object keyed by year")

    years: dict[int, _YearSchedule] = {}
    for key, entry in raw_years.items():
        if not (isinstance(key, str) and len(key) == 4 and key.isdigit()):
            raise ValueError(f"holiday table {table_path}: year key {key!r} is not a four-digit year")
        year = int(key)
        if not isinstance(entry, dict) or "holidays" not in entry or "workdays" not in entry:
            raise ValueError(
                f"holiday table {table_path}: years.{key} must be an object with 'holidays' and 'workdays' lists"
            )
        holidays = _parse_date_list(entry["holidays"], path=table_path, year=year, key="holidays")
        workdays = _parse_date_list(entry["workdays"], path=table_path, year=year, key="workdays")
        both = holidays & workdays
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(
                f"holiday table {table_path}: years.{key}: dates listed as both holiday and workday: {listed}"
            )
        years[year] = _YearSchedule(holidays=holidays, workdays=workdays)

    return HolidayTable(path=table_path, version=version, years=years)


def _default_table_path() -> Path:
    configured = os.environ.get(HOLIDAY_TABLE_ENV)
    return Path(configured) if configured else DEFAULT_TABLE_PATH


def _noop_fallback(year: int) -> None:
    """Default ``on_fallback`` hook: does nothing (the caller wires a metric)."""


def _require_date(value: date, name: str = "day") -> None:
    # ``datetime`` is a subclass of ``date``; reject it so that a UTC instant is
    # never silently treated as a Shanghai calendar date.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(
            f"{name} must be a datetime.date (not {type(value).__name__}); "
            "convert instants with WorkingDayCalendar.to_shanghai_date()"
        )


class WorkingDayCalendar:
    """Working-day (WD) and calendar-day (D) arithmetic under rule C-WD.

    Conventions:

    * :meth:`add_working_days` and :meth:`add_calendar_days` do not count the
      start day: counting begins on the following day (期间开始的当日不计入).
    * :meth:`calendar_deadline` implements the rule for calendar-day periods
      in Chinese law (《民法典》第二百零三条, 《行政处罚法》/《行政许可法》 period
      rules): when the last day of a period falls on a statutory holiday or a
      rest day, the first working day after it is the last day of the period
      (期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日).
    * All dates are Shanghai calendar dates; convert instants with
      :meth:`to_shanghai_date`.

    :param table_path: holiday table to use; defaults to ``$HOLIDAY_TABLE`` if
        set, else the shipped ``shared/data/holidays.json``.
    :param on_fallback: called as ``on_fallback(year)`` once per uncovered
        year, the first time a date of that year is evaluated (metric hook).
    :param clock: returns the current aware ``datetime``; for tests.
    :raises ValueError: the table is missing or malformed.
    """

    def __init__(
        self,
        table_path: str | os.PathLike[str] | None = None,
        on_fallback: Callable[[int], None] | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._table_path = Path(table_path) if table_path is not None else _default_table_path()
        self._on_fallback = on_fallback or _noop_fallback
        self._clock = clock or (lambda: datetime.now(SHANGHAI))
        self._lock = threading.Lock()
        self._fallback_years: set[int] = set()
        self._package_support: dict[int, bool] = {}
        self._table = load_holiday_table(self._table_path)

    # -- data --------------------------------------------------------------

    @property
    def table_path(self) -> Path:
        return self._table_path

    @property
    def table_version(self) -> str:
        return self._table.version

    def reload(self) -> None:
        """Re-read the holiday table (e.g. after an operator added a year).

        The current table stays in force if the new one is invalid.

        :raises ValueError: the table is missing or malformed.
        """
        table = load_holiday_table(self._table_path)
        with self._lock:
            self._table = table
            self._fallback_years.clear()

    def has_data(self, year: int) -> bool:
        """Whether ``year`` is covered by the holiday table or ``chinesecalendar``."""
        return self._table.covers(year) or self._package_supports(year)

    def _package_supports(self, year: int) -> bool:
        cached = self._package_support.get(year)
        if cached is not None:
            return cached
        supported = False
        if _chinese_calendar is not None and 1 <= year <= 9999:
            try:
                _chinese_calendar.is_workday(date(year, 1, 1))
                supported = True
            except NotImplementedError:
                supported = False
        self._package_support[year] = supported
        return supported

    def _report_fallback(self, year: int) -> None:
        with self._lock:
            if year in self._fallback_years:
                return
            self._fallback_years.add(year)
        logger.warning(
            "C-WD: no official holiday data for %d (table %s, version %s); "
            "falling back to weekends-only working days. Add the State Council "
            "schedule for %d to the holiday table.",
            year,
            self._table_path,
            self._table.version,
            year,
        )
        try:
            self._on_fallback(year)
        except Exception:  # a broken metric hook must not break deadline arithmetic
            logger.exception("C-WD: on_fallback hook failed for year %d", year)

    # -- working days (WD) -------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (工作日), 调休 workdays included."""
        _require_date(day)
        table = self._table
        if table.covers(day.year):
            return table.is_working_day(day)
        if self._package_supports(day.year):
            try:
                return bool(_chinese_calendar.is_workday(day))  # type: ignore[union-attr]
            except NotImplementedError:  # pragma: no cover - support is probed per year
                pass
        self._report_fallback(day.year)
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        _require_date(day)
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The day that is ``n`` working days after ``start`` (the WD deadline).

        ``start`` is not counted; ``add_working_days(start, 0) == start``.

        :raises ValueError: ``n`` is negative.
        """
        _require_date(start, "start")
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days in the half-open interval ``(a, b]``.

        For ``b < a`` the result is the negated count over ``(b, a]``, so that
        ``working_days_between(s, add_working_days(s, n)) == n`` and the
        function is antisymmetric.
        """
        _require_date(a, "a")
        _require_date(b, "b")
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a + _ONE_DAY
        while day <= b:
            if self.is_working_day(day):
                count += 1
            day += _ONE_DAY
        return count

    # -- calendar days (D) -------------------------------------------------

    def add_calendar_days(self, start: date, n: int) -> date:
        """``start`` plus ``n`` calendar days (no holiday adjustment)."""
        _require_date(start, "start")
        return start + timedelta(days=n)

    def calendar_deadline(self, start: date, n_days: int) -> date:
        """Deadline of an ``n_days`` calendar-day (D) period starting after ``start``.

        Adds ``n_days`` calendar days, then, if that last day is not a working
        day (statutory holiday or weekend), rolls forward to the first working
        day after it — the 《民法典》第二百零三条 / administrative-law rule
        "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日".

        :raises ValueError: ``n_days`` is negative.
        """
        _require_date(start, "start")
        if n_days < 0:
            raise ValueError(f"n_days must be >= 0, got {n_days}")
        return self.next_working_day(start + timedelta(days=n_days))

    # -- time zone ---------------------------------------------------------

    def today(self) -> date:
        """Today's date in Asia/Shanghai."""
        return self.to_shanghai_date(self._clock())

    @staticmethod
    def to_shanghai_date(moment: datetime) -> date:
        """The Asia/Shanghai calendar date of an aware ``datetime``.

        :raises ValueError: ``moment`` is naive (its zone would be a guess).
        """
        if not isinstance(moment, datetime):
            raise TypeError(f"moment must be a datetime, not {type(moment).__name__}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("moment must be timezone-aware to convert it to an Asia/Shanghai date")
        return moment.astimezone(SHANGHAI).date()
