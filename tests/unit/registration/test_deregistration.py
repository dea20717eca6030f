"""Tests for R-DEREG (services/registration/domain/deregistration.py): simplified deregistration
(简易注销) with its 20 D public notice and 20 D application window, the individual business's 10 D
departments' window, the barriers of 实施细则 art. 48, and ordinary deregistration (普通注销).

Periods do not count their first day: a notice published on P runs until P+20; the application
window then runs until P+40, rolled forward to the next working day when P+40 is a rest day (C-WD,
real 2026 calendar).
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.registration.domain import deregistration as dereg
from services.registration.domain.deregistration import Mode, Standing
from services.registration.domain.entity import Entity, EntityStatus
from shared.calendar import HOLIDAY_TABLE_ENV, WorkingDayCalendar
from shared.errors import Conflict, RuleViolation
from shared.law.uscc import EntityCategory, generate

D = date.fromisoformat
P = D("2026-03-07")            # P+20 = 2026-03-27 (Fri), P+40 = 2026-04-16 (Thu, a working day)
SIGNED = {"all_investors_signed": True, "debts": "none"}
CLEAR = Standing()


def days(n: int) -> timedelta:
    return timedelta(days=n)


@pytest.fixture
def cal(monkeypatch: pytest.MonkeyPatch) -> WorkingDayCalendar:
    monkeypatch.delenv(HOLIDAY_TABLE_ENV, raising=False)
    return WorkingDayCalendar()


def make_entity(category: EntityCategory = EntityCategory.ENTERPRISE, **overrides) -> Entity:
    values = dict(uscc=generate(category, 42), category=category, name="揭阳市揭东区测试商行",
                  legal_representative={"name": "王五"}, address="揭东区曲溪街道1号", town="曲溪街道",
                  sector="零售业", established_on="2019-01-01")
    values.update(overrides)
    return Entity(**values)


def noticed(cal, category=EntityCategory.ENTERPRISE, on=P) -> Entity:
    entity = make_entity(category)
    dereg.start_simplified(entity, CLEAR, on=on, cal=cal, commitment=SIGNED)
    return entity


# -- the periods -------------------------------------------------------------------------------


def test_r_dereg_periods():
    assert (dereg.NOTICE_DAYS, dereg.APPLICATION_DAYS, dereg.INDIVIDUAL_OBJECTION_DAYS) == (20, 20, 10)


def test_r_dereg_notice_published_on_p_ends_on_p_plus_20():
    assert dereg.notice_ends(P) == P + days(20) == D("2026-03-27")


def test_r_dereg_application_deadline_on_a_working_day_is_p_plus_40(cal):
    assert dereg.application_deadline(P, cal) == P + days(40) == D("2026-04-16")


def test_r_dereg_application_deadline_on_a_saturday_rolls_to_monday(cal):
    """P+40 = 2026-04-11 is a Saturday: the deadline is Monday 2026-04-13."""
    published = D("2026-03-02")
    assert (published + days(40)).weekday() == 5
    assert dereg.application_deadline(published, cal) == D("2026-04-13")


@pytest.mark.parametrize("published", [D("2026-08-22"), D("2026-08-25"), D("2026-08-28")])
def test_r_dereg_application_deadline_in_national_day_rolls_to_october_8(cal, published):
    """P+40 on 2026-10-01, -04 (Sun) or -07: the holiday runs to 10-07, so the deadline is 2026-10-08."""
    assert D("2026-10-01") <= published + days(40) <= D("2026-10-07")
    assert dereg.application_deadline(published, cal) == D("2026-10-08")


def test_r_dereg_notice_end_itself_does_not_roll(cal):
    """The notice is no deadline on the applicant: P+20 = 2026-10-01 stays 2026-10-01."""
    assert dereg.notice_ends(D("2026-09-11")) == D("2026-10-01")


def test_r_dereg_individual_objection_deadline_is_p_plus_10():
    assert dereg.objection_deadline(P) == D("2026-03-17")


# -- start: public notice ----------------------------------------------------------------------


@pytest.mark.parametrize("category", [EntityCategory.ENTERPRISE, EntityCategory.COOPERATIVE])
def test_r_dereg_start_publishes_the_notice(cal, category):
    entity = make_entity(category)
    procedure = dereg.start_simplified(entity, CLEAR, on=P, cal=cal, commitment=SIGNED)
    assert procedure["variant"] == "public_notice"
    assert procedure["mode"] == "simplified" and procedure["state"] == "noticed"
    assert procedure["started_on"] == "2026-03-07"
    assert procedure["notice_until"] == "2026-03-27"
    assert procedure["apply_by"] == "2026-04-16"
    assert procedure["objections"] == []
    assert procedure["commitment"] == SIGNED
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED
    assert entity.deregistration is procedure


def test_r_dereg_start_with_rolled_deadline_stores_it(cal):
    entity = make_entity()
    procedure = dereg.start_simplified(entity, CLEAR, on=D("2026-08-22"), cal=cal, commitment=SIGNED)
    assert procedure["notice_until"] == "2026-09-11"
    assert procedure["apply_by"] == "2026-10-08"


@pytest.mark.parametrize("commitment", [{}, {"all_investors_signed": False}, {"all_investors_signed": None}])
def test_r_dereg_commitment_must_be_signed_by_all_investors(cal, commitment):
    entity = make_entity()
    with pytest.raises(RuleViolation) as excinfo:
        dereg.start_simplified(entity, CLEAR, on=P, cal=cal, commitment=commitment)
    assert "R-DEREG" in excinfo.value.detail
    assert entity.status is EntityStatus.ACTIVE and entity.deregistration is None


def test_r_dereg_start_before_founding_is_refused(cal):
    entity = make_entity(established_on="2026-03-08")
    with pytest.raises(RuleViolation):
        dereg.start_simplified(entity, CLEAR, on=P, cal=cal, commitment=SIGNED)


@pytest.mark.parametrize("status", [EntityStatus.DEREGISTRATION_NOTICED, EntityStatus.DEREGISTERED])
def test_r_dereg_start_needs_an_active_entity(cal, status):
    entity = make_entity(status=status)
    with pytest.raises(Conflict):
        dereg.start_simplified(entity, CLEAR, on=P, cal=cal, commitment=SIGNED)


def test_r_dereg_the_stored_commitment_is_a_copy(cal):
    commitment = dict(SIGNED)
    entity = make_entity()
    dereg.start_simplified(entity, CLEAR, on=P, cal=cal, commitment=commitment)
    commitment["all_investors_signed"] = False
    assert entity.deregistration["commitment"]["all_investors_signed"] is True


# -- objections --------------------------------------------------------------------------------


def test_r_dereg_objection_on_the_last_notice_day_stops_the_procedure(cal):
    entity = noticed(cal)
    objection = dereg.object_to(entity, objector="债权人甲", reason="尚有货款未结清", received_on=P + days(20))
    assert objection == {"objector": "债权人甲", "reason": "尚有货款未结清", "received_on": "2026-03-27"}
    assert entity.status is EntityStatus.ACTIVE
    assert entity.deregistration["state"] == "stopped"
    assert entity.deregistration["stop_reason"] == "objection"
    assert entity.deregistration["stopped_on"] == "2026-03-27"
    assert entity.deregistration["objections"] == [objection]


def test_r_dereg_objection_on_the_publication_day_is_accepted(cal):
    entity = noticed(cal)
    dereg.object_to(entity, objector="甲", reason="r", received_on=P)
    assert entity.status is EntityStatus.ACTIVE


def test_r_dereg_objection_the_day_after_the_notice_is_late(cal):
    entity = noticed(cal)
    with pytest.raises(Conflict) as excinfo:
        dereg.object_to(entity, objector="甲", reason="r", received_on=P + days(21))
    assert "R-DEREG" in excinfo.value.detail
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED
    assert entity.deregistration["state"] == "noticed" and entity.deregistration["objections"] == []


def test_r_dereg_objection_before_the_notice_is_refused(cal):
    entity = noticed(cal)
    with pytest.raises(RuleViolation):
        dereg.object_to(entity, objector="甲", reason="r", received_on=P - days(1))


def test_r_dereg_objection_without_a_procedure_is_a_conflict(cal):
    with pytest.raises(Conflict):
        dereg.object_to(make_entity(), objector="甲", reason="r", received_on=P)
    entity = noticed(cal)
    dereg.object_to(entity, objector="甲", reason="r", received_on=P + days(1))
    with pytest.raises(Conflict):  # already stopped
        dereg.object_to(entity, objector="乙", reason="r", received_on=P + days(2))


def test_r_dereg_after_an_objection_a_new_notice_may_start(cal):
    entity = noticed(cal)
    dereg.object_to(entity, objector="甲", reason="r", received_on=P + days(5))
    later = P + days(30)
    procedure = dereg.start_simplified(entity, CLEAR, on=later, cal=cal, commitment=SIGNED)
    assert procedure["started_on"] == later.isoformat() and procedure["objections"] == []
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED


# -- application -------------------------------------------------------------------------------


def test_r_dereg_application_on_the_last_notice_day_is_refused(cal):
    entity = noticed(cal)
    with pytest.raises(Conflict) as excinfo:
        dereg.apply_simplified(entity, CLEAR, on=P + days(20))
    assert "R-DEREG" in excinfo.value.detail
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED


def test_r_dereg_application_the_day_after_the_notice_deregisters(cal):
    entity = noticed(cal)
    procedure = dereg.apply_simplified(entity, CLEAR, on=P + days(21))
    assert procedure["state"] == "deregistered"
    assert procedure["deregistered_on"] == "2026-03-28"
    assert entity.status is EntityStatus.DEREGISTERED
    assert entity.deregistration is procedure


def test_r_dereg_application_on_the_deadline_is_accepted(cal):
    entity = noticed(cal)
    dereg.apply_simplified(entity, CLEAR, on=D("2026-04-16"))
    assert entity.status is EntityStatus.DEREGISTERED


def test_r_dereg_application_the_day_after_the_deadline_is_refused(cal):
    entity = noticed(cal)
    with pytest.raises(Conflict) as excinfo:
        dereg.apply_simplified(entity, CLEAR, on=D("2026-04-17"))
    assert "R-DEREG" in excinfo.value.detail
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED


def test_r_dereg_application_on_the_rolled_deadline_is_accepted_not_after(cal):
    """P = 2026-08-22: P+40 = 2026-10-01 (National Day); the rolled deadline 2026-10-08 still counts."""
    entity = noticed(cal, on=D("2026-08-22"))
    with pytest.raises(Conflict):
        dereg.apply_simplified(make_copy(entity), CLEAR, on=D("2026-10-09"))
    dereg.apply_simplified(entity, CLEAR, on=D("2026-10-08"))
    assert entity.status is EntityStatus.DEREGISTERED


def make_copy(entity: Entity) -> Entity:
    return Entity.from_dict(entity.to_dict())


def test_r_dereg_application_without_a_notice_is_a_conflict():
    with pytest.raises(Conflict):
        dereg.apply_simplified(make_entity(), CLEAR, on=P)


def test_r_dereg_application_after_an_objection_is_a_conflict(cal):
    entity = noticed(cal)
    dereg.object_to(entity, objector="甲", reason="r", received_on=P + days(3))
    with pytest.raises(Conflict):
        dereg.apply_simplified(entity, CLEAR, on=P + days(25))
    assert entity.status is EntityStatus.ACTIVE


def test_r_dereg_a_barrier_arising_during_the_notice_refuses_the_application(cal):
    entity = noticed(cal)
    with pytest.raises(Conflict) as excinfo:
        dereg.apply_simplified(entity, Standing(open_cases=("揭东市监立〔2026〕12号",)), on=P + days(25))
    assert [b["code"] for b in excinfo.value.extensions["barriers"]] == ["case_filed"]
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED


# -- lapse -------------------------------------------------------------------------------------


def test_r_dereg_unclaimed_notice_lapses_after_the_window(cal):
    entity = noticed(cal)
    assert dereg.lapse_if_unclaimed(entity, on=D("2026-04-16")) is None
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED
    procedure = dereg.lapse_if_unclaimed(entity, on=D("2026-04-17"))
    assert procedure["state"] == "stopped"
    assert procedure["stop_reason"] == "application_window_passed"
    assert procedure["stopped_on"] == "2026-04-17"
    assert entity.status is EntityStatus.ACTIVE


def test_r_dereg_lapse_respects_the_rolled_deadline(cal):
    entity = noticed(cal, on=D("2026-08-22"))
    assert dereg.lapse_if_unclaimed(entity, on=D("2026-10-08")) is None
    assert dereg.lapse_if_unclaimed(entity, on=D("2026-10-09"))["stop_reason"] == "application_window_passed"


def test_r_dereg_lapse_ignores_other_entities(cal):
    assert dereg.lapse_if_unclaimed(make_entity(), on=D("2027-01-01")) is None
    individual = noticed(cal, EntityCategory.INDIVIDUAL_BUSINESS)
    assert dereg.lapse_if_unclaimed(individual, on=D("2027-01-01")) is None
    assert individual.status is EntityStatus.DEREGISTRATION_NOTICED


# -- individual businesses ---------------------------------------------------------------------


def test_r_dereg_individual_business_has_no_public_notice(cal):
    entity = make_entity(EntityCategory.INDIVIDUAL_BUSINESS)
    procedure = dereg.start_simplified(entity, CLEAR, on=P, cal=cal, commitment=SIGNED)
    assert procedure["variant"] == "individual_business"
    assert procedure["objections_until"] == "2026-03-17"
    assert "notice_until" not in procedure and "apply_by" not in procedure
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED


def test_r_dereg_individual_business_completes_the_day_after_the_window(cal):
    entity = noticed(cal, EntityCategory.INDIVIDUAL_BUSINESS)
    assert dereg.complete_individual(entity, CLEAR, on=P + days(10)) is None
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED
    procedure = dereg.complete_individual(entity, CLEAR, on=P + days(11))
    assert procedure["state"] == "deregistered"
    assert procedure["deregistered_on"] == "2026-03-18"
    assert entity.status is EntityStatus.DEREGISTERED


def test_r_dereg_individual_business_window_does_not_roll(cal):
    """The departments' window is not a deadline on the applicant: P+10 = 2026-10-01 stays."""
    entity = noticed(cal, EntityCategory.INDIVIDUAL_BUSINESS, on=D("2026-09-21"))
    assert entity.deregistration["objections_until"] == "2026-10-01"
    assert dereg.complete_individual(entity, CLEAR, on=D("2026-10-02"))["state"] == "deregistered"


def test_r_dereg_individual_business_stops_when_barred(cal):
    entity = noticed(cal, EntityCategory.INDIVIDUAL_BUSINESS)
    standing = Standing(unexecuted_penalties=("揭东市监罚〔2026〕3号",))
    procedure = dereg.complete_individual(entity, standing, on=P + days(11))
    assert procedure["state"] == "stopped"
    assert procedure["stop_reason"] == "barred"
    assert procedure["stopped_on"] == "2026-03-18"
    assert [b["code"] for b in procedure["barriers"]] == ["penalty_not_executed"]
    assert entity.status is EntityStatus.ACTIVE


def test_r_dereg_individual_business_objection_window_is_p_plus_10(cal):
    entity = noticed(cal, EntityCategory.INDIVIDUAL_BUSINESS)
    late = make_copy(entity)
    with pytest.raises(Conflict):
        dereg.object_to(late, objector="税务局", reason="欠税", received_on=P + days(11))
    dereg.object_to(entity, objector="税务局", reason="欠税", received_on=P + days(10))
    assert entity.status is EntityStatus.ACTIVE
    assert entity.deregistration["stop_reason"] == "objection"
    assert dereg.complete_individual(entity, CLEAR, on=P + days(11)) is None


def test_r_dereg_individual_business_does_not_apply(cal):
    entity = noticed(cal, EntityCategory.INDIVIDUAL_BUSINESS)
    with pytest.raises(Conflict):
        dereg.apply_simplified(entity, CLEAR, on=P + days(11))


def test_r_dereg_complete_individual_ignores_public_notices(cal):
    entity = noticed(cal)
    assert dereg.complete_individual(entity, CLEAR, on=P + days(30)) is None
    assert entity.status is EntityStatus.DEREGISTRATION_NOTICED


# -- barriers ----------------------------------------------------------------------------------


BARRIERS = [
    ("abnormal_list", Standing(abnormal_listings=("AB-1",)), EntityStatus.ACTIVE),
    ("serious_list", Standing(serious_listings=("SE-1",)), EntityStatus.ACTIVE),
    ("case_filed", Standing(open_cases=("CASE-1",)), EntityStatus.ACTIVE),
    ("penalty_not_executed", Standing(unexecuted_penalties=("PEN-1",)), EntityStatus.ACTIVE),
    ("coercive_measures", Standing(coercive_measures=("CM-1",)), EntityStatus.ACTIVE),
    ("revoked", Standing(), EntityStatus.REVOKED),
]


@pytest.mark.parametrize("code,standing,status", BARRIERS, ids=[b[0] for b in BARRIERS])
@pytest.mark.parametrize("category", list(EntityCategory))
def test_r_dereg_each_barrier_refuses_simplified(cal, code, standing, status, category):
    entity = make_entity(category, status=status)
    with pytest.raises(Conflict) as excinfo:
        dereg.start_simplified(entity, standing, on=P, cal=cal, commitment=SIGNED)
    assert "R-DEREG" in excinfo.value.detail
    assert [b["code"] for b in excinfo.value.extensions["barriers"]] == [code]
    assert all("R-DEREG" in b["reason"] for b in excinfo.value.extensions["barriers"])
    assert entity.status is status and entity.deregistration is None


def test_r_dereg_barrier_reasons_name_the_records(cal):
    standing = Standing(abnormal_listings=("AB-1", "AB-2"), open_cases=("CASE-9",))
    found = dereg.barriers(make_entity(), standing, Mode.SIMPLIFIED)
    assert [b.code for b in found] == ["abnormal_list", "case_filed"]
    assert "AB-1, AB-2" in found[0].reason and "CASE-9" in found[1].reason


def test_r_dereg_all_barriers_are_listed_together(cal):
    standing = Standing(abnormal_listings=("A",), serious_listings=("S",), open_cases=("C",),
                        unexecuted_penalties=("P",), coercive_measures=("M",))
    entity = make_entity(status=EntityStatus.REVOKED)
    with pytest.raises(Conflict) as excinfo:
        dereg.start_simplified(entity, standing, on=P, cal=cal, commitment=SIGNED)
    assert {b["code"] for b in excinfo.value.extensions["barriers"]} == {
        "revoked", "abnormal_list", "serious_list", "case_filed", "penalty_not_executed", "coercive_measures"}


def test_r_dereg_no_barriers_when_clear():
    assert dereg.barriers(make_entity(), CLEAR, Mode.SIMPLIFIED) == []
    assert dereg.barriers(make_entity(), CLEAR, Mode.ORDINARY) == []


# -- ordinary deregistration -------------------------------------------------------------------


def test_r_dereg_ordinary_after_liquidation():
    entity = make_entity()
    procedure = dereg.deregister_ordinary(entity, CLEAR, on=D("2026-05-10"),
                                          liquidation_completed_on=D("2026-05-01"))
    assert procedure["mode"] == "ordinary"
    assert procedure["state"] == "deregistered"
    assert procedure["liquidation_completed_on"] == "2026-05-01"
    assert procedure["deregistered_on"] == "2026-05-10"
    assert entity.status is EntityStatus.DEREGISTERED
    assert entity.deregistration is procedure


@pytest.mark.parametrize("standing", [Standing(abnormal_listings=("AB-1",)), Standing(serious_listings=("SE-1",)),
                                      Standing(abnormal_listings=("AB-1",), serious_listings=("SE-1",))])
def test_r_dereg_lists_do_not_bar_ordinary(standing):
    entity = make_entity()
    assert dereg.barriers(entity, standing, Mode.ORDINARY) == []
    dereg.deregister_ordinary(entity, standing, on=D("2026-05-10"), liquidation_completed_on=D("2026-05-10"))
    assert entity.status is EntityStatus.DEREGISTERED


@pytest.mark.parametrize("code,standing", [
    ("case_filed", Standing(open_cases=("CASE-1",))),
    ("penalty_not_executed", Standing(unexecuted_penalties=("PEN-1",))),
    ("coercive_measures", Standing(coercive_measures=("CM-1",))),
])
def test_r_dereg_open_case_and_unexecuted_penalty_bar_ordinary(code, standing):
    entity = make_entity()
    with pytest.raises(Conflict) as excinfo:
        dereg.deregister_ordinary(entity, standing, on=D("2026-05-10"), liquidation_completed_on=D("2026-05-01"))
    assert "R-DEREG" in excinfo.value.detail
    assert [b["code"] for b in excinfo.value.extensions["barriers"]] == [code]
    assert entity.status is EntityStatus.ACTIVE


def test_r_dereg_revoked_entity_may_deregister_ordinarily():
    entity = make_entity(status=EntityStatus.REVOKED)
    assert dereg.barriers(entity, CLEAR, Mode.ORDINARY) == []
    dereg.deregister_ordinary(entity, CLEAR, on=D("2026-05-10"), liquidation_completed_on=D("2026-05-01"))
    assert entity.status is EntityStatus.DEREGISTERED


def test_r_dereg_ordinary_needs_the_liquidation_date():
    entity = make_entity()
    with pytest.raises(RuleViolation):
        dereg.deregister_ordinary(entity, CLEAR, on=D("2026-05-10"), liquidation_completed_on=None)
    assert entity.status is EntityStatus.ACTIVE


def test_r_dereg_liquidation_not_after_the_application():
    entity = make_entity()
    with pytest.raises(RuleViolation):
        dereg.deregister_ordinary(entity, CLEAR, on=D("2026-05-10"), liquidation_completed_on=D("2026-05-11"))
    assert entity.status is EntityStatus.ACTIVE
    dereg.deregister_ordinary(entity, CLEAR, on=D("2026-05-10"), liquidation_completed_on=D("2026-05-10"))
    assert entity.status is EntityStatus.DEREGISTERED


@pytest.mark.parametrize("status", [EntityStatus.DEREGISTERED, EntityStatus.DEREGISTRATION_NOTICED])
def test_r_dereg_ordinary_refused_when_deregistered_or_under_notice(status):
    with pytest.raises(Conflict):
        dereg.deregister_ordinary(make_entity(status=status), CLEAR, on=D("2026-05-10"),
                                  liquidation_completed_on=D("2026-05-01"))


def test_r_dereg_ordinary_before_founding_is_refused():
    entity = make_entity(established_on="2026-06-01")
    with pytest.raises(RuleViolation):
        dereg.deregister_ordinary(entity, CLEAR, on=D("2026-05-10"), liquidation_completed_on=D("2026-05-01"))
    assert entity.status is EntityStatus.ACTIVE
