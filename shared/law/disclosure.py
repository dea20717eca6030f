"""Public disclosure of penalty decisions (行政处罚信息公示): rules P-SCOPE, P-FIELDS, P-REDACT,
P-DUE, P-WITHDRAW, P-PERIOD and P-REPAIR of DOMAIN.md (《市场监督管理行政处罚信息公示规定》, SAMR
Order 45, and 《市场监督管理信用修复管理办法》 for the repair periods). Pure Python: no nameko,
SQLAlchemy or AMQP.

Working-day (WD) arithmetic follows C-WD through :class:`shared.calendar.WorkingDayCalendar` (any
object with ``add_working_days``); the start day is not counted.

Values a province sets (the "low fine" of P-PERIOD, the repair periods of P-REPAIR) are
configuration: :class:`DisclosurePolicy` holds the defaults and :meth:`DisclosurePolicy.from_mapping`
reads an operator's values. Values fixed by national law (20 WD, 3 WD, 3 months, 3 years) are
module constants.

Conventions chosen here (each documented again where it applies):

* **Months** (P-PERIOD, P-REPAIR). The day of publication is the first day shown. "Shown for N
  months" runs through the day before the same day N months later; when the month has no such day
  the period ends at that month's end (《民法典》 art. 202: 没有对应日的，月末日为期间的最后一日).
  Computed as ``(published_on - 1 day) + N months``, clamped: published 2026-11-25 → last day
  shown 2027-02-24; published 2026-11-30 → 2027-02-28. N months have been *fully* shown on the
  day after that last day.
* **Redaction** (P-REDACT) is conservative: an 18-character ``17 digits + [0-9Xx]`` token is a
  resident ID number whatever its check digit (a mistyped ID is still personal data); phone numbers
  are removed wherever they appear. See :func:`redact`.
* **Natural persons' names** are published (当事人基本情况 includes the name; art. 6 removes ID
  numbers, phone numbers and home addresses, not the name). An individual business's operator name
  is its business name and is kept too.
"""
from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping, Protocol, Sequence

from shared.calendar import shanghai_date
from shared.law.penalties import REVOCATIONS, SUSPENSIONS, PartyKind, Penalty, PenaltyKind, amount_in_yuan
from shared.law.uscc import ALPHABET as _USCC_ALPHABET
from shared.law.uscc import check_character as _uscc_check_character

__all__ = [
    "REDACTED",
    "PUBLICATION_WD",
    "WITHDRAWAL_WD",
    "SHORT_DISPLAY_MONTHS",
    "LONG_DISPLAY_YEARS",
    "NO_REPAIR_KINDS",
    "KIND_LABELS",
    "FIELD_LABELS",
    "DisclosurePolicy",
    "DEFAULT_POLICY",
    "in_scope",
    "redact",
    "penalty_of",
    "penalty_content",
    "decision_date",
    "public_fields",
    "publication_due",
    "withdrawal_due",
    "short_display",
    "display_period_ends",
    "is_displayed",
    "repair_refusal",
    "valid_uscc",
    "valid_resident_id",
]

#: P-REDACT: what replaces each removed piece of personal information or trade secret.
REDACTED = "【已隐去】"

#: P-DUE: published within 20 working days of the decision date [P art. 9, same province].
PUBLICATION_WD = 20
#: P-WITHDRAW: withdrawn within 3 working days after the decision is changed, revoked or annulled
#: [P art. 11].
WITHDRAWAL_WD = 3
#: P-PERIOD: 通报批评 or a low fine is shown for 3 months [P art. 13].
SHORT_DISPLAY_MONTHS = 3
#: P-PERIOD: every other published penalty is shown for 3 years [P art. 13].
LONG_DISPLAY_YEARS = 3

#: P-REPAIR: penalties for which publication is never stopped early (责令停产停业, 责令关闭,
#: 限制开展生产经营活动, 限制从业, 降低资质等级, 吊销许可证件/营业执照, 暂扣许可证件).
NO_REPAIR_KINDS: frozenset[PenaltyKind] = SUSPENSIONS | REVOCATIONS | {PenaltyKind.SUSPEND_LICENCE}

#: The Chinese name of each kind of penalty (行政处罚法 art. 9).
KIND_LABELS: Mapping[PenaltyKind, str] = {
    PenaltyKind.WARNING: "警告",
    PenaltyKind.CIRCULATED_CRITICISM: "通报批评",
    PenaltyKind.FINE: "罚款",
    PenaltyKind.CONFISCATE_GAINS: "没收违法所得",
    PenaltyKind.CONFISCATE_PROPERTY: "没收非法财物",
    PenaltyKind.SUSPEND_LICENCE: "暂扣许可证件",
    PenaltyKind.DOWNGRADE_QUALIFICATION: "降低资质等级",
    PenaltyKind.REVOKE_LICENCE: "吊销许可证件",
    PenaltyKind.RESTRICT_BUSINESS: "限制开展生产经营活动",
    PenaltyKind.SUSPEND_BUSINESS: "责令停产停业",
    PenaltyKind.CLOSE: "责令关闭",
    PenaltyKind.BAN_PRACTISING: "限制从业",
}

#: P-FIELDS: the Chinese label of each key :func:`public_fields` returns (行政处罚信息摘要, art. 4).
FIELD_LABELS: Mapping[str, str] = {
    "decision_no": "决定书文号",
    "party": "当事人基本情况",
    "violation_type": "违法行为类型",
    "penalty_content": "行政处罚内容",
    "authority": "作出决定的机关名称",
    "decided_on": "作出决定的日期",
    "decision_text": "行政处罚决定书",
}

_ONE_DAY = timedelta(days=1)
_CENT = Decimal("0.01")
#: Kinds whose only combination can still be "light" under P-PERIOD (3 months).
_LIGHT_KINDS = frozenset({PenaltyKind.WARNING, PenaltyKind.CIRCULATED_CRITICISM, PenaltyKind.FINE})


# --- configuration -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DisclosurePolicy:
    """Provincial settings for P-PERIOD and P-REPAIR.

    * ``low_fine_max_yuan``: the 较低数额罚款 of P-PERIOD; a fine at or below it is shown for 3
      months. The provincial AMR defines it [U]; default 3,000 yuan.
    * ``repair_min_months`` / ``long_repair_min_months``: how long a decision must have been shown
      before early stop (信用修复) may be granted: 6 months, 12 months for ``long_repair_categories``
      (food, drugs, special equipment) [S, 《市场监督管理信用修复管理办法》].
    """

    low_fine_max_yuan: Decimal = Decimal(3000)
    repair_min_months: int = 6
    long_repair_min_months: int = 12
    long_repair_categories: frozenset[str] = frozenset({"food", "drugs", "special_equipment"})
    source: str = field(default="DOMAIN.md defaults (P-PERIOD, P-REPAIR)", compare=False)

    def __post_init__(self) -> None:
        amount = self.low_fine_max_yuan
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
            raise ValueError(f"disclosure policy: low_fine_max_yuan must be a non-negative amount, "
                             f"got {amount!r}")
        for name in ("repair_min_months", "long_repair_min_months"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"disclosure policy: {name} must be a positive whole number of months, "
                                 f"got {value!r}")
        if not isinstance(self.long_repair_categories, frozenset) or not all(
                isinstance(c, str) for c in self.long_repair_categories):
            raise ValueError("disclosure policy: long_repair_categories must be a set of category names")

    def repair_months(self, category: str) -> int:
        """P-REPAIR: months a decision of ``category`` must have been shown before early stop."""
        if _norm_category(category) in {_norm_category(c) for c in self.long_repair_categories}:
            return self.long_repair_min_months
        return self.repair_min_months

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "DisclosurePolicy":
        """An operator's settings; a key left out keeps its default. Bad values raise ``ValueError``."""
        if not isinstance(values, Mapping):
            raise ValueError("disclosure policy must be a mapping")
        kwargs: dict[str, Any] = {"source": str(values.get("source", "operator configuration"))}
        if "low_fine_max_yuan" in values:
            raw = values["low_fine_max_yuan"]
            if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
                raise ValueError(f"disclosure policy: low_fine_max_yuan must be a number, got {raw!r}")
            try:
                kwargs["low_fine_max_yuan"] = Decimal(str(raw))
            except InvalidOperation:
                raise ValueError(f"disclosure policy: low_fine_max_yuan must be a number, got {raw!r}") from None
        for name in ("repair_min_months", "long_repair_min_months"):
            if name in values:
                kwargs[name] = values[name]
        if "long_repair_categories" in values:
            raw = values["long_repair_categories"]
            if isinstance(raw, str) or not isinstance(raw, (list, tuple, set, frozenset)):
                raise ValueError("disclosure policy: long_repair_categories must be a list of names")
            kwargs["long_repair_categories"] = frozenset(raw)
        return cls(**kwargs)


DEFAULT_POLICY = DisclosurePolicy()


class _WorkingDays(Protocol):
    def add_working_days(self, start: date, n: int) -> date: ...


# --- P-SCOPE ---------------------------------------------------------------------------------------

def in_scope(procedure: str, penalty: Penalty) -> bool:
    """P-SCOPE [P art. 2]: is the decision published?

    Every ordinary-procedure (普通程序) decision is published, except a warning-only one (仅警告).
    Simplified-procedure (简易程序, 当场处罚) decisions are not published (S-SIMPLE).

    :raises ValueError: unknown procedure, or a penalty with no kind.
    """
    if procedure not in ("ordinary", "simplified"):
        raise ValueError(f"P-SCOPE: unknown procedure {procedure!r} (expected 'ordinary' or 'simplified')")
    if not penalty.kinds:
        raise ValueError("P-SCOPE: a penalty decision names at least one kind of penalty")
    return procedure == "ordinary" and not penalty.is_warning_only


# --- P-REDACT --------------------------------------------------------------------------------------

# Full-width ASCII (０-９, Ａ-Ｚ, ＋, －, （, ）...) and the ideographic space are matched as their
# ASCII forms. The translation is one character for one character, so match positions in the
# translated text are positions in the original.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

_B = r"(?<![0-9A-Za-z])"                      # no letter or digit just before
_E = r"(?![0-9A-Za-z]|\.\d|\s*[万亿]?元)"      # none just after, and not an amount (…元, …万元)
_PHONE_PREFIX = r"(?:(?:\+|00)86[- ]?)"

_ID18 = re.compile(_B + r"\d{17}[\dXx]" + _E, re.ASCII)
_ID15 = re.compile(_B + r"\d{15}" + _E, re.ASCII)
_MOBILE = re.compile(_B + _PHONE_PREFIX + r"?1[3-9]\d(?:[- ]?\d{4}){2}" + _E, re.ASCII)
_LANDLINE = re.compile(
    _B + r"(?:" + _PHONE_PREFIX + r"[(（]?0?\d{2,3}[)）]?|[(（]0\d{2,3}[)）]|0\d{2,3})"
    + r"[- ]?\d{7,8}" + _E, re.ASCII)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_uscc(code: str) -> bool:
    """R-USCC: 18 characters of the code's alphabet with a correct GB 32100 check character.

    Lenient on purpose, for redaction's scan of free text: letters are compared without case and
    the organisation code's own check digit (pos 17) is not checked. Strict validation of a code
    someone submits is :func:`shared.law.uscc.validate`.
    """
    code = code.upper()
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return False
    return _uscc_check_character(code[:17]) == code[17]


def resident_id_check_digit(first17: str) -> str:
    """GB 11643: the check digit of a resident identity number's first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def valid_resident_id(number: str) -> bool:
    """GB 11643: 17 digits, a plausible birth date (digits 7-14) and the correct check digit."""
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit() or not _birth_date_plausible(number[6:14]):
        return False
    return resident_id_check_digit(number[:17]) == number[17]


def _birth_date_plausible(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1850 <= born.year <= 2100


def _party_kind(party: Mapping[str, Any]) -> PartyKind:
    """The party's kind; without one, a party with a USCC is an organisation, else a natural person."""
    kind = party.get("kind")
    if kind is None:
        return PartyKind.ORGANISATION if party.get("uscc") else PartyKind.NATURAL_PERSON
    try:
        return PartyKind(kind)
    except ValueError:
        raise ValueError(f"unknown party kind {kind!r}") from None


def _literal_strings(party: Mapping[str, Any], trade_secrets: Sequence[str]) -> list[str]:
    kind = _party_kind(party)
    keys = ["id_number", "phone"]
    if kind is not PartyKind.ORGANISATION:
        keys.append("address")  # a natural person's (or individual business's) address
    found: list[str] = []
    for key in keys:
        value = party.get(key)
        if isinstance(value, str) and value.strip():
            found.append(value.strip())
    if isinstance(trade_secrets, str):
        raise TypeError("trade_secrets must be a sequence of strings, not a single string")
    for secret in trade_secrets:
        if not isinstance(secret, str):
            raise TypeError(f"trade secret {secret!r} is not a string")
        if secret.strip():
            found.append(secret.strip())
    return found


def redact(text: str, *, party: Mapping[str, Any], trade_secrets: Sequence[str] = ()) -> str:
    """P-REDACT [P arts. 6-7]: remove personal information and trade secrets; keep everything else.

    Each removed piece becomes :data:`REDACTED` (【已隐去】). Removed, wherever they appear:

    1. Resident ID numbers (居民身份证号码): any ``17 digits + [0-9Xx]`` token, whatever its check
       digit (a mistyped ID is still personal data). Exception: an all-digit unified social credit
       code (USCC, which is not personal information) is kept when it is the party's own ``uscc``,
       or when it has a valid GB 32100 check character and digits 7-14 are not a plausible birth
       date. Old 15-digit IDs: a 15-digit token whose digits 7-12 are a valid ``YYMMDD`` date (an
       old 15-digit business registration number 注册号, e.g. ``445200000012345``, is kept).
    2. Phone numbers: mainland mobiles ``1[3-9]`` + 9 digits (also written 3-4-4 with ``-`` or
       spaces) and landlines ``0`` + 2-3 digit area code + 7-8 digits (``0663-8888888``,
       ``(0663)8888888``), each with an optional ``+86``/``0086`` prefix. All phone numbers are
       removed, whoever's they are: a number in a decision can rarely be told to be a business's.
       A landline without its area code cannot be told from other numbers and is only removed when
       it is the party's ``phone``.
    3. The party's own ``id_number`` and ``phone`` (any kind of party) and ``address`` (natural
       person or individual business; an organisation's registered address is public), as exact
       substrings (letters compared without case; full-width forms match their ASCII forms).
    4. Each string of ``trade_secrets``, as an exact substring.

    Kept: names (a natural person's name is published, see :func:`public_fields`; an individual
    business's operator name is its business name), organisations' USCCs, amounts (a number
    followed by 元/万元 or a decimal part is never a phone or an ID), dates, decision numbers.
    Number tokens are matched only when no letter or digit touches them. Blank strings in
    ``party`` or ``trade_secrets`` are ignored.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__}")
    norm = text.translate(_FULLWIDTH)
    spans: list[tuple[int, int]] = []

    literals = sorted({s.translate(_FULLWIDTH) for s in _literal_strings(party, trade_secrets)},
                      key=len, reverse=True)
    if literals:
        pattern = re.compile("|".join(re.escape(s) for s in literals), re.IGNORECASE)
        spans.extend(m.span() for m in pattern.finditer(norm))

    own_uscc = party.get("uscc")
    own_uscc = own_uscc.strip().translate(_FULLWIDTH).upper() if isinstance(own_uscc, str) else None
    for m in _ID18.finditer(norm):
        token = m.group().upper()
        if token == own_uscc or (valid_uscc(token) and not _birth_date_plausible(token[6:14])):
            continue  # an organisation's code, not a person's ID number
        spans.append(m.span())
    for m in _ID15.finditer(norm):
        token = m.group()
        if _birth_date_plausible("19" + token[6:12]):
            spans.append(m.span())
    spans.extend(m.span() for m in _MOBILE.finditer(norm))
    spans.extend(m.span() for m in _LANDLINE.finditer(norm))

    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    position = 0
    for start, end in merged:
        out.append(text[position:start])
        out.append(REDACTED)
        position = end
    out.append(text[position:])
    return "".join(out)


# --- P-FIELDS --------------------------------------------------------------------------------------

def _amount(value: Any, name: str) -> Decimal:
    return amount_in_yuan(value, f"penalty.{name}", missing_is_zero=True)


def penalty_of(decided: Mapping[str, Any]) -> Penalty:
    """The :class:`Penalty` of a ``penalty.decided`` (v1) event's ``data``.

    Amounts arrive as JSON numbers and are read through ``Decimal(str(x))``.

    :raises ValueError: no kinds, an unknown kind or a bad amount.
    """
    raw = decided.get("penalty")
    if not isinstance(raw, Mapping) or not isinstance(raw.get("kinds"), list) or not raw["kinds"]:
        raise ValueError("penalty.decided: penalty.kinds must be a non-empty list")
    try:
        kinds = frozenset(PenaltyKind(k) for k in raw["kinds"])
    except ValueError as exc:
        raise ValueError(f"penalty.decided: unknown penalty kind ({exc})") from None
    return Penalty(kinds=kinds,
                   fine_yuan=_amount(raw.get("fine_amount_yuan"), "fine_amount_yuan"),
                   confiscation_yuan=_amount(raw.get("confiscation_amount_yuan"), "confiscation_amount_yuan"))


def _yuan(amount: Decimal) -> str:
    return f"人民币{format(amount.quantize(_CENT, rounding=ROUND_HALF_UP), 'f')}元"


def penalty_content(penalty: Penalty) -> str:
    """P-FIELDS: 行政处罚内容, one Chinese clause per kind in the order of 行政处罚法 art. 9, joined
    with "；": e.g. ``罚款人民币150000.00元`` or ``警告；罚款人民币2000.00元``. Confiscation of gains
    and of property share the event's single confiscation amount; an amount of 0 is not stated."""
    clauses: list[str] = []
    gains = PenaltyKind.CONFISCATE_GAINS in penalty.kinds
    goods = PenaltyKind.CONFISCATE_PROPERTY in penalty.kinds
    for kind in PenaltyKind:  # declaration order is art. 9's order
        if kind not in penalty.kinds:
            continue
        if kind is PenaltyKind.FINE:
            clauses.append(f"罚款{_yuan(penalty.fine_yuan)}")
        elif kind is PenaltyKind.CONFISCATE_GAINS:
            amount = penalty.confiscation_yuan
            if goods:
                clauses.append("没收违法所得和非法财物" + (f"（合计{_yuan(amount)}）" if amount else ""))
            else:
                clauses.append("没收违法所得" + (_yuan(amount) if amount else ""))
        elif kind is PenaltyKind.CONFISCATE_PROPERTY:
            if not gains:
                amount = penalty.confiscation_yuan
                clauses.append("没收非法财物" + (f"（价值{_yuan(amount)}）" if amount else ""))
        else:
            clauses.append(KIND_LABELS[kind])
    return "；".join(clauses)


def decision_date(decided: Mapping[str, Any]) -> date:
    """P-FIELDS: the decision date, the Asia/Shanghai date of ``decided_at`` (C-WD).

    An aware timestamp is converted to Shanghai time first (``2026-11-24T17:00:00Z`` is
    2026-11-25); a naive one is taken as Shanghai local time.
    """
    raw = decided.get("decided_at")
    if raw is None:
        raise ValueError("penalty.decided: decided_at is required")
    try:
        return shanghai_date(raw)
    except ValueError:
        raise ValueError(f"penalty.decided: decided_at {raw!r} is not an ISO date-time") from None


def _public_party(subject: Mapping[str, Any]) -> dict[str, str]:
    kind = _party_kind(subject)
    name = subject.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("penalty.decided: subject.name is required")
    party = {"kind": kind.value, "name": name}
    uscc = subject.get("uscc")
    if kind is not PartyKind.NATURAL_PERSON and isinstance(uscc, str) and uscc.strip():
        party["uscc"] = uscc.strip()
    return party


def public_fields(decided: Mapping[str, Any], *, authority: str = "揭阳市揭东区市场监督管理局",
                  trade_secrets: Sequence[str] = ()) -> dict[str, Any]:
    """P-FIELDS [P art. 4]: the published summary (行政处罚信息摘要) and decision text of a
    ``penalty.decided`` (v1) event's ``data``. Keys (Chinese labels in :data:`FIELD_LABELS`):

    * ``decision_no``: 决定书文号;
    * ``party``: 当事人基本情况 — ``{"kind", "name", "uscc"}`` for an organisation or individual
      business (``uscc`` when known), ``{"kind", "name"}`` for a natural person: the name is
      published, the ID number, phone and address are not (P-REDACT);
    * ``violation_type``: 违法行为类型, the decision's ``category``;
    * ``penalty_content``: 行政处罚内容, see :func:`penalty_content`;
    * ``authority``: the deciding authority; ``decided_on``: the decision date (ISO, Shanghai date
      of ``decided_at``, see :func:`decision_date`);
    * ``decision_text``: the facts, then ``处罚依据：`` and the legal basis joined with "；",
      redacted by :func:`redact` with the subject as the party (P-REDACT).

    Whether the decision is published at all is :func:`in_scope`'s question, not this function's.

    :raises ValueError: a required field is missing or malformed.
    """
    decision_no = decided.get("decision_no")
    if not isinstance(decision_no, str) or not decision_no.strip():
        raise ValueError("penalty.decided: decision_no is required")
    subject = decided.get("subject")
    if not isinstance(subject, Mapping):
        raise ValueError("penalty.decided: subject is required")
    facts = decided.get("facts") or ""
    basis = decided.get("legal_basis") or []
    if not isinstance(facts, str) or not isinstance(basis, list) or not all(isinstance(b, str) for b in basis):
        raise ValueError("penalty.decided: facts must be text and legal_basis a list of texts")
    parts = [facts.strip()] if facts.strip() else []
    if basis:
        parts.append("处罚依据：" + "；".join(b.strip() for b in basis))
    return {
        "decision_no": decision_no,
        "party": _public_party(subject),
        "violation_type": decided.get("category") or "",
        "penalty_content": penalty_content(penalty_of(decided)),
        "authority": authority,
        "decided_on": decision_date(decided).isoformat(),
        "decision_text": redact("\n".join(parts), party=subject, trade_secrets=trade_secrets),
    }


# --- P-DUE, P-WITHDRAW -------------------------------------------------------------------------------

def publication_due(decided_on: date, cal: _WorkingDays) -> date:
    """P-DUE [P art. 9]: last day to publish, 20 working days after the decision date (the decision
    day is not counted)."""
    return cal.add_working_days(decided_on, PUBLICATION_WD)


def withdrawal_due(changed_on: date, cal: _WorkingDays) -> date:
    """P-WITHDRAW [P art. 11]: last day to withdraw the publication (with the reason), 3 working days
    after the decision was changed, revoked, confirmed illegal or annulled."""
    return cal.add_working_days(changed_on, WITHDRAWAL_WD)


# --- P-PERIOD ----------------------------------------------------------------------------------------

def _add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` months; a day the target month lacks becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def _last_day_shown(published_on: date, months: int) -> date:
    """Last day of an N-month display that starts (is first shown) on ``published_on``.

    Through the day before the same day N months later, month-end clamped
    (《民法典》 art. 202): ``(published_on - 1 day) + N months``.
    """
    return _add_months(published_on - _ONE_DAY, months)


def _require_date(value: Any, name: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def short_display(penalty: Penalty, policy: DisclosurePolicy = DEFAULT_POLICY) -> bool:
    """P-PERIOD: is the decision shown for 3 months only?

    Yes for 通报批评 and for a low fine (罚款 ≤ ``policy.low_fine_max_yuan``), alone or together with
    each other or a warning; any other kind of penalty, or a higher fine, means 3 years.
    """
    kinds = penalty.kinds
    if not kinds <= _LIGHT_KINDS or not kinds & {PenaltyKind.CIRCULATED_CRITICISM, PenaltyKind.FINE}:
        return False
    return PenaltyKind.FINE not in kinds or penalty.fine_yuan <= policy.low_fine_max_yuan


def display_period_ends(published_on: date, penalty: Penalty, policy: DisclosurePolicy = DEFAULT_POLICY,
                        *, restriction_until: date | None = None) -> date:
    """P-PERIOD [P art. 13]: the last day the decision is shown; it is taken down the day after.

    3 months for 通报批评 or a low fine (:func:`short_display`), 3 years otherwise. The day of
    publication is the first day shown; "N months" runs through the day before the same day N months
    later, month-end clamped: published 2026-11-25 → 2027-02-24, 2026-11-30 → 2027-02-28.

    ``restriction_until``: the last day of a 限制开展生产经营活动 or 限制从业 penalty; when it is
    later than the 3-year end, the decision is shown until then (the actual restriction period).

    :raises ValueError: a warning-only or empty penalty (not published: P-SCOPE).
    """
    _require_date(published_on, "published_on")
    if not penalty.kinds or penalty.is_warning_only:
        raise ValueError("P-PERIOD: a warning-only decision is not published (P-SCOPE)")
    if short_display(penalty, policy):
        return _last_day_shown(published_on, SHORT_DISPLAY_MONTHS)
    end = _last_day_shown(published_on, 12 * LONG_DISPLAY_YEARS)
    restricted = penalty.kinds & {PenaltyKind.RESTRICT_BUSINESS, PenaltyKind.BAN_PRACTISING}
    if restricted and restriction_until is not None:
        _require_date(restriction_until, "restriction_until")
        end = max(end, restriction_until)
    return end


def is_displayed(published_on: date, penalty: Penalty, on: date, policy: DisclosurePolicy = DEFAULT_POLICY,
                 *, restriction_until: date | None = None) -> bool:
    """P-PERIOD: is the decision shown on ``on``? From ``published_on`` through
    :func:`display_period_ends`, both included (early stop under P-REPAIR aside)."""
    _require_date(on, "on")
    return published_on <= on <= display_period_ends(published_on, penalty, policy,
                                                     restriction_until=restriction_until)


# --- P-REPAIR ----------------------------------------------------------------------------------------

def _norm_category(category: str) -> str:
    return category.strip().lower()


def repair_refusal(*, published_on: date, on: date, penalty: Penalty, category: str, performed: bool,
                   harm_removed: bool, repeat_penalty: bool, on_list: bool,
                   policy: DisclosurePolicy = DEFAULT_POLICY) -> str | None:
    """P-REPAIR [P art. 14; S 《市场监督管理信用修复管理办法》]: may publication stop early (信用修复)
    on an application made on ``on``? ``None`` when it may; otherwise a sentence naming P-REPAIR and
    every reason it may not.

    * Never for 责令停产停业, 责令关闭, 限制开展生产经营活动, 限制从业, 降低资质等级, 吊销许可证件
      or 暂扣许可证件 (:data:`NO_REPAIR_KINDS`), whatever else holds.
    * Not for a 3-month display (通报批评, low fine: P-PERIOD): it simply ends.
    * Otherwise all of: shown for ``policy.repair_months(category)`` months (6; 12 for food, drugs,
      special equipment) — fully shown from the day after the last day of that many months under
      the P-PERIOD convention (published 2026-05-25 → from 2026-11-25); the party performed the
      decision (``performed``); removed the harm and adverse effects (``harm_removed``); was not
      penalised again for the same type of violation (``repeat_penalty`` false); is on neither the
      abnormal-operations list nor the serious-violation list (``on_list`` false).
    """
    _require_date(published_on, "published_on")
    _require_date(on, "on")
    barred = penalty.kinds & NO_REPAIR_KINDS
    if barred:
        names = "、".join(KIND_LABELS[k] for k in PenaltyKind if k in barred)
        return (f"P-REPAIR: no early stop (信用修复) for a decision of {names}: art. 14 excludes it; "
                "it stays published for its full period (P-PERIOD).")
    if short_display(penalty, policy):
        return ("P-REPAIR: no early stop (信用修复) for 通报批评 or a low fine: it is shown for "
                f"{SHORT_DISPLAY_MONTHS} months only and then taken down (P-PERIOD).")
    reasons: list[str] = []
    months = policy.repair_months(category)
    eligible_from = _last_day_shown(published_on, months) + _ONE_DAY
    if on < eligible_from:
        reasons.append(f"shown since {published_on.isoformat()}, less than {months} months "
                       f"(category {category!r}); an application is possible from {eligible_from.isoformat()}")
    if not performed:
        reasons.append("the party has not performed the decision (未履行行政处罚决定)")
    if not harm_removed:
        reasons.append("the harm and adverse effects have not been removed (未主动消除危害后果和不良影响)")
    if repeat_penalty:
        reasons.append("the party was penalised again for the same type of violation (再次受到同类行政处罚)")
    if on_list:
        reasons.append("the party is on the abnormal-operations list or the serious-violation list "
                       "(列入经营异常名录或严重违法失信名单)")
    if not reasons:
        return None
    return "P-REPAIR: early stop (信用修复) refused: " + "; ".join(reasons) + "."
