"""The IP-protection service: nameko entrypoints only; the rules live in `domain/`.

A register of trademarks and geographical-indication marks (seeded with the district's 埔田竹笋 and
东寮芋), their authorised users (G-USE), and infringement reports assessed against them (T-*, G-*,
J-213, J-214). A report that finds an infringement is announced (``infringement.reported``) and
enforcement turns it into a clue; this service follows the clue, the case and the penalty through
enforcement's events into the mark's infringement history.
"""
from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from nameko.timer import timer
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.ip_protection import schemas
from services.ip_protection.domain.infringement import ReportFacts, assess
from services.ip_protection.domain.marks import Mark, MarkKind, MarkStatus, seed_marks
from services.ip_protection.domain.names import compare, normalise
from services.ip_protection.tables import (authorized_users, infringement_reports, mark_history, marks, metadata,
                                          sequences)
from shared.calendar import shanghai_date
from shared.db import next_number
from shared.errors import Conflict, NotFound, RuleViolation
from shared.events.subscriber import subscribe
from shared.http.routes import route
from shared.law.penalties import party_reference
from shared.service import PlatformService
from shared.store import Store

IP_OFFICERS = ("ip_officer",)
REPORTERS = ("ip_officer", "officer", "supervisor")
READERS = ("ip_officer", "officer", "supervisor", "reviewer", "registrar", "operator")
SEED_SECONDS = float(os.environ.get("IP_SEED_SECONDS", "3600"))
REPEAT_YEARS = 5  # T-FINE: two or more infringements within five years


class IpProtectionService(PlatformService):
    name = "ip_protection"
    store = Store(metadata, Path(__file__).parent / "migrations")

    # -- the register of marks ---------------------------------------------------------------------
    @timer(interval=SEED_SECONDS, eager=True)
    def load_seed(self):
        """The district's marks from its plan; idempotent (a mark already there is left as it is)."""
        for mark in seed_marks():
            try:
                with self.store.unit_of_work() as uow:
                    if uow.execute(select(marks.c.mark_id).where(marks.c.mark_id == mark.mark_id)).first():
                        continue
                    self._insert_mark(uow, mark)
            except IntegrityError:
                continue  # another replica seeded it at the same moment

    def _insert_mark(self, uow, mark: Mark) -> None:
        uow.execute(insert(marks).values(mark_id=mark.mark_id, name=mark.name, normalised_name=normalise(mark.name),
                                         kind=mark.kind.value, status=mark.status.value,
                                         registration_number=mark.registration_number, data=mark.to_dict()))
        if mark.status is MarkStatus.REGISTERED:
            uow.publish("mark.registered", subject=mark.mark_id, data=_mark_event(mark))

    @route("POST", "/marks", roles=IP_OFFICERS, body=schemas.MARK, status=201,
           summary="Add a trademark or GI mark to the register (GI kinds need their production region)")
    def add_mark(self, request):
        data = dict(request.body)
        for name in ("valid_from", "valid_until"):
            if name in data:
                data[name] = date.fromisoformat(data[name])
        try:
            mark = Mark(mark_id=f"M-{uuid.uuid4().hex[:12]}", kind=MarkKind(data.pop("kind")),
                        status=MarkStatus(data.pop("status")), goods=tuple(data.pop("goods", ())),
                        region=tuple(data.pop("region", ())), unconfirmed=tuple(data.pop("unconfirmed", ())), **data)
        except ValueError as exc:
            raise RuleViolation(str(exc)) from None
        with self.store.unit_of_work() as uow:
            if mark.registration_number and uow.execute(select(marks.c.mark_id).where(
                    marks.c.registration_number == mark.registration_number)).first():
                raise Conflict(f"registration number {mark.registration_number} is already on the register")
            self._insert_mark(uow, mark)
        return 201, self._mark_view(mark.mark_id)

    @route("GET", "/marks", roles=READERS, query={"q": {"type": "string", "maxLength": 100}},
           summary="The register of marks; ?q= a name, matched after normalising (full-width, traditional "
                   "characters, spacing), identical or similar")
    def list_marks(self, request):
        wanted = request.args.get("q", "")[:100]
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(marks).order_by(marks.c.name)).all()
        items = []
        for row in rows:
            relation = compare(wanted, row.name) if wanted else "identical"
            if relation != "different":
                items.append({"mark_id": row.mark_id, "name": row.name, "kind": row.kind, "status": row.status,
                              **({"match": relation} if wanted else {})})
        return {"items": items}

    @route("GET", "/marks/<mark_id>", roles=READERS,
           summary="A mark with its authorised users and its infringement history (reports, cases, penalties)")
    def get_mark(self, request, mark_id):
        return self._mark_view(mark_id)

    def _mark_view(self, mark_id: str) -> dict[str, Any]:
        with self.store.engine.connect() as conn:
            mark = _load_mark(conn, mark_id)
            users = [row.data for row in conn.execute(select(authorized_users).where(
                authorized_users.c.mark_id == mark_id).order_by(authorized_users.c.uscc))]
            history = [{"kind": row.kind, "reference": row.reference, "on": row.entry_on.isoformat(), **row.data}
                       for row in conn.execute(select(mark_history).where(mark_history.c.mark_id == mark_id)
                                               .order_by(mark_history.c.entry_on, mark_history.c.id))]
        return {**mark.to_dict(), "authorized_users": [u for u in users if u["state"] == "authorized"],
                "decisions": [u for u in users if u["state"] != "authorized"], "history": history}

    # -- authorised users (G-USE) -------------------------------------------------------------------
    @route("POST", "/marks/<mark_id>/authorized-users", roles=IP_OFFICERS, body=schemas.AUTHORIZATION, status=201,
           summary="G-USE: admit a producer as an authorised user, or refuse with a reason; a certification-"
                   "mark GI must admit any producer from its region who meets its conditions")
    def authorize(self, request, mark_id):
        data = request.body
        on = date.fromisoformat(data["on"])
        if on > self.workdays.today():
            raise RuleViolation("on is in the future")
        with self.store.unit_of_work() as uow:
            mark = _load_mark(uow.connection, mark_id)
            in_region = mark.origin_in_region(data.get("origin", "")) if mark.is_gi else None
            if data["decision"] == "admit":
                if not mark.in_force(on) and mark.kind is not MarkKind.GI_PRODUCT:
                    raise Conflict(f"G-USE: {mark.name} is not registered and in force on {on}; nobody can be "
                                   "authorised to use it")
                if mark.is_gi and not in_region:
                    raise RuleViolation(f"G-USE: {mark.name} may be used only on goods from its region "
                                        f"({'、'.join(mark.region)}); the producer's origin "
                                        f"{data.get('origin') or '(not given)'} is outside it")
                state = "authorized"
            else:
                if not data.get("reason"):
                    raise RuleViolation("G-USE: a refusal needs its reason")
                if mark.kind is MarkKind.GI_CERTIFICATION and in_region and data.get("meets_conditions"):
                    raise RuleViolation(f"G-USE: {mark.name} is a certification mark; a producer from its region "
                                        "who meets its conditions must be admitted (商标法实施条例第四条)")
                state = "refused"
            current = uow.execute(select(authorized_users.c.state).where(
                authorized_users.c.mark_id == mark_id, authorized_users.c.uscc == data["uscc"])).first()
            if current and current.state == "authorized" and state == "authorized":
                raise Conflict(f"{data['uscc']} is already an authorised user of {mark.name}")
            record = {"mark_id": mark_id, "uscc": data["uscc"], "name": data["name"], "state": state,
                      "on": on.isoformat(), "origin": data.get("origin"),
                      **({"reason": data["reason"]} if data.get("reason") else {})}
            values = {"state": state, "data": record}
            if current:
                uow.execute(update(authorized_users).where(authorized_users.c.mark_id == mark_id,
                                                           authorized_users.c.uscc == data["uscc"]).values(**values))
            else:
                uow.execute(insert(authorized_users).values(mark_id=mark_id, uscc=data["uscc"], **values))
            if state == "authorized":
                uow.publish("mark.user_authorized", subject=mark_id, data={
                    "mark_id": mark_id, "mark_name": mark.name, "uscc": data["uscc"], "name": data["name"],
                    "authorized_on": on.isoformat()})
        return 201, record

    @route("DELETE", "/marks/<mark_id>/authorized-users/<uscc>", roles=IP_OFFICERS,
           summary="G-USE: revoke an authorised user")
    def revoke_user(self, request, mark_id, uscc):
        today = self.workdays.today()
        with self.store.unit_of_work() as uow:
            mark = _load_mark(uow.connection, mark_id)
            row = uow.execute(select(authorized_users).where(authorized_users.c.mark_id == mark_id,
                                                             authorized_users.c.uscc == uscc)).first()
            if row is None or row.state != "authorized":
                raise NotFound(f"{uscc} is not an authorised user of {mark.name}")
            record = {**row.data, "state": "revoked", "revoked_on": today.isoformat()}
            uow.execute(update(authorized_users).where(authorized_users.c.mark_id == mark_id,
                                                       authorized_users.c.uscc == uscc)
                        .values(state="revoked", data=record))
            uow.publish("mark.user_revoked", subject=mark_id, data={
                "mark_id": mark_id, "mark_name": mark.name, "uscc": uscc, "name": row.data["name"],
                "revoked_on": today.isoformat()})
        return record

    # -- infringement reports ------------------------------------------------------------------------
    @route("POST", "/infringement-reports", roles=REPORTERS, body=schemas.REPORT, status=201,
           summary="An infringement report (from an officer, a right holder or the public): the findings, the "
                   "fine range (T-FINE / G-FINE / T-INNOCENT) and the J-213 / J-214 flags; an infringement "
                   "becomes an enforcement clue")
    def report_infringement(self, request):
        data = request.body
        observed_on = date.fromisoformat(data["observed_on"])
        if observed_on > self.workdays.today():
            raise RuleViolation("observed_on is in the future")
        seller = data["seller"]
        with self.store.unit_of_work() as uow:
            mark = self._mark_for(uow.connection, data)
            authorized = {row.uscc for row in uow.execute(select(authorized_users.c.uscc).where(
                authorized_users.c.mark_id == mark.mark_id, authorized_users.c.state == "authorized"))}
            source = data.get("supplier_uscc") if data["role"] == "seller" and data.get("supplier_uscc") else None
            prior = uow.execute(select(func.count()).select_from(infringement_reports).where(
                infringement_reports.c.seller_uscc == seller.get("uscc"), infringement_reports.c.infringement == 1,
                infringement_reports.c.observed_on > observed_on - timedelta(days=365 * REPEAT_YEARS))).scalar() \
                if seller.get("uscc") else 0
            try:
                facts = ReportFacts(
                    mark_name_used=data["mark_name_used"], product=data["product"], role=data["role"],
                    seller_is_authorized_user=seller.get("uscc") in authorized or source in authorized,
                    on=observed_on, seller_uscc=seller.get("uscc"), claimed_origin=data.get("claimed_origin", ""),
                    actual_origin=data.get("actual_origin"),
                    **{k: data[k] for k in ("sales_amount_yuan", "unsold_goods_yuan", "illegal_gains_yuan",
                                            "goods_value_yuan", "marks_count", "meets_product_standard",
                                            "did_not_know", "lawful_acquisition_proven", "supplier_named")
                       if k in data},
                    prior_infringements_5y=prior)
            except ValueError as exc:
                raise RuleViolation(str(exc)) from None
            assessment = assess(facts, mark)
            number = next_number(uow, sequences, f"report-{observed_on.year}")
            report_id = f"QQ-{observed_on.year}-{number:06d}"
            report = {"report_id": report_id, "mark": {"id": mark.mark_id, "name": mark.name, "kind": mark.kind.value,
                                                       "status": mark.status.value},
                      "mark_name_used": data["mark_name_used"], "product": data["product"],
                      "seller": seller, "role": data["role"], "claimed_origin": data.get("claimed_origin", ""),
                      "actual_origin": data.get("actual_origin"), "observed_on": data["observed_on"],
                      "sales_amount_yuan": float(facts.sales_amount_yuan),
                      "unsold_goods_yuan": float(facts.unsold_goods_yuan),
                      "illegal_gains_yuan": float(facts.illegal_gains_yuan),
                      "reporter": data["reporter"], "description": data.get("description"),
                      "prior_infringements_5y": prior, **assessment.to_dict(),
                      "state": "referred" if assessment.infringement else "closed_no_infringement",
                      "clue_id": None, "case_no": None, "correlation_id": uow.context.correlation_id}
            uow.execute(insert(infringement_reports).values(
                report_id=report_id, mark_id=mark.mark_id, seller_uscc=seller.get("uscc"),
                infringement=int(assessment.infringement), observed_on=observed_on, data=report))
            self._history(uow, mark.mark_id, "reported", report_id, observed_on, {
                "seller": party_reference(seller), "findings": list(assessment.findings),
                "infringement": assessment.infringement})
            uow.publish("infringement.reported", subject=report_id, data={
                "report_id": report_id, "mark": {"id": mark.mark_id, "name": mark.name, "kind": mark.kind.value},
                "seller": party_reference(seller), "role": data["role"], "product": data["product"],
                "mark_name_used": data["mark_name_used"], "claimed_origin": data.get("claimed_origin", ""),
                "sales_amount_yuan": float(facts.sales_amount_yuan), "observed_on": data["observed_on"],
                "findings": list(assessment.findings), "infringement": assessment.infringement,
                "legal_basis": list(assessment.legal_basis),
                "fine_range": report["fine_range"], "judiciary": report["judiciary"],
                "transfer_suggested": assessment.transfer_suggested})
        return 201, _report_view(report)

    def _mark_for(self, connection, data: dict[str, Any]) -> Mark:
        """The mark a report is about: the one named, or the closest by name (identical before similar)."""
        if data.get("mark_id"):
            return _load_mark(connection, data["mark_id"])
        rows = connection.execute(select(marks.c.data, marks.c.name)).all()
        ranked = sorted(((compare(data["mark_name_used"], row.name), row) for row in rows),
                        key=lambda pair: {"identical": 0, "similar": 1}.get(pair[0], 2))
        if not ranked or ranked[0][0] == "different":
            raise RuleViolation(f"no mark on the register matches {data['mark_name_used'][:50]!r}; give mark_id, "
                                "or add the mark first")
        return Mark.from_dict(ranked[0][1].data)

    @route("GET", "/infringement-reports/<report_id>", roles=READERS,
           summary="A report with its findings, and the clue and case it became once enforcement filed it")
    def get_report(self, request, report_id):
        with self.store.engine.connect() as conn:
            row = conn.execute(select(infringement_reports.c.data).where(
                infringement_reports.c.report_id == report_id)).first()
        if row is None:
            raise NotFound(f"no infringement report {report_id}")
        return _report_view(row.data)

    # -- following the report through enforcement -----------------------------------------------------
    @subscribe("enforcement", "clue.received", "case.opened", "penalty.decided")
    def on_enforcement(self, event):
        data = event.data
        with self.store.unit_of_work() as uow:
            if event.type == "clue.received":
                referral = data.get("referral") or {}
                if referral.get("service") != self.name:
                    return
                row = _report_row(uow, infringement_reports.c.report_id == referral["report_id"])
                if row is not None:
                    self._save_report(uow, row, clue_id=data["clue_id"])
                    uow.publish("infringement.referred", subject=row.report_id, data={
                        "report_id": row.report_id, "mark_id": row.mark_id, "clue_id": data["clue_id"],
                        "referred_to": "enforcement"})
            elif event.type == "case.opened":
                row = _report_row(uow, infringement_reports.c.clue_id == data["clue_id"])
                if row is not None:
                    self._save_report(uow, row, case_no=data["case_no"], state="case_opened")
                    self._history(uow, row.mark_id, "case_opened", data["case_no"], shanghai_date(data["opened_at"]),
                                  {"report_id": row.report_id, "case_no": data["case_no"]})
            else:
                row = _report_row(uow, infringement_reports.c.case_no == data["case_no"])
                if row is not None:
                    penalty = data.get("penalty", {})
                    self._save_report(uow, row, state="penalty_decided")
                    self._history(uow, row.mark_id, "penalty_decided", data["decision_no"],
                                  shanghai_date(data["decided_at"]), {
                                      "report_id": row.report_id, "case_no": data["case_no"],
                                      "decision_no": data["decision_no"], "party": party_reference(data["subject"]),
                                      "kinds": penalty.get("kinds", []),
                                      "fine_amount_yuan": penalty.get("fine_amount_yuan", 0),
                                      "confiscation_amount_yuan": penalty.get("confiscation_amount_yuan", 0)})

    def _save_report(self, uow, row, **changes) -> None:
        report = {**row.data, **changes}
        uow.execute(update(infringement_reports).where(infringement_reports.c.report_id == row.report_id).values(
            data=report, **{k: v for k, v in changes.items() if k in ("clue_id", "case_no")}))

    def _history(self, uow, mark_id: str, kind: str, reference: str, on: date, data: dict[str, Any]) -> None:
        if uow.execute(select(mark_history.c.id).where(mark_history.c.mark_id == mark_id, mark_history.c.kind == kind,
                                                       mark_history.c.reference == reference)).first():
            return  # announced again: recorded once
        uow.execute(insert(mark_history).values(mark_id=mark_id, kind=kind, reference=reference, entry_on=on,
                                                recorded_at=datetime.now(timezone.utc), data=data))


def _load_mark(connection, mark_id: str) -> Mark:
    row = connection.execute(select(marks.c.data).where(marks.c.mark_id == mark_id)).first()
    if row is None:
        raise NotFound(f"no mark {mark_id}")
    return Mark.from_dict(row.data)


def _report_row(uow, condition):
    return uow.execute(select(infringement_reports).where(condition)).first()


def _mark_event(mark: Mark) -> dict[str, Any]:
    data = mark.to_dict()
    return {k: data[k] for k in ("mark_id", "name", "kind", "status", "registrant", "registration_number", "goods",
                                 "valid_from", "valid_until", "region", "unconfirmed") if data.get(k) is not None}


def _report_view(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "correlation_id"}
