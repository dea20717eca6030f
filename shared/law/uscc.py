"""The unified social credit code (统一社会信用代码, GB 32100-2015): rule R-USCC of DOMAIN.md
(background in DOMAIN-NOTES.md section 5.1). Pure Python: no nameko, SQLAlchemy or AMQP.

An 18-character code from :data:`ALPHABET` (31 characters: no I, O, S, V or Z)::

    9 1 445203 MA5CJQ4N5 9
    | | |      |         `- pos 18: check character (校验码), GB 32100, mod 31
    | | |      `----------- pos 9-17: organisation code (主体标识码 / 组织机构代码), GB 11714;
    | | |                   pos 17 is its own check digit, mod 11
    | | `------------------ pos 3-8: administrative division of the registering authority (GB/T 2260)
    | `-------------------- pos 2: entity category (机构类别代码), see :class:`EntityCategory`
    `---------------------- pos 1: registration authority (登记管理部门代码); 9 = market regulation

:func:`validate` is strict (a form, an API body): it reports the first failing check as an
:class:`InvalidUscc` naming the check, the position and what was expected, and never upper-cases
silently. :func:`shared.law.disclosure.valid_uscc` is the lenient variant redaction uses on free text.
:func:`generate` makes valid codes for new registrations in the district (demo and synthetic data).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = [
    "ALPHABET",
    "LENGTH",
    "CHECK_WEIGHTS",
    "ORGANISATION_WEIGHTS",
    "MARKET_REGULATION",
    "JIEDONG_DIVISION",
    "SERIAL_LIMIT",
    "EntityCategory",
    "InvalidUscc",
    "UsccParts",
    "check_character",
    "organisation_check_digit",
    "validate",
    "is_valid",
    "parse",
    "generate",
]

#: R-USCC: the 31 characters a code may use; a character's value is its index here (pos 1-18).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
#: R-USCC: weights of pos 1-17 for the check character (pos 18); they are 3**i mod 31.
CHECK_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: R-USCC / GB 11714: weights of pos 9-16 for the organisation code's check digit (pos 17).
ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

#: R-USCC: registration-authority code (登记管理部门代码) of market regulation (工商 / 市场监管).
MARKET_REGULATION = "9"
#: R-USCC: administrative division code of Jiedong district (揭阳市揭东区) [U]: unconfirmed, as in
#: DOMAIN.md; pass ``division=`` to :func:`generate` if the registering authority uses another.
JIEDONG_DIVISION = "445203"

#: :func:`generate`: serials 0 .. SERIAL_LIMIT-1 fit the 6 base-31 characters after "MA".
SERIAL_LIMIT = 31 ** 6
#: :func:`generate`: the prefix of organisation codes assigned since 2015 (e.g. 91440101MA5CJQ4N59).
_NEW_CODE_PREFIX = "MA"

_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# GB 11714 values a character by its place in the Latin alphabet (A=10 ... Z=35), not by its index
# in ALPHABET: the organisation code predates GB 32100 and its 36-character set.
_GB11714_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_EXCLUDED = "IOSVZ"
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")


class EntityCategory(str, Enum):
    """R-USCC pos 2 (机构类别代码) under registration authority 9 (market regulation)."""
    ENTERPRISE = "enterprise"                    # 企业, code "1"
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户, code "2"
    COOPERATIVE = "cooperative"                  # 农民专业合作社, code "3"

    @property
    def code(self) -> str:
        """The category's character at pos 2 of a code registered by market regulation."""
        return _CATEGORY_CODES[self]

    @classmethod
    def from_code(cls, code: str) -> "EntityCategory":
        """The category whose pos-2 character is ``code``; ``ValueError`` for any other."""
        for category, char in _CATEGORY_CODES.items():
            if char == code:
                return category
        raise ValueError(f"R-USCC: {code!r} is not a market-regulation entity category "
                         "(1 enterprise, 2 individual business, 3 farmers' cooperative)")


_CATEGORY_CODES = {
    EntityCategory.ENTERPRISE: "1",
    EntityCategory.INDIVIDUAL_BUSINESS: "2",
    EntityCategory.COOPERATIVE: "3",
}


class InvalidUscc(ValueError):
    """R-USCC: a code failed one check.

    * ``check``: which one, a machine id: ``"length"`` (also a value that is not a string),
      ``"lower_case"``, ``"alphabet"``, ``"organisation_check"`` (pos 17, GB 11714) or
      ``"check_character"`` (pos 18, GB 32100);
    * ``position``: the 1-based position at fault, ``None`` for ``"length"``;
    * ``code``: the value that was checked; ``str(exc)`` is the human message.
    """

    def __init__(self, check: str, message: str, *, position: int | None = None, code: object = None):
        super().__init__(message)
        self.check = check
        self.position = position
        self.code = code


@dataclass(frozen=True)
class UsccParts:
    """R-USCC: the parts of a valid code.

    ``category`` is ``None`` when the authority is not market regulation (9) or the category
    character is not one of 1, 2, 3; ``category_code`` always holds the raw pos-2 character.
    """
    authority: str           # pos 1, 登记管理部门代码
    category: EntityCategory | None
    division: str            # pos 3-8, 行政区划码
    organisation_code: str   # pos 9-17, 组织机构代码 (its check digit last)
    check: str               # pos 18, 校验码
    category_code: str = ""  # pos 2, 机构类别代码


def _require_alphabet(text: object, length: int, what: str) -> str:
    if not isinstance(text, str) or len(text) != length or any(c not in _VALUE for c in text):
        raise ValueError(f"R-USCC: {what} must be {length} characters of {ALPHABET}, got {text!r}")
    return text


def check_character(first17: str) -> str:
    """R-USCC: the check character (pos 18) of the first 17 characters:
    ``ALPHABET[(31 - Σ value_i × weight_i mod 31) mod 31]``. ``ValueError`` unless ``first17`` is
    17 characters of :data:`ALPHABET`."""
    _require_alphabet(first17, 17, "the first 17 characters")
    total = sum(_VALUE[c] * w for c, w in zip(first17, CHECK_WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_digit(first8: str) -> str:
    """R-USCC / GB 11714: the organisation code's check digit (pos 17) of its 8-character body
    (pos 9-16): ``11 - (Σ value_i × weight_i mod 11)``, 10 → ``X``, 11 → ``0``; a character's
    value is 0-9 for digits and A=10 ... Z=35. ``ValueError`` unless ``first8`` is 8 characters of
    0-9 and upper-case A-Z."""
    if not isinstance(first8, str) or len(first8) != 8 or any(c not in _GB11714_VALUE for c in first8):
        raise ValueError(f"R-USCC: an organisation code body is 8 characters of 0-9 and A-Z, got {first8!r}")
    total = sum(_GB11714_VALUE[c] * w for c, w in zip(first8, ORGANISATION_WEIGHTS))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def validate(code: str) -> str:
    """R-USCC: ``code`` unchanged if it is a valid unified social credit code.

    Otherwise raises :class:`InvalidUscc` for the first failing check, in this order: a string of
    18 characters (``length``); no lower-case letter (``lower_case``: never upper-cased silently);
    every character in :data:`ALPHABET` (``alphabet``); the organisation code's GB 11714 check
    digit at pos 17 (``organisation_check``); the check character at pos 18 (``check_character``).
    """
    if not isinstance(code, str):
        raise InvalidUscc("length", f"R-USCC: a code is a string of {LENGTH} characters, "
                                    f"got {type(code).__name__} {code!r}", code=code)
    if len(code) != LENGTH:
        raise InvalidUscc("length", f"R-USCC: {len(code)} characters, a code has {LENGTH}", code=code)
    for position, c in enumerate(code, 1):
        if c in _LOWER:
            raise InvalidUscc("lower_case", f"R-USCC: lower-case {c!r} at position {position}; "
                                            "codes are upper case", position=position, code=code)
    for position, c in enumerate(code, 1):
        if c not in _VALUE:
            if c in _EXCLUDED:
                why = "the code never uses I, O, S, V or Z"
            else:
                why = f"a code uses only {ALPHABET}"
            raise InvalidUscc("alphabet", f"R-USCC: {c!r} at position {position} is not allowed ({why})",
                              position=position, code=code)
    expected = organisation_check_digit(code[8:16])
    if code[16] != expected:
        raise InvalidUscc("organisation_check",
                          f"R-USCC: character 17 (organisation-code check digit, GB 11714) is "
                          f"{code[16]!r}, expected {expected!r}", position=17, code=code)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidUscc("check_character",
                          f"R-USCC: character 18 (check character) is {code[17]!r}, expected {expected!r}",
                          position=18, code=code)
    return code


def is_valid(code: object) -> bool:
    """R-USCC: does ``code`` pass :func:`validate`? Never raises."""
    try:
        validate(code)  # type: ignore[arg-type]
    except InvalidUscc:
        return False
    return True


def parse(code: str) -> UsccParts:
    """R-USCC: the parts of a valid code; raises :class:`InvalidUscc` as :func:`validate` does."""
    validate(code)
    category = None
    if code[0] == MARKET_REGULATION:
        try:
            category = EntityCategory.from_code(code[1])
        except ValueError:
            category = None  # another kind of market-regulation registration (e.g. a branch office)
    return UsccParts(authority=code[0], category=category, division=code[2:8], organisation_code=code[8:17],
                     check=code[17], category_code=code[1])


def generate(category: EntityCategory | str, serial: int, *, division: str = JIEDONG_DIVISION) -> str:
    """R-USCC: a valid code for a new market-regulation registration of ``category`` in ``division``.

    ``9`` + category code + division + organisation code + check character. The organisation code
    is ``MA`` (the prefix of codes assigned since 2015), ``serial`` as 6 base-31 characters of
    :data:`ALPHABET` (most significant first, so no I, O, S, V or Z), then its GB 11714 check digit
    (0-9 or X, both in ALPHABET). Distinct serials give distinct codes: the 6 characters are
    ``serial`` in base 31, a bijection on 0 .. :data:`SERIAL_LIMIT` - 1.

    :raises ValueError: ``serial`` outside 0 .. SERIAL_LIMIT - 1, ``division`` not 6 ASCII digits, or
        an unknown category.
    :raises TypeError: ``serial`` is not an integer.
    """
    category = EntityCategory(category)
    if isinstance(serial, bool) or not isinstance(serial, int):
        raise TypeError(f"R-USCC: serial must be an integer, not {type(serial).__name__}")
    if not 0 <= serial < SERIAL_LIMIT:
        raise ValueError(f"R-USCC: serial {serial} is outside 0 .. {SERIAL_LIMIT - 1} (6 base-31 characters)")
    if not isinstance(division, str) or len(division) != 6 or not all(c in "0123456789" for c in division):
        raise ValueError(f"R-USCC: an administrative division code is 6 digits, got {division!r}")
    digits = []
    for _ in range(6):
        serial, rest = divmod(serial, 31)
        digits.append(ALPHABET[rest])
    body = _NEW_CODE_PREFIX + "".join(reversed(digits))
    first17 = MARKET_REGULATION + category.code + division + body + organisation_check_digit(body)
    return first17 + check_character(first17)
