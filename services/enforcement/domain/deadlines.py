"""Statutory deadlines of the ordinary administrative-penalty procedure (普通程序).

Rules implemented (see /work/shared/DOMAIN.md and DOMAIN-NOTES.md §§1.3-1.4):

=============  ==============================================================
D-CLUE         clue -> filing decision (立案/不予立案): 15 WD, +15 WD with the head's approval
D-INFORMANT    tell a real-name informant (实名举报人) the filing decision: 5 WD
D-LIMIT        limitation (追责时效): 2 years, 5 years for serious safety cases
D-DECIDE       filing -> decision (处理决定): 90 D, +30 D head, + collective discussion;
               paused periods (中止, 听证, 公告, 检测/检验/检疫/鉴定, 权利人辨认) not counted
D-STATEMENT    statement and defence (陈述申辩) after the pre-notice: 5 WD
D-HEARING      hearing request (听证申请): 5 WD; hearing notified >= 7 WD ahead
D-SERVE        service (送达) of the decision: on the spot, or 7 WD if the party is absent
D-PAY          fine payment (缴纳罚款): 15 D of receipt; surcharge 3%/day capped at the fine
D-CLOSE        closure (结案): 15 WD after the closing ground arose
=============  ==============================================================

Counting conventions (rule C-WD, 行政处罚法 art. 85, 民法典 arts. 201-203):

* WD = working days (工作日) of China's official schedule, adjusted working days (调休上班日)
  included; D = calendar days (日/自然日).
* The day on which a period starts (the receipt, service or filing day) is never counted
  (期间开始的当日不计入); the deadline is the last day on which the act may still be done.
* A calendar-day (D) period whose last day is a rest day or statutory holiday ends on the first
  working day after it (民法典 art. 203). WD periods end on a working day by construction.
* Year periods (D-LIMIT) end on the corresponding date; without one (29 February), on the last
  day of that month (民法典 art. 202).

This module is pure: it performs no I/O and imports no framework. The caller passes a
:class:`shared.calendar.WorkingDayCalendar`. All dates are Asia/Shanghai calendar dates; a
``datetime`` where a ``date`` is expected raises :class:`TypeError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from shared.calendar import WorkingDayCalendar

__all__ = [
    "CLOSURE_WORKING_DAYS",
    "CLUE_EXTENSION_WORKING_DAYS",
    "CLUE_FILING_WORKING_DAYS",
    "DECISION_CALENDAR_DAYS",
    "DECISION_HEAD_EXTENSION_MAX_DAYS",
    "HEARING_NOTICE_WORKING_DAYS",
    "HEARING_REQUEST_WORKING_DAYS",
    "INFORMANT_NOTICE_WORKING_DAYS",
    "LATE_PAYMENT_DAILY_RATE",
    "LIMITATION_YEARS",
    "LIMITATION_YEARS_SERIOUS",
    "PAYMENT_CALENDAR_DAYS",
    "SERVICE_ABSENT_WORKING_DAYS",
    "STATEMENT_WORKING_DAYS",
    "Deadline",
    "clue_filing_deadline",
    "closure_deadline",
    "decision_deadline",
    "earliest_hearing_date",
    "hearing_date_allowed",
    "hearing_request_deadline",
    "informant_notice_deadline",
    "late_payment_surcharge",
    "limitation_ends_on",
    "limitation_expired",
    "limitation_years",
    "payment_deadline",
    "service_deadline",
    "statement_deadline",
]

# --------------------------------------------------------------------------- periods

#: D-CLUE: working days from receipt of a clue to the filing decision [S; P 投诉举报处理暂行办法 art. 23].
CLUE_FILING_WORKING_DAYS = 15
#: D-CLUE: one extension with the head's approval, in working days [S].
CLUE_EXTENSION_WORKING_DAYS = 15
#: D-INFORMANT: working days to tell a real-name informant the filing decision [P art. 31].
INFORMANT_NOTICE_WORKING_DAYS = 5
#: D-LIMIT: limitation in years (行政处罚法 art. 36) [P].
LIMITATION_YEARS = 2
#: D-LIMIT: limitation in years where life, health or financial safety is involved with harm [P].
LIMITATION_YEARS_SERIOUS = 5
#: D-DECIDE: calendar days from filing to decision (行政处罚法 art. 60) [P].
DECISION_CALENDAR_DAYS = 90
#: D-DECIDE: most calendar days the head alone may add; beyond that only collective discussion [S].
DECISION_HEAD_EXTENSION_MAX_DAYS = 30
#: D-STATEMENT: working days to state and defend after the pre-notice is served [U].
STATEMENT_WORKING_DAYS = 5
#: D-HEARING: working days to request a hearing after the pre-notice (art. 64(1) + 85) [P].
HEARING_REQUEST_WORKING_DAYS = 5
#: D-HEARING: working days of notice before the hearing (art. 64(2) + 85) [P].
HEARING_NOTICE_WORKING_DAYS = 7
#: D-SERVE: working days to serve a decision when the party is absent (art. 61 + 85) [P].
SERVICE_ABSENT_WORKING_DAYS = 7
#: D-PAY: calendar days to pay a fine after receiving the decision (art. 67) [P].
PAYMENT_CALENDAR_DAYS = 15
#: D-PAY: surcharge per day late, as a fraction of the fine (art. 72) [P].
LATE_PAYMENT_DAILY_RATE = Decimal("0.03")
#: D-CLOSE: working days to close the case after the closing ground arose [U].
CLOSURE_WORKING_DAYS = 15

_ONE_DAY = timedelta(days=1)
_CENT = Decimal("0.01")


# --------------------------------------------------------------------------- value object


@dataclass(frozen=True)
class Deadline:
    """A computed deadline: the rule that sets it, the last permitted day, and why.

    ``due`` is the last day on which the act may still be done (inclusive).
    """

    kind: str  # the rule id, e.g. "D-CLUE"
    due: date
    basis: str  # one sentence an officer understands

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form: ``{"kind": ..., "due": "YYYY-MM-DD", "basis": ...}``."""
        return {"kind": self.kind, "due": self.due.isoformat(), "basis": self.basis}


# --------------------------------------------------------------------------- helpers


def _require_date(value: object, name: str) -> date:
    # ``datetime`` is a subclass of ``date``: reject it so that an instant is never silently
    # taken for a Shanghai calendar date.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")
    return value


def _require_days(value: object, name: str, rule: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{rule}: {name} must be an int number of days, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{rule}: {name} must be >= 0, got {value}")
    return value


def _wd_deadline(rule: str, start: date, n: int, cal: WorkingDayCalendar, what: str) -> Deadline:
    _require_date(start, "start")
    due = cal.add_working_days(start, n)
    return Deadline(rule, due, f"{n} working days after {what} on {start.isoformat()} ({rule})")


def _roll_note(raw: date, due: date) -> str:
    if raw == due:
        return ""
    return f"; {raw.isoformat()} is a rest day or holiday, so the deadline moves to the next working day"


# --------------------------------------------------------------------------- D-CLUE, D-INFORMANT


def clue_filing_deadline(received_on: date, cal: WorkingDayCalendar, *, extended: bool = False) -> Deadline:
    """D-CLUE (线索核查, 立案/不予立案): last day for the filing decision on a clue.

    15 working days after receipt (the receipt day not counted). With the head's approved
    extension (经负责人批准延长), 15 working days more: 30 working days in all, counted from
    receipt. Time spent on testing/appraisal is *not* excluded here ([U] in DOMAIN-NOTES; not in
    the rule table).
    """
    _require_date(received_on, "received_on")
    if extended:
        n = CLUE_FILING_WORKING_DAYS + CLUE_EXTENSION_WORKING_DAYS
        due = cal.add_working_days(received_on, n)
        basis = (
            f"{n} working days ({CLUE_FILING_WORKING_DAYS} + {CLUE_EXTENSION_WORKING_DAYS} extended "
            f"with the head's approval) after the clue was received on {received_on.isoformat()} (D-CLUE)"
        )
        return Deadline("D-CLUE", due, basis)
    return _wd_deadline("D-CLUE", received_on, CLUE_FILING_WORKING_DAYS, cal, "the clue was received")


def informant_notice_deadline(filing_decided_on: date, cal: WorkingDayCalendar) -> Deadline:
    """D-INFORMANT (告知实名举报人): 5 working days after the filing decision
    (投诉举报处理暂行办法 art. 31)."""
    _require_date(filing_decided_on, "filing_decided_on")
    return _wd_deadline(
        "D-INFORMANT", filing_decided_on, INFORMANT_NOTICE_WORKING_DAYS, cal, "the filing decision was made"
    )


# --------------------------------------------------------------------------- D-LIMIT


def limitation_years(life_health_or_financial_safety_with_harm: bool) -> int:
    """D-LIMIT (追责时效, 行政处罚法 art. 36): 2 years; 5 years where life, health or financial
    safety (生命健康安全、金融安全) is involved and there are harmful consequences."""
    return LIMITATION_YEARS_SERIOUS if life_health_or_financial_safety_with_harm else LIMITATION_YEARS


def _add_years(day: date, years: int) -> date:
    """Corresponding date ``years`` later; 29 February -> 28 February (民法典 art. 202: 没有对应日的，
    月末日为期间的最后一日)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # only 29 February in a non-leap target year
        return date(day.year + years, 2, 28)


def limitation_ends_on(violation_ended_on: date, serious: bool) -> date:
    """D-LIMIT: the last day of the limitation period (inclusive).

    The period runs from the day the violation ended (违法行为有连续或者继续状态的，从行为终了之日起计算)
    and ends on the same calendar date 2 (or 5, ``serious``) years later; for a violation ended on
    29 February the anniversary is 28 February of a non-leap year (min(day, last day of the
    month), 民法典 art. 202). [U] No roll-forward when the anniversary is a rest day or holiday:
    discovery (发现) is not an act that needs an open office, and the shorter period protects
    the party.
    """
    _require_date(violation_ended_on, "violation_ended_on")
    return _add_years(violation_ended_on, limitation_years(serious))


def limitation_expired(violation_ended_on: date, discovered_on: date, *, serious: bool) -> bool:
    """D-LIMIT (不再给予行政处罚): whether a violation was "undiscovered for 2 (5) years".

    Expired iff ``discovered_on`` is later than :func:`limitation_ends_on`. Discovery on the
    anniversary itself is in time; the day after is too late. Discovery before the violation
    ended (a continuing violation) is never expired.
    """
    _require_date(discovered_on, "discovered_on")
    return discovered_on > limitation_ends_on(violation_ended_on, serious)


# --------------------------------------------------------------------------- D-DECIDE


def _paused_days(filed_on: date, paused: Sequence[tuple[date, date | None]], today: date) -> int:
    """Number of distinct calendar days covered by the paused periods (D-DECIDE)."""
    intervals: list[tuple[date, date]] = []  # half-open [start, end)
    for i, period in enumerate(paused):
        try:
            start, end = period
        except (TypeError, ValueError):
            raise TypeError(f"D-DECIDE: paused[{i}] must be a (start, end-or-None) pair") from None
        _require_date(start, f"paused[{i}] start")
        if start < filed_on:
            raise ValueError(
                f"D-DECIDE: paused[{i}] starts on {start.isoformat()}, before the filing on {filed_on.isoformat()}"
            )
        if end is None:
            if start > today:
                raise ValueError(
                    f"D-DECIDE: open paused[{i}] starts on {start.isoformat()}, after today {today.isoformat()}"
                )
            end = today + _ONE_DAY  # an open pause counts through today inclusive
        else:
            _require_date(end, f"paused[{i}] end")
            if end < start:
                raise ValueError(
                    f"D-DECIDE: paused[{i}] ends on {end.isoformat()} before it starts on {start.isoformat()}"
                )
        # The filing day is never counted in the 90 D, so it cannot be paused either.
        start = max(start, filed_on + _ONE_DAY)
        if end > start:
            intervals.append((start, end))

    total = 0
    current: tuple[date, date] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).days
            current = (start, end)
        else:  # overlapping or touching: merge so that each day counts once
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).days
    return total


def decision_deadline(
    filed_on: date,
    cal: WorkingDayCalendar,
    *,
    head_extension_days: int = 0,
    collective_extension_days: int = 0,
    paused: Sequence[tuple[date, date | None]] = (),
    today: date,
) -> Deadline:
    """D-DECIDE (办案期限, 行政处罚法 art. 60): last day for the decision in a filed case.

    90 calendar days after filing (the filing day not counted)
    + ``head_extension_days`` (0..30, 经负责人批准; more than 30 raises :class:`ValueError`: beyond
    30 days only collective discussion may extend)
    + ``collective_extension_days`` (>= 0, 集体讨论决定)
    + the days of ``paused`` periods, which do not count: 中止 (suspension), 听证 (hearing), 公告
    (public notice), 检测/检验/检疫/鉴定 (testing, inspection, quarantine, appraisal), 权利人辨认/鉴别
    (right-holder identification).

    Each paused period is ``(start, end)``, half-open: ``start`` is the first paused day, ``end``
    the day counting resumes, so it adds ``end - start`` days. An open period (``end is None``)
    counts through ``today`` inclusive, ``(today - start).days + 1`` days, so the deadline moves
    one day each day the case stays paused. Overlapping periods are merged and each day counts
    once. [U] A pause may not start before the filing day; a pause starting on the filing day
    does not count that day (it is not counted in the 90 D anyway).

    Finally, if the last day is a rest day or holiday, it moves to the next working day
    (民法典 art. 203).
    """
    _require_date(filed_on, "filed_on")
    _require_date(today, "today")
    _require_days(head_extension_days, "head_extension_days", "D-DECIDE")
    _require_days(collective_extension_days, "collective_extension_days", "D-DECIDE")
    if head_extension_days > DECISION_HEAD_EXTENSION_MAX_DAYS:
        raise ValueError(
            f"D-DECIDE: the head may extend by at most {DECISION_HEAD_EXTENSION_MAX_DAYS} days "
            f"(got {head_extension_days}); beyond that only by collective discussion "
            "(use collective_extension_days)"
        )
    paused_days = _paused_days(filed_on, paused, today)
    total = DECISION_CALENDAR_DAYS + head_extension_days + collective_extension_days + paused_days
    raw = cal.add_calendar_days(filed_on, total)
    due = cal.calendar_deadline(filed_on, total)

    parts = [f"{DECISION_CALENDAR_DAYS} calendar days after filing on {filed_on.isoformat()}"]
    if head_extension_days:
        parts.append(f"{head_extension_days} days extended by the head")
    if collective_extension_days:
        parts.append(f"{collective_extension_days} days extended by collective discussion")
    if paused_days:
        parts.append(
            f"{paused_days} paused days not counted (suspension, hearing, notice, testing, identification)"
        )
    basis = " + ".join(parts) + f" (D-DECIDE){_roll_note(raw, due)}"
    return Deadline("D-DECIDE", due, basis)


# --------------------------------------------------------------------------- D-STATEMENT, D-HEARING


def statement_deadline(pre_notice_served_on: date, cal: WorkingDayCalendar) -> Deadline:
    """D-STATEMENT (陈述申辩): the party may state and defend until 5 working days after the
    pre-notice (行政处罚事先告知书) is served [U, 程序规定]."""
    _require_date(pre_notice_served_on, "pre_notice_served_on")
    return _wd_deadline(
        "D-STATEMENT", pre_notice_served_on, STATEMENT_WORKING_DAYS, cal, "the pre-notice was served"
    )


def hearing_request_deadline(pre_notice_served_on: date, cal: WorkingDayCalendar) -> Deadline:
    """D-HEARING (听证申请): the party may request a hearing until 5 working days after the
    pre-notice is served (行政处罚法 art. 64(1) + art. 85)."""
    _require_date(pre_notice_served_on, "pre_notice_served_on")
    return _wd_deadline(
        "D-HEARING", pre_notice_served_on, HEARING_REQUEST_WORKING_DAYS, cal, "the pre-notice was served"
    )


def earliest_hearing_date(hearing_notice_served_on: date, cal: WorkingDayCalendar) -> date:
    """D-HEARING (听证七日前通知, 行政处罚法 art. 64(2) + art. 85): earliest permitted hearing day.

    [U] Stricter, party-protective reading of "notified at least 7 working days ahead": 7 full
    working days must lie strictly between the service day and the hearing day (neither
    counted), and the hearing is held on a working day. The earliest hearing day is therefore the
    first working day after ``add_working_days(served_on, 7)``, i.e. the 8th working day after
    service.
    """
    _require_date(hearing_notice_served_on, "hearing_notice_served_on")
    seventh = cal.add_working_days(hearing_notice_served_on, HEARING_NOTICE_WORKING_DAYS)
    return cal.next_working_day(seventh + _ONE_DAY)


def hearing_date_allowed(notice_served_on: date, hearing_on: date, cal: WorkingDayCalendar) -> bool:
    """D-HEARING: whether a hearing on ``hearing_on`` respects the 7-WD notice period.

    True iff ``hearing_on`` is on or after :func:`earliest_hearing_date` (same [U] reading).
    A rest day right after the 7th working day is refused, because the earliest hearing day is
    a working day; later rest days are not refused by this rule.
    """
    _require_date(hearing_on, "hearing_on")
    return hearing_on >= earliest_hearing_date(notice_served_on, cal)


# --------------------------------------------------------------------------- D-SERVE


def service_deadline(decided_on: date, cal: WorkingDayCalendar, *, party_present: bool) -> Deadline:
    """D-SERVE (送达, 行政处罚法 art. 61 + art. 85): the decision is handed over on the spot when
    the party is present (due the decision day); otherwise served within 7 working days after it."""
    _require_date(decided_on, "decided_on")
    if party_present:
        basis = (
            f"served on the spot on the decision day {decided_on.isoformat()}, "
            "the party being present (D-SERVE)"
        )
        return Deadline("D-SERVE", decided_on, basis)
    basis = (
        f"{SERVICE_ABSENT_WORKING_DAYS} working days after the decision of {decided_on.isoformat()}, "
        "the party being absent (D-SERVE)"
    )
    return Deadline("D-SERVE", cal.add_working_days(decided_on, SERVICE_ABSENT_WORKING_DAYS), basis)


# --------------------------------------------------------------------------- D-PAY


def payment_deadline(decision_received_on: date, cal: WorkingDayCalendar) -> Deadline:
    """D-PAY (缴纳罚款, 行政处罚法 art. 67): 15 calendar days after the party received the decision
    (the receipt day not counted); a last day on a rest day or holiday moves to the next working
    day (民法典 art. 203)."""
    _require_date(decision_received_on, "decision_received_on")
    raw = cal.add_calendar_days(decision_received_on, PAYMENT_CALENDAR_DAYS)
    due = cal.calendar_deadline(decision_received_on, PAYMENT_CALENDAR_DAYS)
    basis = (
        f"{PAYMENT_CALENDAR_DAYS} calendar days after the decision was received on "
        f"{decision_received_on.isoformat()} (D-PAY){_roll_note(raw, due)}"
    )
    return Deadline("D-PAY", due, basis)


def late_payment_surcharge(fine_yuan: Decimal, due: date, paid_on: date) -> Decimal:
    """D-PAY (加处罚款, 行政处罚法 art. 72): surcharge for paying a fine after ``due``.

    3% of the fine per day late, days late = ``(paid_on - due).days`` (0 when paid on or before
    ``due``), capped at the fine amount (加处罚款的数额不得超出罚款的数额). Decimal arithmetic, quantized
    to 0.01 yuan ROUND_HALF_UP after capping.

    :raises TypeError: ``fine_yuan`` is a float or bool (use Decimal; int is accepted).
    :raises ValueError: ``fine_yuan`` is negative, NaN or infinite.
    """
    if isinstance(fine_yuan, bool) or not isinstance(fine_yuan, (Decimal, int)):
        raise TypeError(f"D-PAY: fine_yuan must be a Decimal, not {type(fine_yuan).__name__}")
    fine = Decimal(fine_yuan)
    if not fine.is_finite():
        raise ValueError(f"D-PAY: fine_yuan must be finite, got {fine_yuan}")
    if fine < 0:
        raise ValueError(f"D-PAY: fine_yuan must be >= 0, got {fine_yuan}")
    _require_date(due, "due")
    _require_date(paid_on, "paid_on")
    days_late = max(0, (paid_on - due).days)
    surcharge = min(fine * LATE_PAYMENT_DAILY_RATE * days_late, fine)
    return surcharge.quantize(_CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- D-CLOSE


def closure_deadline(closing_ground_arose_on: date, cal: WorkingDayCalendar) -> Deadline:
    """D-CLOSE (结案): 15 working days after the closing ground arose (decision fully performed,
    enforcement ended, investigation terminated, no-penalty or transfer decision) [U, 程序规定]."""
    _require_date(closing_ground_arose_on, "closing_ground_arose_on")
    return _wd_deadline(
        "D-CLOSE", closing_ground_arose_on, CLOSURE_WORKING_DAYS, cal, "the closing ground arose"
    )
