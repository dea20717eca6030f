"""Tests for the mark register's domain (services/ip_protection/domain/marks.py): validity of a
registration (商标法 arts. 39-40, T-INFRINGE needs a mark in force), which law applies (G-FINE:
trademark law governs where it applies), the GI region (G-USE), and the seed marks from the
district's plan (埔田竹笋 registered January 2019; 东寮芋 application accepted)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.ip_protection.domain.marks import (
    DONGLIAO_TARO_ID,
    PUTIAN_BAMBOO_SHOOTS_ID,
    Mark,
    MarkKind,
    MarkStatus,
    seed_marks,
    trademark_term_end,
)

DAY = timedelta(days=1)


@pytest.fixture
def putian() -> Mark:
    return {m.mark_id: m for m in seed_marks()}[PUTIAN_BAMBOO_SHOOTS_ID]


@pytest.fixture
def dongliao() -> Mark:
    return {m.mark_id: m for m in seed_marks()}[DONGLIAO_TARO_ID]


def trademark(**overrides) -> Mark:
    values = dict(mark_id="tm-1", name="榕江牌", kind=MarkKind.TRADEMARK, status=MarkStatus.REGISTERED,
                  registrant="揭阳市某某食品有限公司", valid_from=date(2016, 3, 7),
                  valid_until=trademark_term_end(date(2016, 3, 7)))
    values.update(overrides)
    return Mark(**values)


# --- seed marks ----------------------------------------------------------------------------------

def test_seed_ids_are_stable():
    assert [m.mark_id for m in seed_marks()] == ["gi-putian-bamboo-shoots", "gi-dongliao-taro"]
    assert seed_marks() == seed_marks()


def test_putian_seed(putian):
    """Plan: 埔田竹笋 registered in January 2019 as the district's first agricultural GI trademark."""
    assert putian.name == "埔田竹笋"
    assert putian.status is MarkStatus.REGISTERED
    assert putian.is_gi and putian.is_trademark
    assert putian.valid_from == date(2019, 1, 14)
    assert putian.valid_until == date(2029, 1, 13)        # ten years less one day (商标法 art. 39)
    assert putian.region == ("埔田镇",)
    assert putian.registration_number is None
    # What the plan does not say is flagged, not presented as fact.
    for name in ("kind", "registrant", "registration_number", "valid_from", "region", "product_standard"):
        assert name in putian.unconfirmed


def test_dongliao_seed_is_only_an_application(dongliao):
    """Plan: an application for 东寮芋 was accepted; it is not registered."""
    assert dongliao.name == "东寮芋"
    assert dongliao.status is MarkStatus.APPLICATION
    assert dongliao.goods == ("芋头",)
    assert not dongliao.in_force(date(2026, 1, 1))
    assert {"kind", "registrant", "region"} <= set(dongliao.unconfirmed)


# --- validity (商标法 arts. 39-40) -----------------------------------------------------------------

def test_term_end():
    assert trademark_term_end(date(2019, 1, 14)) == date(2029, 1, 13)
    assert trademark_term_end(date(2020, 2, 29)) == date(2030, 2, 28)
    assert trademark_term_end(date(2020, 3, 1)) == date(2030, 2, 28)
    assert trademark_term_end(date(2019, 12, 31)) == date(2029, 12, 30)


@pytest.mark.parametrize("offset, in_force", [(-1, True), (0, True), (1, False)])
def test_in_force_around_valid_until(putian, offset, in_force):
    """T-INFRINGE needs a mark in force: the last day of the term counts, the day after does not."""
    on = putian.valid_until + offset * DAY
    assert putian.in_force(on) is in_force
    assert putian.lapsed(on) is (not in_force)


@pytest.mark.parametrize("offset, in_force", [(-1, False), (0, True), (1, True)])
def test_in_force_around_valid_from(putian, offset, in_force):
    assert putian.in_force(putian.valid_from + offset * DAY) is in_force
    assert not putian.lapsed(putian.valid_from + offset * DAY)


@pytest.mark.parametrize("status", [MarkStatus.APPLICATION, MarkStatus.EXPIRED, MarkStatus.REVOKED])
def test_only_registered_marks_are_in_force(putian, status):
    assert not replace(putian, status=status).in_force(date(2024, 6, 1))
    assert replace(putian, status=status).lapsed(date(2024, 6, 1)) is (status is MarkStatus.EXPIRED)


def test_open_term_is_in_force_while_registered(putian):
    gi_product = replace(putian, mark_id="pgi", kind=MarkKind.GI_PRODUCT, valid_until=None)
    assert gi_product.in_force(date(2099, 1, 1))


# --- which law ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, is_gi, is_trademark", [
    (MarkKind.TRADEMARK, False, True),
    (MarkKind.GI_CERTIFICATION, True, True),
    (MarkKind.GI_COLLECTIVE, True, True),
    (MarkKind.GI_PRODUCT, True, False),     # G-FINE alone; trademark law does not apply
])
def test_kinds(putian, kind, is_gi, is_trademark):
    mark = replace(putian, kind=kind)
    assert mark.is_gi is is_gi
    assert mark.is_trademark is is_trademark


def test_enum_values():
    assert [k.value for k in MarkKind] == ["trademark", "gi_certification_mark", "gi_collective_mark",
                                           "gi_product"]
    assert [s.value for s in MarkStatus] == ["application", "registered", "expired", "revoked"]


# --- region (G-USE) -------------------------------------------------------------------------------

@pytest.mark.parametrize("origin, inside", [
    ("揭阳市揭东区埔田镇新楼村", True),
    ("广东省揭阳市揭東區埔田鎮", True),      # traditional characters
    ("揭东 埔田", True),                     # the town's name without 镇, as labels write it
    ("广西桂林市", False),
    ("广西壮族自治区桂林市", False),
    ("揭阳市揭东区锡场镇", False),            # bamboo-shoot town of the district, but not the region
    ("", False),
    ("   ", False),
])
def test_origin_in_region(putian, origin, inside):
    assert putian.origin_in_region(origin) is inside


def test_dongliao_region_matches_the_village(dongliao):
    assert dongliao.origin_in_region("揭阳市揭东区玉湖镇东寮村")
    assert not dongliao.origin_in_region("揭阳市揭东区埔田镇")


def test_ordinary_trademark_has_no_region():
    assert not trademark().origin_in_region("揭阳市揭东区埔田镇")


# --- validation and JSON --------------------------------------------------------------------------

def test_json_round_trip(putian, dongliao):
    for mark in (putian, dongliao, trademark(goods=("29", "31"), registration_number="12345678")):
        data = json.loads(json.dumps(mark.to_dict(), ensure_ascii=False))
        assert Mark.from_dict(data) == mark
    assert putian.to_dict()["valid_from"] == "2019-01-14"
    assert putian.to_dict()["kind"] == "gi_certification_mark"


@pytest.mark.parametrize("overrides, message", [
    ({"name": "  "}, "name"),
    ({"name": "™"}, "no letters"),
    ({"kind": "patent"}, "patent"),
    ({"status": "pending"}, "pending"),
    ({"valid_until": date(2016, 3, 6)}, "before"),
    ({"kind": MarkKind.GI_COLLECTIVE, "region": ()}, "region"),
    ({"unconfirmed": ("colour",)}, "colour"),
    ({"valid_from": "2016-13-01"}, "date"),
    ({"goods": (29,)}, "goods"),
])
def test_invalid_marks_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        trademark(**overrides)


def test_from_dict_refuses_unknown_and_missing_fields(putian):
    with pytest.raises(ValueError, match="unknown"):
        Mark.from_dict({**putian.to_dict(), "colour": "green"})
    data = putian.to_dict()
    del data["status"]
    with pytest.raises(ValueError, match="missing"):
        Mark.from_dict(data)
