"""Tests for the register entry (services/registration/domain/entity.py): change registration
(变更登记) keeps every old value, ``as_of`` answers what was registered on a given day, and the code
(R-USCC), category and founding date never change."""
from __future__ import annotations

import json
from datetime import date

import pytest

from services.registration.domain.entity import CHANGEABLE, Entity, EntityStatus
from shared.errors import Conflict, RuleViolation
from shared.law.uscc import EntityCategory, generate

D = date.fromisoformat


def make_entity(**overrides) -> Entity:
    values = dict(
        uscc=generate(EntityCategory.ENTERPRISE, 1),
        category=EntityCategory.ENTERPRISE,
        name="揭阳市揭东区玉湖食品有限公司",
        legal_representative={"name": "陈小明", "id_number": "445203199001011234"},
        address="揭东区玉湖镇新和村工业路1号",
        town="玉湖镇",
        sector="食品制造业",
        established_on="2020-05-10",
        registered_capital_yuan="500000.00",
        business_scope="食品生产；食品销售",
    )
    values.update(overrides)
    return Entity(**values)


# -- change registration -----------------------------------------------------------------------


def test_change_returns_old_and_new_and_applies_the_new_value():
    entity = make_entity()
    changed = entity.change({"address": "揭东区曲溪街道新址2号"}, on=D("2025-03-01"), reason="迁址")
    assert changed == [{"field": "address", "old": "揭东区玉湖镇新和村工业路1号", "new": "揭东区曲溪街道新址2号"}]
    assert entity.address == "揭东区曲溪街道新址2号"
    assert entity.history == [{"changed_on": "2025-03-01", "reason": "迁址", "changes": changed}]


def test_change_keeps_every_old_value_in_order():
    entity = make_entity()
    entity.change({"name": "揭阳市甲公司"}, on=D("2024-01-10"), reason="更名一")
    entity.change({"name": "揭阳市乙公司", "town": "曲溪街道"}, on=D("2025-06-01"), reason="更名二")
    assert [h["changed_on"] for h in entity.history] == ["2024-01-10", "2025-06-01"]
    assert entity.history[0]["changes"] == [
        {"field": "name", "old": "揭阳市揭东区玉湖食品有限公司", "new": "揭阳市甲公司"}]
    assert entity.history[1]["changes"] == [
        {"field": "name", "old": "揭阳市甲公司", "new": "揭阳市乙公司"},
        {"field": "town", "old": "玉湖镇", "new": "曲溪街道"}]


def test_change_lists_only_values_that_differ():
    entity = make_entity()
    changed = entity.change({"town": "玉湖镇", "sector": "批发业"}, on=D("2025-03-01"), reason="变更行业")
    assert changed == [{"field": "sector", "old": "食品制造业", "new": "批发业"}]


def test_change_of_a_nested_value_copies_it():
    """The old legal representative in the history does not move when the caller's dict does."""
    entity = make_entity()
    new_rep = {"name": "李华"}
    entity.change({"legal_representative": new_rep}, on=D("2025-03-01"), reason="法定代表人变更")
    new_rep["name"] = "被改了"
    assert entity.legal_representative == {"name": "李华"}
    assert entity.history[0]["changes"][0]["old"] == {"name": "陈小明", "id_number": "445203199001011234"}
    assert entity.history[0]["changes"][0]["new"] == {"name": "李华"}


@pytest.mark.parametrize("field", ["uscc", "category", "established_on", "status", "history", "no_such_field"])
def test_change_of_an_unchangeable_or_unknown_field_is_refused(field):
    entity = make_entity()
    before = entity.to_dict()
    with pytest.raises(RuleViolation) as excinfo:
        entity.change({field: "x"}, on=D("2025-03-01"), reason="r")
    assert field in excinfo.value.detail
    assert entity.to_dict() == before


def test_change_mixing_a_changeable_and_an_unchangeable_field_changes_nothing():
    entity = make_entity()
    before = entity.to_dict()
    with pytest.raises(RuleViolation):
        entity.change({"name": "新名称", "uscc": generate(EntityCategory.ENTERPRISE, 2)}, on=D("2025-03-01"),
                      reason="r")
    assert entity.to_dict() == before


def test_changeable_fields_exclude_identity():
    assert set(CHANGEABLE).isdisjoint({"uscc", "category", "established_on"})


def test_no_op_change_is_refused():
    entity = make_entity()
    with pytest.raises(RuleViolation):
        entity.change({"name": entity.name, "town": entity.town}, on=D("2025-03-01"), reason="r")
    with pytest.raises(RuleViolation):
        entity.change({}, on=D("2025-03-01"), reason="r")
    assert entity.history == []


def test_change_before_founding_is_refused_and_on_founding_day_accepted():
    entity = make_entity(established_on="2020-05-10")
    with pytest.raises(RuleViolation):
        entity.change({"name": "新名称"}, on=D("2020-05-09"), reason="r")
    assert entity.history == []
    entity.change({"name": "新名称"}, on=D("2020-05-10"), reason="r")
    assert entity.name == "新名称"


def test_change_dated_before_the_last_change_is_refused():
    """The history is in date order, so ``as_of`` can unwind it; a back-dated change would break that."""
    entity = make_entity()
    entity.change({"name": "揭阳市甲公司"}, on=D("2025-05-01"), reason="r")
    with pytest.raises(RuleViolation):
        entity.change({"address": "新地址"}, on=D("2025-03-01"), reason="r")
    assert len(entity.history) == 1
    # the same day as the last change is fine
    entity.change({"address": "新地址"}, on=D("2025-05-01"), reason="r")
    assert entity.as_of(D("2025-04-30"))["address"] == "揭东区玉湖镇新和村工业路1号"


@pytest.mark.parametrize("status", [EntityStatus.DEREGISTERED, EntityStatus.REVOKED])
def test_change_on_an_ended_entity_is_a_conflict(status):
    entity = make_entity(status=status)
    assert entity.ended
    with pytest.raises(Conflict):
        entity.change({"name": "新名称"}, on=D("2025-03-01"), reason="r")
    assert entity.name == "揭阳市揭东区玉湖食品有限公司"


@pytest.mark.parametrize("status", [EntityStatus.ACTIVE, EntityStatus.DEREGISTRATION_NOTICED])
def test_not_ended_statuses(status):
    assert not make_entity(status=status).ended


# -- as_of -----------------------------------------------------------------------------------


def test_as_of_unwinds_later_changes():
    entity = make_entity()
    entity.change({"name": "甲公司"}, on=D("2024-01-10"), reason="r1")
    entity.change({"name": "乙公司", "address": "新地址"}, on=D("2025-06-01"), reason="r2")

    assert entity.as_of(D("2024-01-09"))["name"] == "揭阳市揭东区玉湖食品有限公司"
    assert entity.as_of(D("2024-01-09"))["address"] == "揭东区玉湖镇新和村工业路1号"
    # the change is in force at the end of its own day
    assert entity.as_of(D("2024-01-10"))["name"] == "甲公司"
    assert entity.as_of(D("2025-05-31"))["name"] == "甲公司"
    assert entity.as_of(D("2025-05-31"))["address"] == "揭东区玉湖镇新和村工业路1号"
    assert entity.as_of(D("2025-06-01"))["name"] == "乙公司"
    assert entity.as_of(D("2025-06-01"))["address"] == "新地址"
    assert entity.as_of(D("2030-01-01")) == entity.to_dict()


def test_as_of_does_not_alter_the_entity():
    entity = make_entity()
    entity.change({"legal_representative": {"name": "李华"}}, on=D("2025-03-01"), reason="r")
    before = entity.to_dict()
    view = entity.as_of(D("2025-01-01"))
    assert view["legal_representative"] == {"name": "陈小明", "id_number": "445203199001011234"}
    view["legal_representative"]["name"] = "改动"
    assert entity.to_dict() == before


def test_as_of_without_history_is_the_current_view():
    entity = make_entity()
    assert entity.as_of(D("2021-01-01")) == entity.to_dict()


# -- serialisation ---------------------------------------------------------------------------


def test_to_dict_uses_plain_values():
    data = make_entity(status=EntityStatus.DEREGISTRATION_NOTICED).to_dict()
    assert data["category"] == "enterprise"
    assert data["status"] == "deregistration_noticed"
    json.dumps(data, ensure_ascii=False)  # JSON-ready


@pytest.mark.parametrize("category", list(EntityCategory))
def test_round_trip_with_chinese_text(category):
    entity = make_entity(uscc=generate(category, 7), category=category)
    entity.change({"name": "揭阳市揭东区锡场镇农产品专业合作社", "business_scope": "蔬菜种植；农产品销售（依法须经批准的项目）"},
                  on=D("2024-09-09"), reason="名称及经营范围变更")
    entity.deregistration = {"mode": "simplified", "state": "stopped", "objections": [{"reason": "债权人异议"}]}
    data = json.loads(json.dumps(entity.to_dict(), ensure_ascii=False))
    again = Entity.from_dict(data)
    assert again == entity
    assert again.category is category
    assert isinstance(again.status, EntityStatus)
    assert again.to_dict() == entity.to_dict()
    assert again.as_of(D("2024-09-08"))["name"] == "揭阳市揭东区玉湖食品有限公司"


def test_to_dict_is_a_copy():
    entity = make_entity()
    data = entity.to_dict()
    data["legal_representative"]["name"] = "别人"
    assert entity.legal_representative["name"] == "陈小明"
