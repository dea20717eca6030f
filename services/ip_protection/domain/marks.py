"""Marks the district protects: ordinary trademarks (商标), geographical-indication marks registered
as certification or collective marks (地理标志证明商标 / 地理标志集体商标) and GI products
(地理标志保护产品). The facts that rules T-INFRINGE, G-USE and G-INFRINGE need about a mark: is it
registered and in force on a day (商标法 arts. 39-40), does trademark law apply to it (G-FINE: where
it does, it governs), and does an origin lie in its defined region (G-USE, 商标法 art. 16). Pure Python.

:func:`seed_marks` holds the two marks named in the district's plan ("Facts from the district's
plan", DOMAIN.md): 埔田竹笋 (registered January 2019, the district's first agricultural GI trademark)
and 东寮芋 (application accepted). Every value the plan does not state is listed in the mark's
``unconfirmed`` field, so that the register can show it as such until an officer confirms it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from enum import Enum
from typing import Any, Mapping

from services.ip_protection.domain.names import normalise

__all__ = [
    "TRADEMARK_TERM_YEARS",
    "MarkKind",
    "MarkStatus",
    "Mark",
    "trademark_term_end",
    "seed_marks",
    "PUTIAN_BAMBOO_SHOOTS_ID",
    "DONGLIAO_TARO_ID",
]

#: 商标法 art. 39: 注册商标的有效期为十年，自核准注册之日起计算. A renewal (art. 40) adds ten more
#: years and is entered in the register as a new ``valid_until``.
TRADEMARK_TERM_YEARS = 10


class MarkKind(str, Enum):
    TRADEMARK = "trademark"                         # 普通商标 (商品商标)
    GI_CERTIFICATION = "gi_certification_mark"      # 地理标志证明商标 (商标法 art. 16; 实施条例 art. 4)
    GI_COLLECTIVE = "gi_collective_mark"            # 地理标志集体商标 (实施条例 art. 4)
    GI_PRODUCT = "gi_product"                       # 地理标志保护产品 (CNIPA; not a trademark)


class MarkStatus(str, Enum):
    APPLICATION = "application"    # 申请已受理: no exclusive right yet (商标法 art. 3)
    REGISTERED = "registered"      # 核准注册 (for a GI product: 批准保护)
    EXPIRED = "expired"            # 有效期满未续展, 注销 (商标法 art. 40)
    REVOKED = "revoked"            # 撤销 / 宣告无效 (商标法 arts. 44-45, 49)


_GI_KINDS = frozenset({MarkKind.GI_CERTIFICATION, MarkKind.GI_COLLECTIVE, MarkKind.GI_PRODUCT})
# Trademark law (商标法) applies to the three registered-mark kinds; a GI product is protected by
# 《地理标志产品保护办法》 and 广东省地理标志条例 only.
_TRADEMARK_KINDS = frozenset({MarkKind.TRADEMARK, MarkKind.GI_CERTIFICATION, MarkKind.GI_COLLECTIVE})

# Administrative suffixes of a division name. Labels and addresses often write the bare name
# (埔田 for 埔田镇), so a division also matches by its stem when the stem keeps ≥ 2 characters.
_DIVISION_SUFFIXES = ("街道办事处", "居委会", "街道", "社区", "镇", "乡", "村", "区", "县", "市", "省")


def trademark_term_end(registered_on: date, years: int = TRADEMARK_TERM_YEARS) -> date:
    """The last day of a registration term (商标法 art. 39): ``years`` years from the registration
    day, less one day (2019-01-14 → 2029-01-13). A 29 February registration ends on 28 February."""
    try:
        anniversary = registered_on.replace(year=registered_on.year + years)
    except ValueError:  # 29 February into a common year: the term runs to the end of February
        anniversary = date(registered_on.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def _date(name: str, value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from None
    if isinstance(value, date):
        return value.date() if hasattr(value, "hour") else value  # a datetime counts by its day
    raise ValueError(f"{name} must be a date, got {value!r}")


def _strings(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    try:
        items = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{name} must be a list of strings, got {value!r}") from None
    if not all(isinstance(v, str) for v in items):
        raise ValueError(f"{name} must be a list of strings, got {value!r}")
    return items


def _division_keys(division: str) -> tuple[str, ...]:
    """The normalised division and, where it ends with an administrative suffix, its stem."""
    full = normalise(division)
    keys = [full] if full else []
    for suffix in _DIVISION_SUFFIXES:
        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
            keys.append(full[: -len(suffix)])
            break
    return tuple(keys)


@dataclass(frozen=True)
class Mark:
    """One protected mark.

    - ``registrant``: 商标注册人 (for an application: the applicant; for a GI product: the applicant
      for protection, usually a local government or association).
    - ``goods``: 核定使用的商品 — goods descriptions or Nice classes, as strings.
    - ``valid_from`` / ``valid_until``: the registration term, both days included (商标法 art. 39;
      see :func:`trademark_term_end`); ``None`` = not known or open (a GI product has no term).
    - ``region``: the defined production area (地域范围) as administrative divisions (镇, 村...);
      required for GI kinds, empty for an ordinary trademark.
    - ``product_standard``: the GI's product standard or use rules (产品标准 / 使用管理规则).
    - ``unconfirmed``: the field names whose values the district's plan does not confirm.
    """

    mark_id: str
    name: str
    kind: MarkKind
    status: MarkStatus
    registrant: str
    registration_number: str | None = None
    goods: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None
    region: tuple[str, ...] = ()
    product_standard: str | None = None
    unconfirmed: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("mark_id", "name", "registrant"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"mark {name} must be a non-empty string, got {value!r}")
        if not normalise(self.name):
            raise ValueError(f"mark name {self.name!r} has no letters or characters to match on")
        try:
            object.__setattr__(self, "kind", MarkKind(self.kind))
            object.__setattr__(self, "status", MarkStatus(self.status))
        except ValueError as exc:
            raise ValueError(f"mark {self.mark_id}: {exc}") from None
        for name in ("registration_number", "product_standard"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"mark {name} must be a string or null, got {value!r}")
        for name in ("goods", "region", "unconfirmed"):
            object.__setattr__(self, name, _strings(name, getattr(self, name)))
        for name in ("valid_from", "valid_until"):
            object.__setattr__(self, name, _date(name, getattr(self, name)))
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(f"mark {self.mark_id}: valid_until {self.valid_until} is before valid_from "
                             f"{self.valid_from}")
        # A GI is defined by its region (商标法 art. 16); without one no origin can be judged.
        if self.is_gi and not any(_division_keys(d) for d in self.region):
            raise ValueError(f"mark {self.mark_id}: a geographical indication needs its region "
                             "(administrative divisions)")
        known = {f.name for f in fields(self)} - {"unconfirmed"}
        unknown = set(self.unconfirmed) - known
        if unknown:
            raise ValueError(f"mark {self.mark_id}: unconfirmed names unknown fields: "
                             f"{', '.join(sorted(unknown))}")

    @property
    def is_gi(self) -> bool:
        """A geographical indication in any of its three legal forms (G-USE, G-INFRINGE)."""
        return self.kind in _GI_KINDS

    @property
    def is_trademark(self) -> bool:
        """Trademark law (商标法) applies: T-INFRINGE / T-FINE, and it governs over G-FINE."""
        return self.kind in _TRADEMARK_KINDS

    def in_force(self, on: date) -> bool:
        """Registered (not only applied for, expired or revoked) and ``on`` within the term, both
        ends included. A renewal, including one made in the six-month grace period (宽展期, 商标法
        art. 40), is entered as a new ``valid_until``; until then the lapsed term counts as lapsed."""
        if self.status is not MarkStatus.REGISTERED:
            return False
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_until is None or on <= self.valid_until

    def lapsed(self, on: date) -> bool:
        """The registration ended by expiry by ``on`` (status expired, or the term is over)."""
        if self.status is MarkStatus.EXPIRED:
            return True
        return (self.status is MarkStatus.REGISTERED and self.valid_until is not None
                and on > self.valid_until)

    def origin_in_region(self, origin: str) -> bool:
        """Does the origin text (an address, 产地 on a label) name one of the region's divisions?
        Compared on :func:`~services.ip_protection.domain.names.normalise`\\ d text, a division also by
        its stem (埔田 for 埔田镇). Empty origin, or a mark without a region → False."""
        text = normalise(origin) if isinstance(origin, str) else ""
        if not text:
            return False
        return any(key in text for division in self.region for key in _division_keys(division))

    # -- JSON -------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "mark_id": self.mark_id,
            "name": self.name,
            "kind": self.kind.value,
            "status": self.status.value,
            "registrant": self.registrant,
            "registration_number": self.registration_number,
            "goods": list(self.goods),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "region": list(self.region),
            "product_standard": self.product_standard,
            "unconfirmed": list(self.unconfirmed),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Mark":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown mark fields: {', '.join(sorted(unknown))}")
        missing = {"mark_id", "name", "kind", "status", "registrant"} - set(data)
        if missing:
            raise ValueError(f"mark is missing: {', '.join(sorted(missing))}")
        return cls(**dict(data))


PUTIAN_BAMBOO_SHOOTS_ID = "gi-putian-bamboo-shoots"
DONGLIAO_TARO_ID = "gi-dongliao-taro"

# The plan says only "In January 2019 '埔田竹笋' was registered"; the day is a placeholder.
_PUTIAN_REGISTERED_ON = date(2019, 1, 14)


def seed_marks() -> tuple[Mark, ...]:
    """The district's two GI marks from the plan, with stable ids.

    埔田竹笋: registered January 2019 as the district's first agricultural GI *trademark*. Whether it
    is a certification or a collective mark, its registrant, number, exact day, goods list, protected
    area and product standard are not in the plan (DOMAIN-NOTES 6.3: not found), hence ``unconfirmed``.
    (埔田竹笋 is separately a 地理标志保护产品 approved in 2005 [S]; that is a different legal form
    and would be a separate GI_PRODUCT mark.)

    东寮芋: an application was accepted (申请已受理); not registered, so no exclusive right yet.
    Its legal form, applicant, goods and area are unconfirmed (DOMAIN-NOTES 6.4).
    """
    return (
        Mark(
            mark_id=PUTIAN_BAMBOO_SHOOTS_ID,
            name="埔田竹笋",
            kind=MarkKind.GI_CERTIFICATION,
            status=MarkStatus.REGISTERED,
            registrant="（注册人未确认）",
            registration_number=None,
            goods=("竹笋", "麻竹笋"),
            valid_from=_PUTIAN_REGISTERED_ON,
            valid_until=trademark_term_end(_PUTIAN_REGISTERED_ON),
            region=("埔田镇",),
            product_standard=None,
            unconfirmed=("kind", "registrant", "registration_number", "goods", "valid_from",
                         "valid_until", "region", "product_standard"),
        ),
        Mark(
            mark_id=DONGLIAO_TARO_ID,
            name="东寮芋",
            kind=MarkKind.GI_CERTIFICATION,
            status=MarkStatus.APPLICATION,
            registrant="（申请人未确认）",
            registration_number=None,
            goods=("芋头",),
            region=("东寮村",),  # 玉湖镇东寮村 [S]; matched by the village, its town is unconfirmed
            product_standard=None,
            unconfirmed=("kind", "registrant", "registration_number", "goods", "region",
                         "product_standard"),
        ),
    )
