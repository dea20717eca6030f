"""R-ANNUAL, R-ABNORMAL, R-SERIOUS through the real service and its daily timer: each step is an event
a plain pika subscriber sees, and each lands on the public credit record (R-CREDIT)."""
from __future__ import annotations

import pytest

from datetime import timedelta

from services.registration.domain.listings import annual_report_due
from shared.store import CATALOG
from tests.integration.registration.conftest import TODAY

pytestmark = pytest.mark.integration

LAST_YEAR = TODAY.year - 1 if TODAY > annual_report_due(TODAY.year - 1) else TODAY.year - 2  # the year now due


def _types_for(bus, uscc: str) -> list[str]:
    return [e["type"] for e in bus.events(settle=0.3) if e["subject"] == uscc]


def test_r_annual_an_entity_without_its_report_is_listed_after_30_june_and_removed_once_cured(
        start_registration, test_vhost_uri):
    from tests.integration.enforcement.conftest import Bus
    registration = start_registration()  # the timer ran once, on an empty register
    founded = f"{LAST_YEAR - 1}-03-15"
    missing = registration.register("enterprise", established_on=founded)["uscc"]
    on_time = registration.register("cooperative", established_on=founded)["uscc"]
    registration.post(f"/entities/{on_time}/annual-reports", {"year": LAST_YEAR,
                                                              "filed_on": annual_report_due(LAST_YEAR).isoformat()})
    too_new = registration.register("enterprise", established_on=f"{LAST_YEAR + 1}-01-02")["uscc"]
    individual = registration.register("individual_business", established_on=founded)["uscc"]
    registration.process.stop()

    bus = Bus(test_vhost_uri, exchanges=("registration.events",))  # bound before the timer runs again
    registration = start_registration(scan_seconds=0.5)
    try:
        view = registration.wait_until(missing, lambda v: v["listings"])
        [listing] = view["listings"]
        assert (listing["ground"], listing["report_year"], listing["state"]) == ("no_annual_report", LAST_YEAR, "active")
        assert view["credit_risk"] == "medium"
        assert [b["code"] for b in view["deregistration_barriers"]] == ["abnormal_list"]
        for other in (on_time, too_new, individual):
            assert registration.get(f"/entities/{other}")["listings"] == []

        refused = registration.post(f"/entities/{missing}/abnormal-listings/{listing['listing_id']}/removal",
                                    {"removed_on": TODAY.isoformat(), "explanation": "申请移出"}, expect=422).json()
        assert "R-ABNORMAL" in refused["detail"] and str(LAST_YEAR) in refused["detail"]
        late = registration.post(f"/entities/{missing}/annual-reports",
                                 {"year": LAST_YEAR, "filed_on": TODAY.isoformat()}).json()
        assert late["annual_reports"][str(LAST_YEAR)] == TODAY.isoformat()
        removed = registration.post(f"/entities/{missing}/abnormal-listings/{listing['listing_id']}/removal",
                                    {"removed_on": TODAY.isoformat(), "explanation": "已补报年度报告"}).json()
        assert removed["state"] == "removed" and removed["removal_reason"] == "cured"

        bus.wait_for("entity.abnormal_removed", uscc=missing)
        seen = [e for e in bus.events() if e["subject"] == missing]
        assert [e["type"] for e in seen] == ["entity.abnormal_listed", "entity.credit_updated",
                                             "entity.annual_report_filed", "entity.abnormal_removed",
                                             "entity.credit_updated"]
        for event in seen:
            CATALOG.parse(event)
        assert seen[2]["data"]["on_time"] is False
        credit = registration.get(f"/entities/{missing}/credit", headers={})
        assert [e["kind"] for e in credit["entries"]] == ["abnormal_listed", "abnormal_removed"]
        assert credit["listed"] == [] and credit["credit_risk"] == "low"
        # The timer keeps running: a cured year is never listed again.
        assert len(registration.get(f"/entities/{missing}")["listings"]) == 1
    finally:
        bus.close()


def test_r_serious_three_years_on_the_abnormal_list_moves_an_entity_to_the_serious_list_on_the_anniversary(
        start_registration, test_vhost_uri):
    from tests.integration.enforcement.conftest import Bus
    registration = start_registration()
    try:
        three_years_ago = TODAY.replace(year=TODAY.year - 3)
    except ValueError:
        pytest.skip("29 February: its anniversary rule is unit-tested")
    founded = f"{TODAY.year - 5}-01-10"
    due, not_yet = (registration.register("enterprise", established_on=founded)["uscc"] for _ in range(2))
    listed = {due: three_years_ago, not_yet: three_years_ago + timedelta(days=1)}
    ids = {}
    for uscc, listed_on in listed.items():
        registration.post(f"/entities/{uscc}/annual-reports", {"year": LAST_YEAR,
                                                               "filed_on": annual_report_due(LAST_YEAR).isoformat()})
        ids[uscc] = registration.post(f"/entities/{uscc}/abnormal-listings", {
            "ground": "unreachable", "listed_on": listed_on.isoformat(),
            "detail": "通过登记的住所无法联系"}).json()["listing_id"]
    registration.process.stop()

    bus = Bus(test_vhost_uri, exchanges=("registration.events",))  # bound before the timer runs again
    registration = start_registration(scan_seconds=0.5)
    try:
        view = registration.wait_until(due, lambda v: any(l["list"] == "serious" for l in v["listings"]))
        abnormal, serious = sorted(view["listings"], key=lambda l: l["list"])
        assert abnormal["state"] == "escalated" and serious["ground"] == "abnormal_three_years"
        assert serious["listed_on"] == TODAY.isoformat() and serious["from_listing"] == ids[due]
        assert view["credit_risk"] == "high"
        bus.wait_for("entity.serious_violation_listed", uscc=due)
        assert [t for t in _types_for(bus, due) if t != "entity.credit_updated"] == [
            "entity.abnormal_removed", "entity.serious_violation_listed"]
        still = registration.get(f"/entities/{not_yet}")
        assert [(l["list"], l["state"]) for l in still["listings"]] == [("abnormal", "active")]

        early = registration.post(f"/entities/{due}/serious-violation-listings/{serious['listing_id']}/removal", {
            "removed_on": TODAY.isoformat(), "explanation": "已履行", "penalty_performed": True,
            "harm_removed": True, "no_further_heavy_penalty": True}, expect=422).json()
        assert "R-SERIOUS" in early["detail"] and "one year" in early["detail"]
        refused = registration.post(f"/entities/{due}/deregistration", {
            "mode": "simplified", "on": TODAY.isoformat(), "commitment": {"all_investors_signed": True}},
            expect=409).json()
        assert [b["code"] for b in refused["barriers"]] == ["serious_list"]
    finally:
        bus.close()
