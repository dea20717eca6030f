"""Tests for the synthetic Jiedong register (services/registration/domain/synthetic.py): the
district's 2020 mix from its plan, valid and distinct R-USCC codes, valid resident ID numbers,
unique names, determinism."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from services.registration.domain.synthetic import (
    COOPERATIVES_2020,
    DISTRICT_MIX,
    ENTERPRISES_2020,
    INDIVIDUAL_BUSINESSES_2020,
    MARKET_ENTITIES_2020,
    MAX_NAME_LENGTH,
    SECTORS,
    TOWNS,
    count,
    synthetic_register,
)
from shared.law.disclosure import valid_resident_id
from shared.law.uscc import JIEDONG_DIVISION, EntityCategory, parse

KEYS = {"uscc", "category", "name", "legal_representative", "address", "town", "sector", "established_on",
        "registered_capital_yuan", "business_scope"}
SMALL = {"enterprises": 60, "cooperatives": 10, "individual_businesses": 200}


@pytest.fixture(scope="module")
def register() -> list[dict]:
    return list(synthetic_register())


def test_plan_figures_and_default_mix():
    """The district's plan, end of 2020: 7,513 + 210 + 45,730 = 53,453 market entities."""
    assert (ENTERPRISES_2020, COOPERATIVES_2020, INDIVIDUAL_BUSINESSES_2020) == (7_513, 210, 45_730)
    assert MARKET_ENTITIES_2020 == 53_453 == sum(DISTRICT_MIX.values())
    assert dict(DISTRICT_MIX) == {"enterprises": 7_513, "cooperatives": 210, "individual_businesses": 45_730}
    assert count() == 53_453
    assert count(enterprises=10) == 10 + 210 + 45_730
    assert count(**SMALL) == 270


def test_default_register_has_the_plan_mix(register):
    assert len(register) == 53_453
    assert Counter(e["category"] for e in register) == {
        "enterprise": 7_513, "cooperative": 210, "individual_business": 45_730}


def test_r_uscc_every_code_valid_unique_and_matching(register):
    """R-USCC: every code validates, all are distinct, pos 2 is the entity's category and the
    division is Jiedong's (445203)."""
    codes = [e["uscc"] for e in register]
    assert len(set(codes)) == len(codes)
    for entity in register:
        parts = parse(entity["uscc"])  # validates first (raises InvalidUscc)
        assert parts.authority == "9"
        assert parts.category is EntityCategory(entity["category"])
        assert parts.category_code == EntityCategory(entity["category"]).code
        assert parts.division == JIEDONG_DIVISION == "445203"


def test_entities_are_post_entities_bodies(register):
    for entity in register:
        assert set(entity) == KEYS
        assert set(entity["legal_representative"]) == {"name", "id_number"}
        assert entity["sector"] in SECTORS
        assert entity["town"] in TOWNS
        assert entity["address"].startswith("广东省揭阳市揭东区" + entity["town"])
        assert entity["business_scope"]
        assert isinstance(entity["registered_capital_yuan"], int)


def test_names_unique_non_empty_and_short(register):
    names = [e["name"] for e in register]
    assert len(set(names)) == len(names)
    assert all(0 < len(n) <= MAX_NAME_LENGTH for n in names)
    for entity in register:
        name = entity["name"]
        if entity["category"] == "enterprise":
            assert name.endswith("有限公司")
        elif entity["category"] == "cooperative":
            assert name.startswith("揭阳市揭东区" + entity["town"]) and name.endswith("专业合作社")
        else:
            assert name.startswith("揭东区" + entity["town"])


def test_legal_representatives_have_valid_id_numbers(register):
    """GB 11643: the disclosure validator accepts every ID number; born 1955-2002, Jieyang region
    prefixes, and at least 18 at the entity's establishment."""
    for entity in register:
        person = entity["legal_representative"]
        number = person["id_number"]
        assert valid_resident_id(number), number
        assert number[:4] == "4452"
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        assert date(1955, 1, 1) <= born <= date(2002, 12, 31)
        assert int(entity["established_on"][:4]) - born.year >= 18
        assert 2 <= len(person["name"]) <= 3


def test_dates_and_capital_ranges(register):
    for entity in register:
        founded = date.fromisoformat(entity["established_on"])
        assert date(1995, 1, 1) <= founded <= date(2020, 12, 31)
        capital = entity["registered_capital_yuan"]
        if entity["category"] == "enterprise":
            assert 100_000 <= capital <= 50_000_000 and capital % 10_000 == 0
        elif entity["category"] == "cooperative":
            assert 50_000 <= capital <= 2_000_000
            assert founded >= date(2007, 7, 1)  # 农民专业合作社法 in force
        else:
            assert 0 <= capital <= 200_000


def test_sector_mix_is_plausible(register):
    """Cooperatives farm; individual businesses are mostly shops, food and services; enterprises
    mostly make and trade goods."""
    by = {c: Counter(e["sector"] for e in register if e["category"] == c)
          for c in ("enterprise", "cooperative", "individual_business")}
    assert by["cooperative"]["agriculture"] > 0.8 * 210
    shops = sum(by["individual_business"][s] for s in ("retail", "catering", "food_sales", "services"))
    assert shops > 0.7 * 45_730
    goods = sum(by["enterprise"][s] for s in ("manufacturing", "plastics_hardware", "wholesale",
                                              "food_production", "textiles", "construction_materials"))
    assert goods > 0.6 * 7_513


def test_same_seed_same_register(register):
    assert list(synthetic_register(2020)) == register


def test_different_seed_different_register():
    one = list(synthetic_register(1, **SMALL))
    assert one == list(synthetic_register(1, **SMALL))
    two = list(synthetic_register(2, **SMALL))
    assert len(one) == len(two) == 270
    assert one != two
    assert [e["uscc"] for e in one] != [e["uscc"] for e in two]  # the serials depend on the seed
    assert [e["name"] for e in one] != [e["name"] for e in two]


def test_custom_mix_and_empty():
    small = list(synthetic_register(7, **SMALL))
    assert Counter(e["category"] for e in small) == {
        "enterprise": 60, "cooperative": 10, "individual_business": 200}
    assert list(synthetic_register(enterprises=0, cooperatives=0, individual_businesses=0)) == []
    # many cooperatives in few towns still get unique names
    coops = [e["name"] for e in synthetic_register(3, enterprises=0, cooperatives=3_000,
                                                   individual_businesses=0)]
    assert len(set(coops)) == 3_000


@pytest.mark.parametrize("overrides", [{"enterprises": -1}, {"cooperatives": 1.5}, {"individual_businesses": True}])
def test_bad_counts(overrides):
    with pytest.raises(ValueError):
        count(**overrides)
    with pytest.raises(ValueError):
        next(synthetic_register(**overrides))


def test_unknown_count_keyword():
    with pytest.raises(TypeError):
        count(branches=3)
