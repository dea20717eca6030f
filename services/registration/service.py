"""The registration service: nameko entrypoints only; the rules live in `domain/`.

The register of market entities (R-USCC), their deregistration (R-DEREG), the abnormal-operations
and serious-violation lists (R-ANNUAL, R-ABNORMAL, R-SERIOUS) and each entity's credit record
(R-CREDIT). What other services know about a party (a filed case, an unexecuted penalty, a
disclosure) reaches registration only as events, kept in its own read model.
"""
from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from nameko.timer import timer
from sqlalchemy import and_, exists, func, select

from services.registration import repository as repo
from services.registration import schemas
from services.registration.domain import credit, deregistration, listings
from services.registration.domain.entity import Entity, EntityStatus, yuan_text
from services.registration.tables import annual_reports, entities
from services.registration.tables import listings as listings_table
from services.registration.tables import metadata
from shared import metrics
from shared.calendar import shanghai_date
from shared.errors import Conflict, RuleViolation
from shared.events.subscriber import subscribe
from shared.http.routes import PUBLIC, page_limit, route
from shared.law.uscc import EntityCategory, InvalidUscc, generate, validate
from shared.service import PlatformService
from shared.store import Store

REGISTRARS = ("registrar",)
STAFF = ("registrar", "officer", "supervisor", "reviewer", "ip_officer", "operator")
REGISTRATION_SCAN_SECONDS = float(os.environ.get("REGISTRATION_SCAN_SECONDS", "3600"))
LIST_QUERY = {"limit": {"type": "integer"}, "cursor": {"type": "string"}, "q": {"type": "string", "maxLength": 100},
              "category": {"type": "string"}, "status": {"type": "string"}, "town": {"type": "string"},
              "sector": {"type": "string"}}

ENTITIES_BY_STATUS = metrics.gauge("entities", "Market entities on the register, by status.", ("status",))
LISTED = metrics.gauge("entities_listed", "Entities on the abnormal or serious list now.", ("list",))


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _code(uscc: str) -> str:
    """R-USCC on a code given by a caller: a clear 422 naming the failing check."""
    try:
        return validate(uscc)
    except InvalidUscc as exc:
        raise RuleViolation(str(exc), check=exc.check) from None


def _public_change(change: dict[str, Any]) -> dict[str, Any]:
    if change["field"] != "legal_representative":
        return change
    return {**change, "old": {"name": change["old"]["name"]}, "new": {"name": change["new"]["name"]}}


class RegistrationService(PlatformService):
    name = "registration"
    store = Store(metadata, Path(__file__).parent / "migrations")

    # -- helpers --------------------------------------------------------------------------------
    def _not_future(self, day: date, what: str) -> date:
        if day > self.workdays.today():
            raise RuleViolation(f"{what} {day} is in the future")
        return day

    def _view(self, connection, entity: Entity) -> dict[str, Any]:
        view = entity.to_dict()
        view["annual_reports"] = {str(y): d.isoformat() for y, d in sorted(repo.reports_filed(connection,
                                                                                              entity.uscc).items())}
        view["listings"] = repo.entity_listings(connection, entity.uscc)
        standing = repo.standing(connection, entity.uscc)
        view["deregistration_barriers"] = [b.as_dict() for b in deregistration.barriers(
            entity, standing, deregistration.Mode.SIMPLIFIED)]
        view["credit_risk"] = self._risk(connection, entity.uscc, standing).value
        return view

    def _risk(self, connection, uscc: str, standing: deregistration.Standing | None = None) -> credit.CreditRisk:
        standing = standing or repo.standing(connection, uscc)
        revoked = repo.revoked_penalties(connection, uscc)
        dates = [d for ref, d in repo.penalties(connection, uscc) if ref not in revoked]
        return credit.risk(credit.Standing(on_serious_list=bool(standing.serious_listings),
                                           on_abnormal_list=bool(standing.abnormal_listings),
                                           unexecuted_penalties=len(standing.unexecuted_penalties),
                                           penalty_dates=tuple(dates)), self.workdays.today())

    def _credit(self, uow, uscc: str, kind: credit.EntryKind, reference: str, on: date,
                data: dict[str, Any]) -> None:
        """R-CREDIT: one fact on the record, once; registered entities announce it."""
        if not repo.add_credit_entry(uow, uscc=uscc, kind=kind.value, reference=reference, on=on, data=data):
            return
        row = uow.execute(select(entities.c.name).where(entities.c.uscc == uscc)).first()
        if row is None:
            return  # a party registered elsewhere: its record is kept, but nobody here announces it
        uow.publish("entity.credit_updated", subject=uscc, data={
            "uscc": uscc, "name": row.name, "entry": {"kind": kind.value, "reference": reference,
                                                      "on": on.isoformat(), **data},
            "credit_risk": self._risk(uow.connection, uscc).value})

    def _command(self, uscc: str):
        return _EntityCommand(self, _code(uscc))

    # -- the register (R-USCC) ------------------------------------------------------------------
    @route("POST", "/entities", roles=REGISTRARS, body=schemas.ENTITY, status=201,
           summary="设立登记: register an entity; a code is generated for the district unless one is given")
    def register(self, request):
        data = request.body
        category = EntityCategory(data["category"])
        established = self._not_future(_day(data["established_on"]), "established_on")
        with self.store.unit_of_work() as uow:
            if "uscc" in data:
                code = _code(data["uscc"])
                if code[0] == "9" and code[1] != category.code:
                    raise RuleViolation(f"R-USCC: the code's category character '{code[1]}' does not match "
                                        f"category {category.value} ('{category.code}')", check="category")
                if repo.exists(uow.connection, code):
                    raise Conflict(f"{code} is already on the register")
            else:
                code = generate(category, repo.next_number(uow, f"uscc-{category.value}"))
                while repo.exists(uow.connection, code):  # a code imported earlier took this serial
                    code = generate(category, repo.next_number(uow, f"uscc-{category.value}"))
            entity = Entity.from_registration(code, {**data, "established_on": established.isoformat()})
            repo.insert_entity(uow, entity)
            uow.publish("entity.registered", subject=code, data=entity.public())
            return 201, self._view(uow.connection, entity)

    @route("GET", "/entities", roles=STAFF, query=LIST_QUERY,
           summary="The register, paged by ?limit=&cursor=; filters ?category=&status=&town=&sector=&q= (name)")
    def list_entities(self, request):
        limit = page_limit(request.args, maximum=500)
        filters = {k: request.args[k][:100] for k in ("category", "status", "town", "sector") if request.args.get(k)}
        with self.store.engine.connect() as conn:
            items = repo.list_entities(conn, filters=filters, query=request.args.get("q", "")[:100] or None,
                                       limit=limit, after=request.args.get("cursor"))
        return {"items": items, "next_cursor": items[-1]["uscc"] if len(items) == limit else None}

    @route("GET", "/entities/<uscc>", roles=STAFF,
           summary="An entity: particulars, history, annual reports, listings, deregistration barriers")
    def get_entity(self, request, uscc):
        code = _code(uscc)
        with self.store.engine.connect() as conn:
            entity, _ = repo.load_entity(conn, code)
            return self._view(conn, entity)

    @route("POST", "/entities/<uscc>/changes", roles=REGISTRARS, body=schemas.CHANGE, status=201,
           summary="变更登记: change registered particulars; the old values stay in the history")
    def change(self, request, uscc):
        data = request.body
        on = self._not_future(_day(data["changed_on"]), "changed_on")
        changes = dict(data["changes"])
        if "registered_capital_yuan" in changes:
            changes["registered_capital_yuan"] = yuan_text(changes["registered_capital_yuan"])
        with self._command(uscc) as (uow, entity):
            changed = entity.change(changes, on=on, reason=data["reason"])
            uow.publish("entity.changed", subject=entity.uscc, data={
                **entity.public(), "changed_on": on.isoformat(), "reason": data["reason"],
                "changes": [_public_change(c) for c in changed]})
        return 201, self._view_of(entity.uscc)

    # -- deregistration (R-DEREG) ---------------------------------------------------------------
    @route("POST", "/entities/<uscc>/deregistration", roles=REGISTRARS, body=schemas.DEREGISTRATION, status=201,
           summary="注销: simplified (notice, then application; individual businesses: departments' window) "
                   "or ordinary; refused with the reasons while barred")
    def deregister(self, request, uscc):
        data = request.body
        on = self._not_future(_day(data["on"]), "on")
        mode = deregistration.Mode(data["mode"])
        with self._command(uscc) as (uow, entity):
            standing = repo.standing(uow.connection, entity.uscc)
            if mode is deregistration.Mode.ORDINARY:
                liquidated = data.get("liquidation_completed_on")
                procedure = deregistration.deregister_ordinary(
                    entity, standing, on=on, liquidation_completed_on=_day(liquidated) if liquidated else None)
            elif entity.status is EntityStatus.DEREGISTRATION_NOTICED:
                procedure = deregistration.apply_simplified(entity, standing, on=on)
            else:
                procedure = deregistration.start_simplified(entity, standing, on=on, cal=self.workdays,
                                                            commitment=data.get("commitment", {}))
                uow.publish("entity.deregistration_noticed", subject=entity.uscc, data={
                    "uscc": entity.uscc, "name": entity.name, "category": entity.category.value,
                    **{k: procedure[k] for k in ("mode", "variant", "started_on", "notice_until", "apply_by",
                                                 "objections_until") if k in procedure}})
            if entity.status is EntityStatus.DEREGISTERED:
                self._publish_deregistered(uow, entity)
        return 201, self._view_of(entity.uscc)

    def _publish_deregistered(self, uow, entity: Entity) -> None:
        procedure = entity.deregistration
        uow.publish("entity.deregistered", subject=entity.uscc, data={
            "uscc": entity.uscc, "name": entity.name, "category": entity.category.value,
            "mode": procedure["mode"], "deregistered_on": procedure["deregistered_on"]})

    def _publish_stopped(self, uow, entity: Entity) -> None:
        procedure = entity.deregistration
        uow.publish("entity.deregistration_stopped", subject=entity.uscc, data={
            "uscc": entity.uscc, "name": entity.name, "stopped_on": procedure["stopped_on"],
            "reason": procedure["stop_reason"], "barriers": procedure.get("barriers", [])})

    @route("POST", "/entities/<uscc>/deregistration/objections", roles=REGISTRARS, body=schemas.OBJECTION,
           status=201, summary="R-DEREG: an objection during the notice (or the departments' window) stops it")
    def object_to_deregistration(self, request, uscc):
        data = request.body
        received = self._not_future(_day(data["received_on"]), "received_on")
        with self._command(uscc) as (uow, entity):
            deregistration.object_to(entity, objector=data["objector"], reason=data["reason"], received_on=received)
            self._publish_stopped(uow, entity)
        return 201, self._view_of(entity.uscc)

    @route("POST", "/entities/<uscc>/revocation", roles=REGISTRARS, body=schemas.REVOCATION, status=201,
           summary="吊销营业执照 / 撤销登记: the entity's registration is revoked")
    def revoke(self, request, uscc):
        data = request.body
        on = self._not_future(_day(data["revoked_on"]), "revoked_on")
        with self._command(uscc) as (uow, entity):
            if entity.ended:
                raise Conflict(f"{entity.uscc} is already {entity.status.value}")
            entity.status = EntityStatus.REVOKED
            entity.revocation = {"revoked_on": on.isoformat(), "ground": data["ground"],
                                 "decision_no": data.get("decision_no"), "detail": data["detail"]}
            uow.publish("entity.revoked", subject=entity.uscc, data={
                "uscc": entity.uscc, "name": entity.name, **{k: v for k, v in entity.revocation.items() if v}})
        return 201, self._view_of(entity.uscc)

    # -- annual reports and the lists (R-ANNUAL, R-ABNORMAL, R-SERIOUS) --------------------------
    @route("POST", "/entities/<uscc>/annual-reports", roles=REGISTRARS, body=schemas.ANNUAL_REPORT, status=201,
           summary="R-ANNUAL: the annual report for a year (due 1 January - 30 June of the next year)")
    def file_annual_report(self, request, uscc):
        data = request.body
        filed = self._not_future(_day(data["filed_on"]), "filed_on")
        year = data["year"]
        if filed.year <= year:
            raise RuleViolation(f"R-ANNUAL: the report for {year} is filed from 1 January {year + 1}")
        with self._command(uscc) as (uow, entity):
            if year < date.fromisoformat(entity.established_on).year:
                raise RuleViolation(f"R-ANNUAL: {entity.uscc} was founded on {entity.established_on}, after {year}")
            if not repo.file_report(uow, entity.uscc, year, filed):
                raise Conflict(f"the report for {year} is already on file")
            uow.publish("entity.annual_report_filed", subject=entity.uscc, data={
                "uscc": entity.uscc, "year": year, "filed_on": filed.isoformat(),
                "on_time": filed <= listings.annual_report_due(year)})
        return 201, self._view_of(entity.uscc)

    @route("POST", "/entities/<uscc>/abnormal-listings", roles=REGISTRARS, body=schemas.ABNORMAL_LISTING,
           status=201, summary="R-ABNORMAL: list the entity on the abnormal-operations list, with its ground")
    def list_abnormal(self, request, uscc):
        data = request.body
        listed_on = self._not_future(_day(data["listed_on"]), "listed_on")
        ground = listings.AbnormalGround(data["ground"])
        with self._command(uscc) as (uow, entity):
            if entity.ended:
                raise Conflict(f"{entity.uscc} is {entity.status.value}")
            if any(row["state"] == "active" and row["list"] == "abnormal" and row["ground"] == ground.value
                   for row in repo.entity_listings(uow.connection, entity.uscc)):
                raise Conflict(f"{entity.uscc} is already listed for {ground.value}")
            listing = self._list_abnormal(uow, entity, ground, listed_on, detail=data["detail"],
                                          report_year=data.get("report_year"))
        return 201, listing

    def _list_abnormal(self, uow, entity: Entity, ground: listings.AbnormalGround, listed_on: date, *,
                       detail: str, report_year: int | None = None) -> dict[str, Any]:
        return self._list(uow, entity, "abnormal", ground.value, listed_on, report_year=report_year,
                          data={"detail": detail})

    def _list(self, uow, entity: Entity, list_name: str, ground: str, listed_on: date, *, data: dict[str, Any],
              report_year: int | None = None) -> dict[str, Any]:
        """A listing, its event and its credit entry, in one unit of work."""
        listing = repo.new_listing(uow, uscc=entity.uscc, list_name=list_name, ground=ground,
                                   listed_on=listed_on, report_year=report_year, data=data)
        event_type, kind = _LISTING_EVENTS[list_name]
        uow.publish(event_type, subject=entity.uscc, data={
            "uscc": entity.uscc, "name": entity.name, **_listing_event(listing)})
        self._credit(uow, entity.uscc, kind, listing["listing_id"], listed_on,
                     {"ground": ground, "detail": data["detail"]})
        return listing

    @route("POST", "/entities/<uscc>/abnormal-listings/<listing_id>/removal", roles=REGISTRARS,
           body=schemas.ABNORMAL_REMOVAL, status=201,
           summary="R-ABNORMAL: remove a listing once its ground is cured (e.g. the missing report filed)")
    def remove_abnormal(self, request, uscc, listing_id):
        data = request.body
        removed_on = self._not_future(_day(data["removed_on"]), "removed_on")
        with self._command(uscc) as (uow, entity):
            listing = repo.load_listing(uow.connection, entity.uscc, listing_id, "abnormal")
            if listing["state"] != "active":
                raise Conflict(f"listing {listing_id} is already {listing['state']}")
            cure = listings.Cure(removed_on=removed_on, explanation=data["explanation"],
                                 reports_filed=repo.reports_filed(uow.connection, entity.uscc),
                                 verified_address=data.get("verified_address"))
            refusal = listings.cure_refusal(listing, cure)
            if refusal:
                raise RuleViolation(refusal)
            if cure.verified_address and cure.verified_address != entity.address:
                changed = entity.change({"address": cure.verified_address}, on=removed_on,
                                        reason=f"核实住所，移出经营异常名录 {listing_id}")
                uow.publish("entity.changed", subject=entity.uscc, data={
                    **entity.public(), "changed_on": removed_on.isoformat(), "reason": "verified address",
                    "changes": changed})
            listing.update(state="removed", removed_on=removed_on.isoformat(), removal_reason="cured",
                           explanation=data["explanation"])
            repo.save_listing(uow, listing)
            uow.publish("entity.abnormal_removed", subject=entity.uscc, data={
                "uscc": entity.uscc, "name": entity.name, **_listing_event(listing)})
            self._credit(uow, entity.uscc, credit.EntryKind.ABNORMAL_REMOVED, listing_id, removed_on,
                         {"ground": listing["ground"], "reason": "cured"})
        return 201, listing

    @route("POST", "/entities/<uscc>/serious-violation-listings", roles=REGISTRARS, body=schemas.SERIOUS_LISTING,
           status=201, summary="R-SERIOUS: list after a heavier penalty for a serious violation (the decision "
                               "must be on the entity's credit record)")
    def list_serious(self, request, uscc):
        data = request.body
        listed_on = self._not_future(_day(data["listed_on"]), "listed_on")
        with self._command(uscc) as (uow, entity):
            penalties = {ref for ref, _ in repo.penalties(uow.connection, entity.uscc)}
            if data["decision_no"] not in penalties:
                raise RuleViolation(f"R-SERIOUS: decision {data['decision_no']} is not a penalty on "
                                    f"{entity.uscc}'s credit record")
            listing = self._list_serious(uow, entity, listings.SeriousGround.HEAVY_PENALTY, listed_on,
                                         detail=data["detail"], decision_no=data["decision_no"])
        return 201, listing

    def _list_serious(self, uow, entity: Entity, ground: listings.SeriousGround, listed_on: date, *,
                      detail: str, decision_no: str | None = None, from_listing: str | None = None):
        extra = {"detail": detail, **({"decision_no": decision_no} if decision_no else {}),
                 **({"from_listing": from_listing} if from_listing else {})}
        return self._list(uow, entity, "serious", ground.value, listed_on, data=extra)

    @route("POST", "/entities/<uscc>/serious-violation-listings/<listing_id>/removal", roles=REGISTRARS,
           body=schemas.SERIOUS_REMOVAL, status=201,
           summary="R-SERIOUS: early removal (信用修复) after one year, on its three conditions")
    def remove_serious(self, request, uscc, listing_id):
        data = request.body
        removed_on = self._not_future(_day(data["removed_on"]), "removed_on")
        with self._command(uscc) as (uow, entity):
            listing = repo.load_listing(uow.connection, entity.uscc, listing_id, "serious")
            refusal = listings.early_removal_refusal(
                listing, on=removed_on, penalty_performed=data["penalty_performed"],
                harm_removed=data["harm_removed"], no_further_heavy_penalty=data["no_further_heavy_penalty"])
            if refusal:
                raise RuleViolation(refusal)
            self._remove_serious(uow, entity, listing, removed_on, "early_removal", data["explanation"])
        return 201, listing

    def _remove_serious(self, uow, entity: Entity, listing: dict[str, Any], on: date, reason: str,
                        explanation: str) -> None:
        listing.update(state="removed", removed_on=on.isoformat(), removal_reason=reason, explanation=explanation)
        repo.save_listing(uow, listing)
        uow.publish("entity.serious_violation_removed", subject=entity.uscc, data={
            "uscc": entity.uscc, "name": entity.name, **_listing_event(listing)})
        self._credit(uow, entity.uscc, credit.EntryKind.SERIOUS_REMOVED, listing["listing_id"], on,
                     {"ground": listing["ground"], "reason": reason})

    # -- the credit record (R-CREDIT) -------------------------------------------------------------
    @route("GET", "/entities/<uscc>/credit", roles=PUBLIC,
           summary="R-CREDIT: the entity's credit record (no token): penalties, listings, removals, disclosures")
    def credit_record(self, request, uscc):
        code = _code(uscc)
        with self.store.engine.connect() as conn:
            entity, _ = repo.load_entity(conn, code)
            record = repo.credit_record(conn, code)
            active = [row for row in repo.entity_listings(conn, code) if row["state"] == "active"]
            return {"uscc": code, "name": entity.name, "status": entity.status.value,
                    "credit_risk": self._risk(conn, code).value,
                    "listed": [{"list": r["list"], "listing_id": r["listing_id"], "ground": r["ground"],
                                "listed_on": r["listed_on"]} for r in active],
                    "summary": credit.summarise(record), "entries": record}

    # -- what the other services tell us -----------------------------------------------------------
    @subscribe("enforcement", "case.opened", "case.closed")
    def on_case(self, event):
        data = event.data
        with self.store.unit_of_work() as uow:
            if event.type == "case.opened":
                uscc = (data.get("subject") or {}).get("uscc")
                if uscc:
                    repo.note_fact(uow, repo.OPEN_CASE, data["case_no"], uscc, shanghai_date(data["opened_at"]))
            else:
                repo.drop_fact(uow, repo.OPEN_CASE, data["case_no"])

    @subscribe("enforcement", "penalty.decided", "penalty.paid", "decision.revoked")
    def on_penalty(self, event):
        data = event.data
        with self.store.unit_of_work() as uow:
            if event.type == "penalty.decided":
                uscc = (data.get("subject") or {}).get("uscc")
                if not uscc:
                    return  # a natural person: no register entry, no credit record here
                entry = credit.penalty_entry(data)
                if credit.needs_execution(data):
                    repo.note_fact(uow, repo.UNEXECUTED_PENALTY, data["decision_no"], uscc,
                                   shanghai_date(data["decided_at"]))
                self._credit(uow, uscc, credit.EntryKind.PENALTY, data["decision_no"],
                             shanghai_date(data["decided_at"]), entry)
                return
            uscc = repo.drop_fact(uow, repo.UNEXECUTED_PENALTY, data["decision_no"]) or \
                repo.penalty_party(uow.connection, data["decision_no"])
            if not uscc:
                return
            if event.type == "penalty.paid":
                self._credit(uow, uscc, credit.EntryKind.PENALTY_EXECUTED, data["decision_no"],
                             _day(data["paid_on"]), {"decision_no": data["decision_no"], "paid_on": data["paid_on"]})
            else:
                self._credit(uow, uscc, credit.EntryKind.PENALTY_REVOKED, data["decision_no"],
                             _day(data["changed_on"]), {"decision_no": data["decision_no"], "kind": data["kind"]})

    @subscribe("legal_review", "disclosure.published", "disclosure.withdrawn")
    def on_disclosure(self, event):
        data = event.data
        with self.store.unit_of_work() as uow:
            if event.type == "disclosure.published":
                uscc = (data["fields"].get("party") or {}).get("uscc")
                if uscc:
                    self._credit(uow, uscc, credit.EntryKind.DISCLOSURE_PUBLISHED, data["disclosure_id"],
                                 shanghai_date(data["published_at"]),
                                 {"decision_no": data["decision_no"], "due_by": data["due_by"]})
                return
            uscc = repo.disclosure_party(uow.connection, data["disclosure_id"])
            if uscc:
                self._credit(uow, uscc, credit.EntryKind.DISCLOSURE_WITHDRAWN, data["disclosure_id"],
                             shanghai_date(data["withdrawn_at"]),
                             {"decision_no": data["decision_no"], "rule": data["rule"], "reason": data["reason"]})

    @subscribe("enforcement", "inspection.result_recorded")
    def on_inspection_result(self, event):
        """双随机 results go on the credit record; "not found at the registered address" lists the entity
        (R-ABNORMAL: unreachable)."""
        data = event.data
        with self.store.unit_of_work() as uow:
            try:
                entity, version = repo.load_entity(uow.connection, data["uscc"])
            except Exception:
                return  # not on this register
            inspected = _day(data["inspected_on"])
            self._credit(uow, entity.uscc, credit.EntryKind.INSPECTION, f"{data['draw_id']}:{entity.uscc}",
                         inspected, {"draw_id": data["draw_id"], "outcome": data["outcome"]})
            unreachable = listings.AbnormalGround.UNREACHABLE
            if data["outcome"] == "not_found_at_address" and not entity.ended and not any(
                    row["state"] == "active" and row["ground"] == unreachable.value
                    for row in repo.entity_listings(uow.connection, entity.uscc)):
                self._list_abnormal(uow, entity, unreachable, self.workdays.today(),
                                    detail=f"双随机抽查 {data['draw_id']}：通过登记的住所无法联系（{inspected}）")

    # -- the daily duties ---------------------------------------------------------------------------
    @timer(interval=REGISTRATION_SCAN_SECONDS, eager=True)
    def daily_duties(self):
        """R-ANNUAL listings after 30 June, R-SERIOUS escalation and expiry, R-DEREG windows."""
        today = self.workdays.today()
        self._list_missing_reports(today)
        for listing in self._active(None):
            if listings.escalation_due(listing, today):
                self._escalate(listing, today)
            elif listings.expiry_due(listing, today):
                with self._command(listing["uscc"]) as (uow, entity):
                    fresh = repo.load_listing(uow.connection, entity.uscc, listing["listing_id"], "serious")
                    if fresh["state"] == "active":
                        self._remove_serious(uow, entity, fresh, today, "period_ended",
                                             f"公示期满{listings.SERIOUS_PERIOD_YEARS}年")
        self._close_deregistration_windows(today)
        self._refresh_gauges()

    def _active(self, list_name):
        with self.store.engine.connect() as conn:
            return repo.active_listings(conn, list_name)

    def _list_missing_reports(self, today: date) -> None:
        year = today.year - 1 if today > listings.annual_report_due(today.year - 1) else today.year - 2
        due = listings.annual_report_due(year)
        on_time = exists().where(annual_reports.c.uscc == entities.c.uscc, annual_reports.c.year == year,
                                 annual_reports.c.filed_on <= due)
        listed = exists().where(listings_table.c.uscc == entities.c.uscc,
                                listings_table.c.ground == listings.AbnormalGround.NO_ANNUAL_REPORT.value,
                                listings_table.c.report_year == year)
        query = select(entities.c.uscc).where(and_(
            entities.c.category != EntityCategory.INDIVIDUAL_BUSINESS.value,
            entities.c.status.in_([EntityStatus.ACTIVE.value, EntityStatus.DEREGISTRATION_NOTICED.value]),
            entities.c.established_on < date(year + 1, 1, 1), ~on_time, ~listed))
        with self.store.engine.connect() as conn:
            missing = [row.uscc for row in conn.execute(query)]
        for uscc in missing:
            with self._command(uscc) as (uow, entity):
                if repo.has_annual_report_listing(uow.connection, uscc, year):
                    continue
                self._list_abnormal(uow, entity, listings.AbnormalGround.NO_ANNUAL_REPORT, today,
                                    detail=f"未按规定期限公示{year}年度报告（截止{due.isoformat()}）", report_year=year)

    def _escalate(self, listing: dict[str, Any], today: date) -> None:
        with self._command(listing["uscc"]) as (uow, entity):
            fresh = repo.load_listing(uow.connection, entity.uscc, listing["listing_id"], "abnormal")
            if not listings.escalation_due(fresh, today):
                return
            fresh.update(state="escalated", removed_on=today.isoformat(), removal_reason="escalated")
            repo.save_listing(uow, fresh)
            uow.publish("entity.abnormal_removed", subject=entity.uscc, data={
                "uscc": entity.uscc, "name": entity.name, **_listing_event(fresh)})
            self._list_serious(uow, entity, listings.SeriousGround.ABNORMAL_THREE_YEARS, today,
                               detail=f"列入经营异常名录满{listings.ESCALATION_YEARS}年未履行（{fresh['listing_id']}，"
                                      f"{fresh['listed_on']}起）", from_listing=fresh["listing_id"])

    def _close_deregistration_windows(self, today: date) -> None:
        with self.store.engine.connect() as conn:
            noticed = [row.uscc for row in conn.execute(select(entities.c.uscc).where(
                entities.c.status == EntityStatus.DEREGISTRATION_NOTICED.value))]
        for uscc in noticed:
            with self._command(uscc) as (uow, entity):
                standing = repo.standing(uow.connection, uscc)
                done = deregistration.complete_individual(entity, standing, on=today) or \
                    deregistration.lapse_if_unclaimed(entity, on=today)
                if done is None:
                    continue
                if entity.status is EntityStatus.DEREGISTERED:
                    self._publish_deregistered(uow, entity)
                else:
                    self._publish_stopped(uow, entity)

    def _refresh_gauges(self) -> None:
        with self.store.engine.connect() as conn:
            for status, count in conn.execute(select(entities.c.status, func.count()).group_by(entities.c.status)):
                ENTITIES_BY_STATUS.labels(self.name, status).set(count)
            counts = dict(conn.execute(select(listings_table.c.list, func.count())
                                       .where(listings_table.c.state == "active").group_by(listings_table.c.list)).all())
        for name in ("abnormal", "serious"):
            LISTED.labels(self.name, name).set(counts.get(name, 0))

    def _view_of(self, uscc: str) -> dict[str, Any]:
        with self.store.engine.connect() as conn:
            entity, _ = repo.load_entity(conn, uscc)
            return self._view(conn, entity)


class _EntityCommand:
    """Load an entity in a unit of work, let the caller change it, save it on success."""

    def __init__(self, service: RegistrationService, uscc: str):
        self.service, self.uscc = service, uscc

    def __enter__(self):
        self.uow = self.service.store.unit_of_work()
        uow = self.uow.__enter__()
        try:
            self.entity, self.version = repo.load_entity(uow.connection, self.uscc)
            self.before = self.entity.to_dict()
        except BaseException:
            self.uow.__exit__(*sys.exc_info())
            raise
        return uow, self.entity

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None and self.entity.to_dict() != self.before:
            try:
                repo.save_entity(self.uow, self.entity, self.version)
            except BaseException:
                return self.uow.__exit__(*sys.exc_info())
        return self.uow.__exit__(exc_type, exc, tb)


_LISTING_EVENTS = {"abnormal": ("entity.abnormal_listed", credit.EntryKind.ABNORMAL_LISTED),
                   "serious": ("entity.serious_violation_listed", credit.EntryKind.SERIOUS_LISTED)}


def _listing_event(listing: dict[str, Any]) -> dict[str, Any]:
    keys = ("listing_id", "list", "ground", "listed_on", "report_year", "detail", "decision_no", "from_listing",
            "removed_on", "removal_reason")
    return {k: listing[k] for k in keys if listing.get(k) is not None}
