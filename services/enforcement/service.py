"""The enforcement service: nameko entrypoints only; the rules live in `domain/`.

Every command loads its aggregate, lets the domain decide, appends to the full-process record
(A-RECORD), saves, and publishes its event, all in one unit of work.
"""
from __future__ import annotations

import os
import uuid
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from services.enforcement import repository as repo
from services.enforcement import schemas
from services.enforcement.domain import deadlines
from services.enforcement.domain.case import Case, CaseState, ClueState, Proposal
from shared.law.judiciary import CaseFindings, thresholds_met
from services.enforcement.inspections import RandomInspections
from services.enforcement.domain.procedure import (
    Officer, hearing_right_grounds, simplified_procedure_refusal, two_officers_refusal,
)
from services.enforcement.tables import metadata
from nameko.timer import timer

from shared import metrics
from shared.errors import Conflict, PermissionDenied, RuleViolation
from shared.events.subscriber import subscribe
from shared.http.routes import page_limit, route
from shared.law.disclosure import redact
from shared.law.penalties import party_reference, CONFISCATIONS, PartyKind, Penalty, PenaltyKind
from shared.service import PlatformService
from shared.store import Store

OFFICERS = ("officer", "supervisor")
SUPERVISOR = ("supervisor",)
READERS = ("officer", "supervisor", "operator")
FEN = Decimal("0.01")
DEADLINE_SCAN_SECONDS = float(os.environ.get("DEADLINE_SCAN_SECONDS", "60"))

CASES_BY_STATE = metrics.gauge("cases", "Cases by state.", ("state",))
DEADLINES_OVERDUE = metrics.gauge("deadlines_overdue", "Statutory deadlines passed, by rule id.", ("kind",))
TRANSFERS_UNACKNOWLEDGED = metrics.gauge(
    "judiciary_transfers_unacknowledged", "Cases transferred to the police without their decision yet (J-DUTY).")
TRANSFERS_OVERDUE = metrics.gauge(
    "judiciary_transfers_overdue",
    "Transfers the police have not answered within 3 days (J-DUTY: police decide within 3 D).")
POLICE_ANSWER_DAYS = 3  # J-DUTY: the police decide within 3 D of the transfer


def _yuan(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(FEN, rounding=ROUND_HALF_UP)


def _day(value: str) -> date:
    return date.fromisoformat(value)


class EnforcementService(RandomInspections, PlatformService):
    name = "enforcement"
    store = Store(metadata, Path(__file__).parent / "migrations")

    # -- helpers --------------------------------------------------------------------------------
    def _officers(self, request, on: date) -> list[str]:
        """O-TWO: the caller and the second officer, distinct, each with a certificate valid today
        and on the date of the act (a backdated act does not revive an expired certificate)."""
        people = [Officer(p.staff_id, p.cert_no, p.cert_expires) for p in request.officers]
        for day in sorted({on, self.workdays.today()}):
            refusal = two_officers_refusal(people, day)
            if refusal:
                raise PermissionDenied(refusal)
        second = request.officers[1]
        if not second.roles & set(OFFICERS):
            raise PermissionDenied(f"O-TWO: the second officer {second.staff_id} is not an enforcement officer")
        return [p.staff_id for p in people]

    def _record(self, uow, key: str, request, action: str, content: dict[str, Any]) -> None:
        repo.append_record(uow, key, actor=request.principal.staff_id, action=action, content=content)

    def _case_view(self, case: Case) -> dict[str, Any]:
        today = self.workdays.today()
        view = case.to_dict()
        view["deadlines"] = [d.as_dict() for d in self._deadlines(case, today)]
        return view

    def _deadlines(self, case: Case, today: date) -> list[deadlines.Deadline]:
        cal = self.workdays
        result = []
        if case.state not in (CaseState.CLOSED, CaseState.TRANSFERRED) and case.decision is None:
            paused = [(_day(start), _day(end) if end else None) for start, end in case.paused]
            result.append(deadlines.decision_deadline(_day(case.filed_on), cal, paused=paused, today=today,
                                                      head_extension_days=case.head_extension_days,
                                                      collective_extension_days=case.collective_extension_days))
        if case.state is CaseState.PRE_NOTIFIED and case.pre_notice_served_on:
            result.append(deadlines.statement_deadline(_day(case.pre_notice_served_on), cal))
            result.append(deadlines.hearing_request_deadline(_day(case.pre_notice_served_on), cal))
        if case.state is CaseState.DECIDED and case.decision:
            result.append(deadlines.service_deadline(_day(case.decision["decided_on"]), cal,
                                                     party_present=case.decision.get("party_present", True)))
        if case.state is CaseState.SERVED and case.served_on and case.payment is None:
            result.append(deadlines.payment_deadline(_day(case.served_on), cal))
        if case.closing_ground_on and case.state is not CaseState.CLOSED:
            result.append(deadlines.closure_deadline(_day(case.closing_ground_on), cal))
        return result

    # -- clues ----------------------------------------------------------------------------------
    @route("POST", "/clues", roles=OFFICERS, body=schemas.CLUE, status=201,
           summary="Register a clue (线索); it must get a filing decision within D-CLUE")
    def receive_clue(self, request):
        data = request.body
        if _day(data["received_on"]) > self.workdays.today():
            raise RuleViolation("received_on is in the future")
        with self.store.unit_of_work() as uow:
            clue = self._new_clue(uow, data, actor=request.principal.staff_id)
        return 201, clue

    def _new_clue(self, uow, data: dict[str, Any], *, actor: str) -> dict[str, Any]:
        """A clue and its first record entry, in the caller's unit of work (D-CLUE starts)."""
        received_on = _day(data["received_on"])
        number = repo.next_number(uow, f"clue-{received_on.year}")
        clue_id = f"XS-{received_on.year}-{number:06d}"
        due = deadlines.clue_filing_deadline(received_on, self.workdays)
        clue = {"clue_id": clue_id, "state": ClueState.RECEIVED.value, "source": data["source"],
                "received_on": data["received_on"], "subject": data["subject"], "summary": data["summary"],
                "category": data.get("category", "unspecified"), "informant": data.get("informant"),
                "violation": data.get("violation"), "correlation_id": uow.context.correlation_id,
                "filing_due": due.as_dict(), "case_no": None}
        if data.get("referral"):
            clue["referral"] = data["referral"]  # where another service referred it from
        repo.insert_clue(uow, clue)
        repo.append_record(uow, clue_id, actor=actor, action="clue.received", content={"clue": clue})
        uow.publish("clue.received", subject=clue_id, data={
            "clue_id": clue_id, "source": clue["source"], "received_on": clue["received_on"],
            "subject": party_reference(clue["subject"]), "filing_due": due.due.isoformat(),
            **({"referral": clue["referral"]} if "referral" in clue else {})})
        return clue

    @subscribe("ip_protection", "infringement.reported")
    def on_infringement_reported(self, event):
        """An IP report that found an infringement becomes a clue (source: IP referral), in the
        report's flow (same correlation id); D-CLUE runs from the day it arrives."""
        data = event.data
        if not data["infringement"]:
            return
        findings = "、".join(data["findings"])
        flags = "；刑事移送线索：" + "、".join(j["rule"] for j in data.get("judiciary", [])) \
            if data.get("judiciary") else ""
        with self.store.unit_of_work() as uow:
            self._new_clue(uow, {
                "source": "ip_referral", "received_on": self.workdays.today().isoformat(),
                "subject": {**data["seller"], "kind": data["seller"].get("kind", "organisation")},
                "summary": f"知识产权侵权举报 {data['report_id']}：{data['mark']['name']}（{data['product']}），"
                           f"认定：{findings}{flags}",
                "category": "geographical_indication" if data["mark"]["kind"].startswith("gi_") else "trademark",
                "referral": {"service": "ip_protection", "report_id": data["report_id"]}},
                actor="system:ip_protection")

    @route("POST", "/clues/<clue_id>/extension", roles=SUPERVISOR, body=schemas.CLUE_EXTENSION, status=201,
           summary="D-CLUE: the head approves one extension of 15 working days")
    def extend_clue(self, request, clue_id):
        data = request.body
        with self.store.unit_of_work() as uow:
            clue, version = repo.load_clue(uow.connection, clue_id)
            if clue["state"] != ClueState.RECEIVED.value:
                raise Conflict(f"clue {clue_id} already has a filing decision ({clue['state']})")
            if clue.get("extension"):
                raise Conflict(f"D-CLUE allows one extension; clue {clue_id} had it on {clue['extension']['approved_on']}")
            clue["extension"] = {**data, "approved_by": request.principal.staff_id}
            clue["filing_due"] = deadlines.clue_filing_deadline(_day(clue["received_on"]), self.workdays,
                                                                extended=True).as_dict()
            repo.save_clue(uow, clue, version)
            self._record(uow, clue_id, request, "clue.extended", data)
        return 201, clue

    @route("POST", "/simple-decisions", roles=OFFICERS, body=schemas.SIMPLE_DECISION, status=201,
           summary="简易程序: an on-the-spot warning or small fine (S-SIMPLE); not published (P-SCOPE)")
    def decide_on_the_spot(self, request):
        data = request.body
        decided_on = _day(data["decided_on"])
        penalty = _penalty(data["penalty"])
        refusal = simplified_procedure_refusal(penalty, PartyKind(data["subject"]["kind"]))
        if refusal:
            raise RuleViolation(refusal + "; use the ordinary procedure (file a case)")
        with self.store.unit_of_work() as uow:
            number = repo.next_number(uow, f"simple-{decided_on.year}")
            case_no = f"JD-{decided_on.year}-S{number:06d}"
            case = Case(case_no=case_no, clue_id=case_no, subject=data["subject"], category="simplified",
                        handlers=[request.principal.staff_id], filed_on=decided_on.isoformat(),
                        correlation_id=uow.context.correlation_id, procedure="simplified",
                        state=CaseState.SERVED, served_on=decided_on.isoformat())
            self._uow = uow
            case.decision = {"outcome": "penalty", "penalty": _event_penalty(penalty), "decided_on": data["decided_on"],
                             "decision_no": f"揭东市监当罚〔{decided_on.year}〕{number}号", "party_present": True}
            if data.get("paid_on_the_spot") or PenaltyKind.FINE not in penalty.kinds:
                case.closing_ground, case.closing_ground_on = "decision performed on the spot", data["decided_on"]
            repo.insert_case(uow, case)
            self._record(uow, case_no, request, "simple.decided", {"decision": data})
            self._publish(uow, case, "penalty.decided", {
                "case_no": case_no, "decision_no": case.decision["decision_no"], "procedure": "simplified",
                "proposal_id": "on-the-spot", "proposal_hash": Proposal.hash_of(data),
                "subject": party_reference(case.subject),
                "penalty": case.decision["penalty"], "legal_basis": data["legal_basis"],
                "facts": redact(data["facts"], party=case.subject),
                "decided_at": f"{decided_on.isoformat()}T00:00:00Z", "category": "simplified",
                "executed_on_decision": case.closing_ground is not None})
        return 201, self._case_view(case)

    @route("GET", "/clues/<clue_id>", roles=READERS, summary="A clue and its filing deadline")
    def get_clue(self, request, clue_id):
        with self.store.engine.connect() as conn:
            clue, _ = repo.load_clue(conn, clue_id)
        return clue

    @route("POST", "/clues/<clue_id>/filing-decision", roles=SUPERVISOR, body=schemas.FILING_DECISION,
           second_officer=True, status=201,
           summary="立案 or 不予立案; filing assigns the caller and the second officer as handlers (O-TWO)")
    def decide_filing(self, request, clue_id):
        data = request.body
        decided_on = _day(data["decided_on"])
        handlers = self._officers(request, decided_on)
        with self.store.unit_of_work() as uow:
            clue, version = repo.load_clue(uow.connection, clue_id)
            if clue["state"] != ClueState.RECEIVED.value:
                raise Conflict(f"clue {clue_id} already has a filing decision ({clue['state']})")
            if data["decision"] == "not_file":
                if not data.get("reason"):
                    raise RuleViolation("a decision not to file (不予立案) states its reason")
                clue.update(state=ClueState.NOT_FILED.value, not_filed_reason=data["reason"],
                            decided_on=data["decided_on"])
                repo.save_clue(uow, clue, version)
                self._record(uow, clue_id, request, "clue.not_filed", {"reason": data["reason"]})
                uow.publish("case.not_opened", subject=clue_id, data={
                    "clue_id": clue_id, "reason": data["reason"], "decided_on": data["decided_on"]})
                return 201, clue
            violation = clue.get("violation") or {}
            if violation.get("ended_on"):
                serious = bool(violation.get("life_health_or_financial_safety_with_harm"))
                if deadlines.limitation_expired(_day(violation["ended_on"]), _day(clue["received_on"]),
                                                serious=serious):
                    ends = deadlines.limitation_ends_on(_day(violation["ended_on"]), serious)
                    raise RuleViolation(f"D-LIMIT: the violation ended on {violation['ended_on']} and was not "
                                        f"discovered by {ends.isoformat()}; no penalty may be imposed, so the "
                                        "case cannot be filed")
            number = repo.next_number(uow, f"case-{decided_on.year}")
            case_no = f"JD-{decided_on.year}-{number:06d}"
            case = Case(case_no=case_no, clue_id=clue_id, subject=clue["subject"],
                        category=data.get("category") or clue["category"], handlers=handlers,
                        filed_on=data["decided_on"], correlation_id=clue["correlation_id"])
            repo.insert_case(uow, case)
            clue.update(state=ClueState.FILED.value, case_no=case_no, decided_on=data["decided_on"])
            repo.save_clue(uow, clue, version)
            due = self._deadlines(case, decided_on)[0]
            self._record(uow, clue_id, request, "case.opened", {"case_no": case_no, "handlers": handlers})
            self._publish(uow, case, "case.opened", {
                "case_no": case_no, "clue_id": clue_id, "subject": party_reference(case.subject),
                "category": case.category, "handlers": handlers,
                "opened_at": f"{case.filed_on}T00:00:00Z", "decision_due": due.due.isoformat()})
        return 201, self._case_view(case)

    def _publish(self, uow, case: Case, event_type: str, data: dict[str, Any]):
        """Publish in the case's flow: every event of a case carries its clue's correlation id."""
        from dataclasses import replace
        uow.context = replace(uow.context, correlation_id=case.correlation_id)
        return uow.publish(event_type, subject=case.case_no, data=data)

    # -- cases ----------------------------------------------------------------------------------
    @route("GET", "/cases", roles=READERS, query=schemas.LIST_QUERY, summary="Cases, paged by ?limit=&cursor=")
    def list_cases(self, request):
        limit = page_limit(request.args)
        with self.store.engine.connect() as conn:
            items = repo.list_cases(conn, state=request.args.get("state"), limit=limit,
                                    after=request.args.get("cursor"))
        return {"items": items, "next_cursor": items[-1]["case_no"] if len(items) == limit else None}

    @route("GET", "/cases/<case_no>", roles=READERS, summary="A case, its state and its deadlines")
    def get_case(self, request, case_no):
        with self.store.engine.connect() as conn:
            case, _ = repo.load_case(conn, case_no)
        return self._case_view(case)

    def _command(self, request, case_no: str, action: str, change, *, content: dict[str, Any]):
        """Load, change (the domain decides), record, save; ``change`` returns events to publish."""
        with self.store.unit_of_work() as uow:
            case, version = repo.load_case(uow.connection, case_no)
            self._uow = uow  # for changes that number documents in the same transaction
            events = change(case) or []
            self._record(uow, case.clue_id, request, action, {"case_no": case_no, **content})
            repo.save_case(uow, case, version)
            for event_type, data in events:
                self._publish(uow, case, event_type, data)
            view = self._case_view(case)  # inside the transaction: a case that cannot be shown is not saved
        return 201, view

    @route("POST", "/cases/<case_no>/evidence", roles=OFFICERS, body=schemas.EVIDENCE, second_officer=True,
           status=201, summary="Add evidence (content hashed), collected by two officers (O-TWO)")
    def add_evidence(self, request, case_no):
        collectors = self._officers(request, self.workdays.today())
        item = {**request.body, "collected_by": collectors}
        return self._command(request, case_no, "evidence.added", lambda case: case.add_evidence(item) and None,
                             content={"evidence": item})

    @route("POST", "/cases/<case_no>/proposals", roles=OFFICERS, body=schemas.PROPOSAL, status=201,
           summary="Propose a decision; it goes to legal review (decision.proposed)")
    def propose(self, request, case_no):
        data = request.body
        today = self.workdays.today()
        proposal_id = f"P-{uuid.uuid4().hex[:12]}"
        findings_data = data.get("findings") or {}
        try:
            findings = CaseFindings(offences=frozenset(findings_data.get("offences", [])),
                                    **{k: (_yuan(v) if k.endswith("_yuan") else v)
                                       for k, v in findings_data.items() if k != "offences"})
        except (TypeError, ValueError) as exc:
            raise RuleViolation(f"findings: {exc}") from None
        met = [t.as_dict() for t in thresholds_met(findings)]

        def change(case: Case):
            penalty = _penalty(data["penalty"])
            party = PartyKind(case.subject["kind"])
            content = {
                "penalty": _penalty_dict(penalty), "case_value_yuan": str(_yuan(data["case_value_yuan"])),
                "legal_basis": data["legal_basis"], "facts": data["facts"],
                "complex": bool(data.get("complex")), "public_interest": bool(data.get("public_interest")),
                "discretion_departure": bool(data.get("discretion_departure")),
                "findings": {k: str(v) if isinstance(v, Decimal) else v for k, v in findings_data.items()},
                "judiciary_thresholds": met, "hearing_right": hearing_right_grounds(penalty, party),
                "trade_secrets": data.get("trade_secrets", []),
            }
            proposal = case.propose(proposal_id, content, today)
            return [("decision.proposed", {
                "case_no": case.case_no, "proposal_id": proposal.proposal_id, "proposal_hash": proposal.hash,
                "subject": party_reference(case.subject), "party_kind": party.value,
                "penalty": _event_penalty(penalty), "case_value_yuan": float(_yuan(data["case_value_yuan"])),
                "legal_basis": data["legal_basis"],
                "facts": redact(data["facts"], party=case.subject, trade_secrets=data.get("trade_secrets", [])),
                "hearing_held": proposal.content["hearing_held"], "complex": content["complex"],
                "public_interest": content["public_interest"],
                "discretion_departure": content["discretion_departure"],
                "judiciary_thresholds": met, "handlers": case.handlers,
                "evidence_summary": [{"kind": e["kind"], "description": e["description"],
                                      "content_hash": e["content_hash"]} for e in case.evidence],
            })]

        return self._command(request, case_no, "decision.proposed", change,
                             content={"proposal_id": proposal_id, "proposal": data})

    @route("GET", "/cases/<case_no>/proposals/<proposal_id>", roles=READERS + ("reviewer",),
           summary="A proposal, its hash and its legal clearance")
    def get_proposal(self, request, case_no, proposal_id):
        with self.store.engine.connect() as conn:
            case, _ = repo.load_case(conn, case_no)
        from dataclasses import asdict
        return asdict(case.proposal(proposal_id))

    @subscribe("legal_review", "review.cleared", "review.approved", "review.returned")
    def on_review(self, event):
        """legal_review's answer on a proposal: cleared (not major), approved, or returned."""
        outcome = event.type.split(".")[1]
        data = event.data
        with self.store.unit_of_work() as uow:
            case, version = repo.load_case(uow.connection, data["case_no"])
            case.record_review(data["proposal_hash"], outcome, major=data["major"], grounds=data["grounds"],
                               review_id=data.get("review_id"), opinion=data.get("opinion"))
            repo.append_record(uow, case.clue_id, actor=f"legal_review:{data.get('reviewer', 'rules')}",
                               action=event.type, content={"case_no": case.case_no, **data})
            repo.save_case(uow, case, version)

    @route("POST", "/cases/<case_no>/pre-notice", roles=OFFICERS, body=schemas.PRE_NOTICE, status=201,
           summary="事先告知 served: the statement (and hearing) window opens")
    def pre_notify(self, request, case_no):
        served_on = _day(request.body["served_on"])

        def change(case: Case):
            case.pre_notify(served_on, self.workdays.today())
            proposal = case.current_proposal
            return [("case.pre_notified", {
                "case_no": case.case_no, "proposal_id": proposal.proposal_id, "served_on": served_on.isoformat(),
                "statement_due": deadlines.statement_deadline(served_on, self.workdays).due.isoformat(),
                "hearing_right": proposal.content.get("hearing_right", [])})]

        return self._command(request, case_no, "case.pre_notified", change, content=request.body)

    @route("POST", "/cases/<case_no>/statements", roles=OFFICERS, body=schemas.STATEMENT, status=201,
           summary="The party's statement and defence (陈述申辩), or its waiver")
    def add_statement(self, request, case_no):
        return self._command(request, case_no, "statement.recorded",
                             lambda case: case.add_statement(request.body), content=request.body)

    @route("POST", "/cases/<case_no>/hearing-requests", roles=OFFICERS, body=schemas.HEARING_REQUEST, status=201,
           summary="The party requests a hearing (H-RIGHT, within D-HEARING)")
    def request_hearing(self, request, case_no):
        requested_on = _day(request.body["requested_on"])

        def change(case: Case):
            case.check("request_hearing")
            due = deadlines.hearing_request_deadline(_day(case.pre_notice_served_on), self.workdays).due
            case.request_hearing(requested_on, due, case.current_proposal.content.get("hearing_right", []),
                                 self.workdays.today())
            return [("hearing.requested", {"case_no": case.case_no, "requested_on": requested_on.isoformat(),
                                           "request_due": due.isoformat()})]

        return self._command(request, case_no, "hearing.requested", change, content=request.body)

    @route("POST", "/cases/<case_no>/hearings", roles=SUPERVISOR, body=schemas.HEARING_NOTICE, status=201,
           summary="听证通知: notified at least 7 working days ahead; the chair is not an investigator")
    def notify_hearing(self, request, case_no):
        data = request.body
        served_on = _day(data["notice_served_on"])
        return self._command(request, case_no, "hearing.notified", lambda case: case.notify_hearing(
            served_on=served_on, hearing_on=_day(data["hearing_on"]), chair=data["chair"],
            earliest=deadlines.earliest_hearing_date(served_on, self.workdays)), content=data)

    @route("POST", "/cases/<case_no>/hearings/held", roles=OFFICERS, body=schemas.HEARING_HELD, status=201,
           summary="The hearing was held (听证笔录); a decision now needs a proposal reviewed after it")
    def hold_hearing(self, request, case_no):
        data = request.body
        return self._command(request, case_no, "hearing.held",
                             lambda case: case.hold_hearing(_day(data["held_on"]), data["transcript"]), content=data)

    @route("POST", "/cases/<case_no>/recusals", roles=SUPERVISOR, body=schemas.RECUSAL, status=201,
           summary="O-RECUSE (回避): an officer withdraws, replaced; who decided is recorded")
    def recuse(self, request, case_no):
        data = request.body
        return self._command(request, case_no, "officer.recused", lambda case: case.recuse(
            data["officer"], replacement=data["replacement"], decided_by=request.principal.staff_id,
            reason=data["reason"], on=_day(data["on"])), content=data)

    @route("POST", "/cases/<case_no>/decisions", roles=SUPERVISOR, body=schemas.DECISION, second_officer=True,
           status=201, summary="处罚决定 or 不予处罚: 409 unless legal_review cleared or approved this exact proposal")
    def decide(self, request, case_no):
        data = request.body
        decided_on = _day(data["decided_on"])
        self._officers(request, decided_on)

        def change(case: Case):
            case.check("decide")
            if case.pre_notice_served_on is None:
                raise Conflict("行政处罚法 art. 62: no decision without the pre-notice (事先告知); serve it first")
            statement_due = deadlines.statement_deadline(_day(case.pre_notice_served_on), self.workdays).due
            proposal = case.current_proposal
            thresholds = proposal.content.get("judiciary_thresholds", []) if proposal else []
            decision = {"outcome": data["outcome"], "party_present": data.get("party_present", True),
                        "reason": data.get("reason"),
                        "party_waived_statement": any(s.get("waived") for s in case.statements)}
            if data["outcome"] == "penalty":
                decision["penalty"] = _event_penalty(_penalty(proposal.content["penalty"])) if proposal else {}
            decision_due = next(d.due for d in self._deadlines(case, self.workdays.today()) if d.kind == "D-DECIDE")
            proposal = case.decide(decision, statement_deadline=statement_due, on=decided_on,
                                   judiciary_thresholds=thresholds, decision_due=decision_due)
            if data["outcome"] != "penalty":
                return [("case.no_penalty_decided", {"case_no": case.case_no, "proposal_id": proposal.proposal_id,
                                                     "decided_on": decided_on.isoformat(),
                                                     "reason": data.get("reason") or ""})]
            case.decision["decision_no"] = self._decision_no(decided_on)
            event = {"case_no": case.case_no, "decision_no": case.decision["decision_no"], "procedure": "ordinary",
                     "proposal_id": proposal.proposal_id, "proposal_hash": proposal.hash,
                     "subject": party_reference(case.subject), "penalty": decision["penalty"],
                     "legal_basis": proposal.content["legal_basis"],
                     # P-REDACT before the text leaves: subscribers never receive the party's identifiers.
                     "facts": redact(proposal.content["facts"], party=case.subject,
                                     trade_secrets=proposal.content.get("trade_secrets", [])),
                     "decided_at": f"{decided_on.isoformat()}T00:00:00Z", "category": case.category}
            if proposal.review_id:
                event["review_id"] = proposal.review_id
            return [("penalty.decided", event)]

        return self._command(request, case_no, "decision.made", change, content=data)

    def _decision_no(self, decided_on: date) -> str:
        """文书号: numbered without gaps per year, in the decision's own transaction."""
        number = repo.next_number(self._uow, f"decision-{decided_on.year}")
        return f"揭东市监处罚〔{decided_on.year}〕{number}号"

    @route("POST", "/cases/<case_no>/judiciary-transfers", roles=SUPERVISOR, body=schemas.TRANSFER, status=201,
           summary="移送司法 (J-DUTY): transfer to the public security organ, with the threshold met")
    def transfer(self, request, case_no):
        data = request.body
        transferred_on = _day(data["transferred_on"])

        def change(case: Case):
            case.check("transfer")
            proposal = case.current_proposal
            met = proposal.content.get("judiciary_thresholds", []) if proposal else []
            if not met:
                raise RuleViolation("J-DUTY: no judiciary threshold (J-*) is met by the current proposal's findings")
            case.transfer_to_judiciary({"receiving_organ": data["receiving_organ"], "thresholds": met},
                                       transferred_on)
            first = met[0]
            return [("case.transferred_to_judiciary", {
                "case_no": case.case_no, "receiving_organ": data["receiving_organ"], "offence": first["offence"],
                "rule": first["rule"], "amounts": {k: float(v) for k, v in first["measured"].items()
                                                   if _is_number(v)},
                "thresholds": met, "transferred_at": f"{transferred_on.isoformat()}T00:00:00Z"})]

        return self._command(request, case_no, "case.transferred_to_judiciary", change, content=data)

    @route("POST", "/cases/<case_no>/judiciary-receipts", roles=OFFICERS, body=schemas.RECEIPT, status=201,
           summary="The police's receipt and decision on a transfer (accepted / declined)")
    def record_receipt(self, request, case_no):
        data = request.body

        def change(case: Case):
            case.record_police_receipt(data, _day(data["received_on"]))
            return [("judiciary.receipt_recorded", {"case_no": case.case_no, "decision": data["decision"],
                                                    "received_on": data["received_on"],
                                                    "police_reference": data.get("police_reference", "")})]

        return self._command(request, case_no, "judiciary.receipt_recorded", change, content=data)

    @route("POST", "/cases/<case_no>/service", roles=OFFICERS, body=schemas.SERVICE, status=201,
           summary="送达 of the decision (D-SERVE)")
    def serve(self, request, case_no):
        data = request.body
        return self._command(request, case_no, "decision.served",
                             lambda case: case.serve(_day(data["served_on"]),
                                                     party_present=data.get("party_present", True)),
                             content=data)

    @route("POST", "/cases/<case_no>/payments", roles=OFFICERS, body=schemas.PAYMENT, status=201,
           summary="Payment of the fine, with the late surcharge of D-PAY")
    def record_payment(self, request, case_no):
        data = request.body
        paid_on = _day(data["paid_on"])

        def change(case: Case):
            case.check("record_payment")
            if not case.decision or case.decision.get("outcome") != "penalty" or case.payment is not None:
                raise Conflict(f"case {case.case_no} has no fine awaiting payment")
            fine = _yuan(case.decision["penalty"].get("fine_amount_yuan", 0)) if case.decision else Decimal(0)
            due = deadlines.payment_deadline(_day(case.served_on), self.workdays).due if case.served_on else paid_on
            surcharge = deadlines.late_payment_surcharge(fine, due, paid_on)
            if _yuan(data["amount_yuan"]) < fine + surcharge:
                raise RuleViolation(f"D-PAY: {fine + surcharge} yuan is due ({fine} fine + {surcharge} late "
                                    f"surcharge, payment due {due.isoformat()}); {_yuan(data['amount_yuan'])} "
                                    "was paid")
            case.record_payment(paid_on, _yuan(data["amount_yuan"]), surcharge)
            return [("penalty.paid", {"case_no": case.case_no, "decision_no": case.decision["decision_no"],
                                      "paid_on": paid_on.isoformat(), "fine_yuan": float(fine),
                                      "surcharge_yuan": float(surcharge), "payment_due": due.isoformat()})]

        return self._command(request, case_no, "penalty.paid", change, content=data)

    @route("POST", "/cases/<case_no>/closure", roles=SUPERVISOR, body=schemas.CLOSURE, status=201,
           summary="结案, once a closing ground exists (D-CLOSE)")
    def close(self, request, case_no):
        closed_on = _day(request.body["closed_on"])

        def change(case: Case):
            case.close(closed_on)
            return [("case.closed", {"case_no": case.case_no, "closed_on": closed_on.isoformat(),
                                     "ground": case.closing_ground})]

        return self._command(request, case_no, "case.closed", change, content=request.body)

    # -- deadlines ------------------------------------------------------------------------------
    @timer(interval=DEADLINE_SCAN_SECONDS, eager=True)
    def scan_deadlines(self):
        """Find overdue deadlines; publish ``deadline.overdue`` once per deadline; refresh gauges."""
        today = self.workdays.today()
        with self.store.engine.connect() as conn:
            open_cases = repo.open_cases(conn)
            open_clues = repo.open_clues(conn)
        overdue = []
        for case in open_cases:
            overdue += [(case, None, d) for d in self._deadlines(case, today) if d.due < today]
        for clue in open_clues:
            due = deadlines.clue_filing_deadline(_day(clue["received_on"]), self.workdays,
                                                 extended=bool(clue.get("extension")))
            if due.due < today:
                overdue.append((None, clue, due))
        by_kind = Counter(d.kind for _, _, d in overdue)
        for kind in ("D-CLUE", "D-DECIDE", "D-STATEMENT", "D-HEARING", "D-SERVE", "D-PAY", "D-CLOSE"):
            DEADLINES_OVERDUE.labels(self.name, kind).set(by_kind.get(kind, 0))
        states = Counter(case.state.value for case in open_cases)
        for state in CaseState:
            if state is not CaseState.CLOSED:
                CASES_BY_STATE.labels(self.name, state.value).set(states.get(state.value, 0))
        waiting = [case for case in open_cases if case.state is CaseState.TRANSFERRED
                   and not (case.transfer or {}).get("police_decision")]
        TRANSFERS_UNACKNOWLEDGED.labels(self.name).set(len(waiting))
        TRANSFERS_OVERDUE.labels(self.name).set(sum(
            1 for case in waiting if (today - _day(case.transfer["transferred_on"])).days > POLICE_ANSWER_DAYS))
        for case, clue, deadline in overdue:
            aggregate = case.case_no if case else clue["clue_id"]
            with self.store.unit_of_work() as uow:
                if not repo.note_overdue(uow, aggregate, deadline.kind, deadline.due):
                    continue
                data = {"aggregate": aggregate, "kind": deadline.kind, "due": deadline.due.isoformat(),
                        "basis": deadline.basis}
                if case:
                    self._publish(uow, case, "deadline.overdue", {**data, "case_no": case.case_no})
                else:
                    from dataclasses import replace
                    uow.context = replace(uow.context, correlation_id=clue["correlation_id"])
                    uow.publish("deadline.overdue", subject=aggregate, data={**data, "clue_id": aggregate})

    @route("POST", "/cases/<case_no>/decision-revocations", roles=SUPERVISOR, body=schemas.REVOCATION, status=201,
           summary="The penalty decision was changed, revoked or annulled; its disclosure is withdrawn (P-WITHDRAW)")
    def revoke_decision(self, request, case_no):
        data = request.body

        def change(case: Case):
            case.revoke_decision(data["kind"], _day(data["changed_on"]), data["reason"])
            return [("decision.revoked", {"case_no": case.case_no, "decision_no": case.decision["decision_no"],
                                          "kind": data["kind"], "changed_on": data["changed_on"],
                                          "reason": data["reason"]})]

        return self._command(request, case_no, "decision.revoked", change, content=data)

    @route("POST", "/cases/<case_no>/extensions", roles=SUPERVISOR, body=schemas.EXTENSION, status=201,
           summary="D-DECIDE: the head's extension (≤30 days, once) or a collective-discussion extension")
    def extend(self, request, case_no):
        data = request.body
        return self._command(request, case_no, "decision_deadline.extended", lambda case: case.extend_decision_deadline(
            kind=data["kind"], days=data["days"], approved_on=_day(data["approved_on"]),
            approved_by=request.principal.staff_id, reason=data["reason"]), content=data)

    @route("POST", "/cases/<case_no>/suspensions", roles=SUPERVISOR, body=schemas.SUSPENSION, status=201,
           summary="中止调查: the D-DECIDE clock stops until the case resumes")
    def suspend(self, request, case_no):
        data = request.body
        return self._command(request, case_no, "case.suspended",
                             lambda case: case.suspend(_day(data["on"]), data["reason"], self.workdays.today()),
                             content=data)

    @route("POST", "/cases/<case_no>/resumptions", roles=SUPERVISOR, body=schemas.RESUMPTION, status=201,
           summary="恢复调查: the D-DECIDE clock runs again")
    def resume(self, request, case_no):
        data = request.body
        return self._command(request, case_no, "case.resumed", lambda case: case.resume(_day(data["on"]), self.workdays.today()),
                             content=data)

    # -- the full-process record (A-RECORD) -------------------------------------------------------
    @route("GET", "/cases/<case_no>/record", roles=READERS, summary="The case's full-process record (全过程记录)")
    def get_record(self, request, case_no):
        with self.store.engine.connect() as conn:
            case, _ = repo.load_case(conn, case_no)
            entries = repo.read_record(conn, case.clue_id)
        return {"case_no": case_no, "entries": [e.as_dict() for e in entries]}

    @route("GET", "/cases/<case_no>/record/verification", roles=READERS,
           summary="Recompute the record's hash chain; report the first broken entry")
    def verify_record(self, request, case_no):
        with self.store.engine.connect() as conn:
            case, _ = repo.load_case(conn, case_no)
            verification = repo.verify_record(conn, case.clue_id)
        return {"case_no": case_no, **verification.as_dict()}


def _penalty(data: dict[str, Any]) -> Penalty:
    """The penalty as proposed; an amount without its kind, or a fine or confiscation without an
    amount, is refused (it would slip past S-SIMPLE, H-RIGHT, M-FINE and P-SCOPE)."""
    penalty = Penalty(kinds=frozenset(PenaltyKind(k) for k in data["kinds"]),
                      fine_yuan=_yuan(data.get("fine_amount_yuan")),
                      confiscation_yuan=_yuan(data.get("confiscation_amount_yuan")))
    has_fine = PenaltyKind.FINE in penalty.kinds
    has_confiscation = bool(penalty.kinds & CONFISCATIONS)
    if has_fine != (penalty.fine_yuan > 0):
        raise RuleViolation("a fine (fine_amount_yuan > 0) and the kind 'fine' go together")
    if has_confiscation != (penalty.confiscation_yuan > 0):
        raise RuleViolation("a confiscation amount and a confiscation kind go together")
    return penalty


def _penalty_dict(penalty: Penalty) -> dict[str, Any]:
    return {"kinds": sorted(k.value for k in penalty.kinds), "fine_amount_yuan": str(penalty.fine_yuan),
            "confiscation_amount_yuan": str(penalty.confiscation_yuan)}


def _event_penalty(penalty: Penalty) -> dict[str, Any]:
    return {"kinds": sorted(k.value for k in penalty.kinds), "fine_amount_yuan": float(penalty.fine_yuan),
            "confiscation_amount_yuan": float(penalty.confiscation_yuan)}


def _is_number(value: Any) -> bool:
    try:
        Decimal(str(value))
        return True
    except Exception:
        return False
