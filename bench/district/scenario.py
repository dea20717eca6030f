"""The district's work, case by case, through the public HTTP API only.

A run registers part of the synthetic register, keeps an inspector library, and then walks cases of a
realistic mix to a legal final state. Each case is one business flow with its own correlation id
(``X-Correlation-Id`` on its first command), recorded in a manifest the invariant checker reads.

Dates: every act is dated in the recent past so the whole lifecycle, with its statutory waiting
periods (statements, hearings, payment), fits in one run; decisions stay within the disclosure
deadline (P-DUE, 20 working days) of today.
"""
from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Callable

from bench.district.client import Api, ScenarioError, Staff
from services.registration.domain.synthetic import DISTRICT_MIX, synthetic_register
from services.enforcement.domain.deadlines import late_payment_surcharge
from shared.calendar import SHANGHAI, WorkingDayCalendar
from shared.law.disclosure import resident_id_check_digit

# The mix of case kinds (weights): what a district's year looks like, compressed.
MIX: dict[str, int] = {
    "simple": 14,            # 简易程序: a small fine on the spot
    "not_filed": 6,          # a complaint that does not become a case (不予立案)
    "ordinary": 30,          # ordinary procedure, below the major thresholds, paid on time
    "late_payment": 8,       # paid after the 15 days: late surcharge (D-PAY)
    "natural_person": 6,     # a person's case: the disclosure must carry no ID number, phone or address
    "major": 10,             # major decision: legal review approves
    "major_returned": 5,     # returned once by the reviewer, corrected, approved
    "hearing": 5,            # the party asks for a hearing; reviewed again after it
    "transfer_accepted": 3,  # a criminal threshold: transferred, the police take it
    "transfer_declined": 3,  # transferred, the police decline; the agency decides itself
    "ip_referral": 6,        # an infringement report becomes a case
    "inspection": 4,         # a random inspection finds a suspected violation
}
LEGAL_BASIS = ["《中华人民共和国食品安全法》第一百二十四条"]
FACTS = "当事人销售超过保质期的食品，货值金额{value}元。"
CAL = WorkingDayCalendar()


def today() -> date:
    return datetime.now(SHANGHAI).date()


def ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


@dataclass
class Flow:
    """One case's record in the manifest."""
    kind: str
    correlation: str
    subject: dict[str, Any]
    clue_id: str | None = None
    case_no: str | None = None
    report_id: str | None = None
    major: bool = False
    transfer: str | None = None
    late: bool = False
    final: str = "closed"
    steps: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class District:
    def __init__(self, api: Api, *, seed: int = 2026, entities: int = 200):
        self.api = api
        self.staff = Staff()
        self.rng = random.Random(seed)
        self.seed = seed
        self.entities_wanted = entities
        self.subjects: list[dict[str, Any]] = []
        self.flows: list[Flow] = []
        self._lock = threading.Lock()
        self._rng_lock = threading.Lock()
        self.inspection_targets: list[dict[str, Any]] = []

    # -- set-up ---------------------------------------------------------------------------------------
    def register_entities(self) -> None:
        """Part of the synthetic register, through registration's API."""
        register = synthetic_register(self.seed, **DISTRICT_MIX)
        for body in register:
            if len(self.subjects) >= self.entities_wanted:
                break
            body = {**body, "name": f"{body['name'][:52]}{self.seed % 1000:03d}"}
            created = self.api.post("registration", "/entities", body, self.staff.registrar,
                                    done=lambda b=body: self._entity(b["uscc"]))
            kind = "individual_business" if created["category"] == "individual_business" else "organisation"
            self.subjects.append({"uscc": created["uscc"], "name": created["name"], "kind": kind})

    def _entity(self, uscc: str):
        try:
            return self.api.get("registration", f"/entities/{uscc}", self.staff.registrar, expect=(200,))
        except ScenarioError:
            return None

    def prepare_inspections(self, sample: int) -> None:
        """The inspector library and one draw over the register; its targets feed inspection cases."""
        for n in range(2, 10):
            staff_id = f"O-{n:04d}"
            self.api.put_inspector(staff_id, {"name": f"检查员{n}", "cert_expires": "2099-12-31"},
                                   self.staff.supervisor)
        self.api.wait_for("enforcement", "/inspections/targets?limit=1", self.staff.supervisor,
                          lambda page: page["total"] >= len(self.subjects), "the target library")
        if sample <= 0:
            return
        drawn = self.api.post("enforcement", "/inspections/draws", {
            "item": {"name": "年度双随机抽查"}, "sample_size": min(sample, len(self.subjects)), "team_size": 2,
            "seed": f"district-{self.seed}-{uuid.uuid4().hex[:8]}"}, self.staff.supervisor,
            recover=lambda subjects: self.api.get("enforcement", f"/inspections/draws/{subjects[0]}",
                                                  self.staff.supervisor))
        self.inspection_targets = [{"draw_id": drawn["draw_id"], **a} for a in drawn["assignments"]]

    # -- running ----------------------------------------------------------------------------------------
    def pick(self) -> tuple[str, dict[str, Any]]:
        with self._rng_lock:
            kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
            if kind == "inspection" and not self.inspection_targets:
                kind = "ordinary"
            return kind, dict(self.rng.choice(self.subjects))

    def run_one(self, kind: str | None = None) -> Flow:
        picked, subject = self.pick()
        kind = kind or picked
        flow = Flow(kind=kind, correlation=f"flow-{uuid.uuid4()}", subject=subject)
        with self._lock:
            self.flows.append(flow)
        try:
            getattr(self, f"_{kind}")(flow)
        except ScenarioError as exc:
            flow.error = str(exc)
        return flow

    # -- building blocks ----------------------------------------------------------------------------------
    def _open(self, flow: Flow, *, received: int, filed: int, source: str = "complaint") -> None:
        clue = self.api.post("enforcement", "/clues", {
            "source": source, "received_on": ago(received), "subject": flow.subject,
            "summary": f"群众举报：{flow.subject['name']}涉嫌销售过期食品"}, self.staff.officer,
            correlation=flow.correlation, expects_event=("clue.received", "clue"), recover=self._clue_at)
        flow.clue_id = clue["clue_id"]
        self._file(flow, filed)

    def _file(self, flow: Flow, filed: int) -> None:
        case = self.api.post("enforcement", f"/clues/{flow.clue_id}/filing-decision",
                             {"decision": "file", "decided_on": ago(filed)}, self.staff.supervisor,
                             second=self.staff.second, correlation=flow.correlation,
                             expects_event=("case.opened", "case"),
                             done=lambda: self._clue(flow).get("case_no") and self._clue(flow))
        flow.case_no = case["case_no"]
        flow.steps.append("filed")

    def _clue_at(self, subjects: list[str]) -> dict:
        return self.api.get("enforcement", f"/clues/{subjects[0]}", self.staff.supervisor)

    def _clue(self, flow: Flow) -> dict:
        return self.api.get("enforcement", f"/clues/{flow.clue_id}", self.staff.supervisor)

    def _case(self, flow: Flow) -> dict:
        return self.api.get("enforcement", f"/cases/{flow.case_no}", self.staff.supervisor)

    def _command(self, flow: Flow, path: str, body: dict, *, auth: str | None = None, second: bool = False,
                 done_when: Callable[[dict], bool], event: str | None = None) -> dict:
        result = self.api.post("enforcement", f"/cases/{flow.case_no}{path}", body, auth or self.staff.supervisor,
                               second=self.staff.second if second else None, correlation=flow.correlation,
                               expects_event=(event, flow.case_no) if event else None,
                               done=lambda: (lambda c: c if done_when(c) else None)(self._case(flow)))
        flow.steps.append(path.strip("/").split("/")[0])
        return result

    def _evidence(self, flow: Flow, on: int) -> None:
        self._command(flow, "/evidence", {"kind": "physical", "description": "过期食品", "content": "现场检查笔录及照片",
                                          "collected_on": ago(on)}, auth=self.staff.officer, second=True,
                      done_when=lambda c: bool(c.get("evidence")))

    def _propose(self, flow: Flow, fine: float, *, facts: str | None = None, findings: dict | None = None) -> str:
        body = {"penalty": {"kinds": ["fine"], "fine_amount_yuan": fine}, "case_value_yuan": round(fine / 3, 2),
                "legal_basis": LEGAL_BASIS, "facts": facts or FACTS.format(value=round(fine / 3, 2))}
        if findings:
            body["findings"] = findings
        before = len(self._case(flow).get("proposals", []))
        proposal = self._command(flow, "/proposals", body, auth=self.staff.officer, event="decision.proposed",
                                 done_when=lambda c: len(c.get("proposals", [])) > before)
        return proposal.get("proposal_id") or proposal["proposals"][-1]["proposal_id"]

    def _await(self, flow: Flow, states: tuple[str, ...], what: str) -> dict:
        return self.api.wait_for("enforcement", f"/cases/{flow.case_no}", self.staff.supervisor,
                                 lambda c: c["state"] in states, f"{flow.case_no} {what}")

    def _review(self, flow: Flow, outcome: str) -> None:
        """The reviewer's opinion on the case's open review (legal_review opens it from the proposal)."""
        review = self.api.wait_for("legal_review", "/reviews?state=open", self.staff.reviewer,
                                   lambda page: any(r["case_no"] == flow.case_no for r in page["items"]),
                                   f"an open review of {flow.case_no}")
        review_id = next(r["review_id"] for r in review["items"] if r["case_no"] == flow.case_no)
        opinion = "事实清楚，证据确凿，适用依据正确，程序合法，同意" if outcome == "approve" else "罚款金额与裁量基准不符，请重新核定"
        self.api.post("legal_review", f"/reviews/{review_id}/opinions", {"outcome": outcome, "opinion": opinion},
                      self.staff.reviewer,
                      done=lambda: (lambda r: r if r["state"] != "open" else None)(
                          self.api.get("legal_review", f"/reviews/{review_id}", self.staff.reviewer)))
        flow.steps.append(f"review.{outcome}")

    def _clear(self, flow: Flow, *, major: bool) -> None:
        if major:
            flow.major = True
            self._await(flow, ("awaiting_review", "cleared"), "classified")
            self._review(flow, "approve")
        self._await(flow, ("cleared",), "cleared by legal review")

    def _pre_notice(self, flow: Flow, on: int) -> None:
        self._command(flow, "/pre-notice", {"served_on": ago(on)}, auth=self.staff.officer, event="case.pre_notified",
                      done_when=lambda c: c["state"] == "pre_notified" and c.get("pre_notice_served_on") == ago(on))

    def _waive(self, flow: Flow, on: int) -> None:
        self._command(flow, "/statements", {"received_on": ago(on), "waived": True}, auth=self.staff.officer,
                      done_when=lambda c: any(s.get("waived") for s in c.get("statements", [])))

    def _decide(self, flow: Flow, on: int) -> dict:
        return self._command(flow, "/decisions", {"outcome": "penalty", "decided_on": ago(on), "party_present": True},
                             second=True, event="penalty.decided",
                             done_when=lambda c: c["state"] in ("decided", "served", "closed"))

    def _serve_pay_close(self, flow: Flow, *, served: int, paid: int, amount: float) -> None:
        self._command(flow, "/service", {"served_on": ago(served), "party_present": True}, auth=self.staff.officer,
                      done_when=lambda c: c["state"] in ("served", "closed"))
        amount = self._amount_due(flow, amount, paid)
        case = self._command(flow, "/payments", {"paid_on": ago(paid), "amount_yuan": amount},
                             auth=self.staff.officer, event="penalty.paid",
                             done_when=lambda c: bool(c.get("payment")))
        payment = case.get("payment") or {}
        flow.late = float(payment.get("surcharge_yuan") or 0) > 0
        self._close(flow)

    def _amount_due(self, flow: Flow, fine: float, paid: int) -> float:
        """The fine plus the late surcharge (D-PAY) when paid after its due date, as the case shows it."""
        case = self._case(flow)
        due = next((d["due"] for d in case.get("deadlines", []) if d["kind"] == "D-PAY"), None)
        if due is None:
            return fine
        surcharge = late_payment_surcharge(Decimal(str(fine)), date.fromisoformat(due), date.fromisoformat(ago(paid)))
        return float(Decimal(str(fine)) + surcharge)

    def _close(self, flow: Flow) -> None:
        self._command(flow, "/closure", {"closed_on": ago(0)}, event="case.closed",
                      done_when=lambda c: c["state"] == "closed")

    def _ordinary_tail(self, flow: Flow, fine: float, *, pre: int = 10, decided: int = 9, served: int = 8,
                       paid: int = 5) -> None:
        self._pre_notice(flow, pre)
        self._waive(flow, pre)
        self._decide(flow, decided)
        self._serve_pay_close(flow, served=served, paid=paid, amount=fine)

    def _small_fine(self, flow: Flow) -> float:
        return float(self.rng.choice([500, 1_000, 2_000, 5_000, 8_000]) if flow.subject["kind"] != "organisation"
                     else self.rng.choice([5_000, 10_000, 20_000, 30_000, 50_000]))

    def _large_fine(self, flow: Flow) -> float:
        return 20_000.0 if flow.subject["kind"] != "organisation" else 150_000.0

    # -- the kinds of case ----------------------------------------------------------------------------------
    def _simple(self, flow: Flow) -> None:
        decided = self.api.post("enforcement", "/simple-decisions", {
            "subject": flow.subject, "decided_on": ago(0), "facts": "当场检查发现未按规定公示营业执照",
            "legal_basis": ["《市场主体登记管理条例》第四十八条"],
            "penalty": {"kinds": ["fine"], "fine_amount_yuan": 100 if flow.subject["kind"] != "organisation" else 1000},
            "paid_on_the_spot": True}, self.staff.officer, correlation=flow.correlation,
            expects_event=("penalty.decided", "case"),
            recover=lambda subjects: self.api.get("enforcement", f"/cases/{subjects[0]}", self.staff.supervisor))
        flow.case_no = flow.clue_id = decided["case_no"]
        self._close(flow)

    def _not_filed(self, flow: Flow) -> None:
        clue = self.api.post("enforcement", "/clues", {
            "source": "complaint", "received_on": ago(3), "subject": flow.subject,
            "summary": "投诉：价格标示不清"}, self.staff.officer, correlation=flow.correlation,
            expects_event=("clue.received", "clue"), recover=self._clue_at)
        flow.clue_id = clue["clue_id"]
        self.api.post("enforcement", f"/clues/{flow.clue_id}/filing-decision",
                      {"decision": "not_file", "decided_on": ago(1), "reason": "经核查，违法事实不成立"},
                      self.staff.supervisor, second=self.staff.second, correlation=flow.correlation,
                      expects_event=("case.not_opened", "clue"),
                      done=lambda: (lambda c: c if c["state"] == "not_filed" else None)(self._clue(flow)))
        flow.final = "not_filed"

    def _investigate(self, flow: Flow, fine: float, *, received: int = 20, major: bool = False,
                     facts: str | None = None, findings: dict | None = None) -> None:
        """Clue, filing, evidence, a proposal, and legal clearance (by a reviewer when major)."""
        self._open(flow, received=received, filed=received - 2)
        self._evidence(flow, received - 3)
        self._propose(flow, fine, facts=facts, findings=findings)
        self._clear(flow, major=major)

    def _ordinary(self, flow: Flow) -> None:
        fine = self._small_fine(flow)
        self._investigate(flow, fine)
        self._ordinary_tail(flow, fine)

    def _late_payment(self, flow: Flow) -> None:
        fine = self._small_fine(flow)
        self._investigate(flow, fine, received=34)
        self._ordinary_tail(flow, fine, pre=26, decided=24, served=23, paid=0)

    def _natural_person(self, flow: Flow) -> None:
        person = self._person()
        flow.subject = person
        fine = float(self.rng.choice([500, 2_000, 5_000]))
        self._investigate(flow, fine, facts=(f"当事人{person['name']}（身份证号{person['id_number']}，"
                                             f"电话{person['phone']}，住{person['address']}）无照经营。"))
        self._ordinary_tail(flow, fine)

    def _person(self) -> dict[str, Any]:
        with self._rng_lock:
            birth = date(1960, 1, 1) + timedelta(days=self.rng.randrange(15_000))
            serial = self.rng.randrange(100, 999)
            phone = f"13{self.rng.randrange(100_000_000, 999_999_999)}"
            name = self.rng.choice("陈林黄李吴郑蔡许杨王") + self.rng.choice(["晓明", "丽娟", "志强", "秀英", "建华"])
        body = f"445203{birth:%Y%m%d}{serial}"
        return {"name": name, "kind": "natural_person", "id_number": body + resident_id_check_digit(body),
                "phone": phone,
                "address": f"广东省揭阳市揭东区曲溪街道新风路{serial}号"}

    def _major(self, flow: Flow) -> None:
        fine = self._large_fine(flow)
        self._investigate(flow, fine, major=True)
        self._ordinary_tail(flow, fine)

    def _major_returned(self, flow: Flow) -> None:
        fine = self._large_fine(flow)
        self._open(flow, received=20, filed=18)
        self._evidence(flow, 17)
        self._propose(flow, fine * 1.5)
        flow.major = True
        self._await(flow, ("awaiting_review",), "classified")
        self._review(flow, "return")
        self._await(flow, ("investigating",), "returned")
        self._propose(flow, fine, facts=FACTS.format(value=round(fine / 3, 2)) + "（依裁量基准重新核定）")
        self._clear(flow, major=True)
        self._ordinary_tail(flow, fine)

    def _hearing(self, flow: Flow) -> None:
        fine = self._large_fine(flow)
        self._investigate(flow, fine, received=30, major=True)
        self._pre_notice(flow, 25)
        self._command(flow, "/hearing-requests", {"requested_on": ago(24)}, auth=self.staff.officer,
                      event="hearing.requested", done_when=lambda c: bool(c.get("hearing_requested_on")))
        served = today() - timedelta(days=23)
        hearing_on = CAL.add_working_days(served, 8)
        self._command(flow, "/hearings", {"notice_served_on": served.isoformat(), "hearing_on": hearing_on.isoformat(),
                                          "chair": "H-0100"}, done_when=lambda c: bool(c.get("hearing")))
        self._command(flow, "/hearings/held", {"held_on": hearing_on.isoformat(), "transcript": "听证笔录：当事人陈述申辩"},
                      auth=self.staff.officer, done_when=lambda c: bool((c.get("hearing") or {}).get("held_on")))
        self._propose(flow, fine * 0.8, facts=FACTS.format(value=round(fine / 3, 2)) + "（听证后）")
        self._clear(flow, major=True)
        days_since = (today() - hearing_on).days
        decided = max(0, days_since - 1)
        self._decide(flow, decided)
        self._serve_pay_close(flow, served=decided, paid=0, amount=fine * 0.8)

    def _transfer(self, flow: Flow, decision: str) -> None:
        self._investigate(flow, 200_000, major=True, findings={"offences": ["140"], "sales_yuan": 60_000})
        self._command(flow, "/judiciary-transfers", {"receiving_organ": "揭阳市公安局揭东分局", "transferred_on": ago(12)},
                      event="case.transferred_to_judiciary", done_when=lambda c: bool(c.get("transfer")))
        self._command(flow, "/judiciary-receipts", {"decision": decision, "received_on": ago(11),
                                                    "reason": "不构成犯罪" if decision == "declined" else "立案侦查"},
                      auth=self.staff.officer, event="judiciary.receipt_recorded",
                      done_when=lambda c: (c.get("transfer") or {}).get("police_decision") == decision)
        flow.transfer = decision
        if decision == "accepted":
            self._close(flow)
            return
        self._await(flow, ("investigating",), "back after the police declined")
        self._propose(flow, 180_000, findings={"offences": ["140"], "sales_yuan": 60_000},
                      facts=FACTS.format(value=60_000) + "（公安机关不予立案后依法处理）")
        self._clear(flow, major=True)
        self._ordinary_tail(flow, 180_000)

    def _transfer_accepted(self, flow: Flow) -> None:
        self._transfer(flow, "accepted")

    def _transfer_declined(self, flow: Flow) -> None:
        self._transfer(flow, "declined")

    def _ip_referral(self, flow: Flow) -> None:
        report = self.api.post("ip_protection", "/infringement-reports", {
            "mark_name_used": "埔田竹笋", "product": "鲜竹笋", "role": "seller", "seller": flow.subject,
            "claimed_origin": "埔田镇", "actual_origin": "福建省", "sales_amount_yuan": 3_000,
            "observed_on": ago(20), "reporter": {"kind": "right_holder", "name": "埔田竹笋协会"}},
            self.staff.ip_officer, correlation=flow.correlation, expects_event=("infringement.reported", "report"),
            recover=lambda subjects: self.api.get("ip_protection", f"/infringement-reports/{subjects[0]}",
                                                  self.staff.ip_officer))
        flow.report_id = report["report_id"]
        shown = self.api.wait_for("ip_protection", f"/infringement-reports/{flow.report_id}", self.staff.ip_officer,
                                  lambda r: r.get("clue_id"), f"the clue of report {flow.report_id}")
        flow.clue_id = shown["clue_id"]  # received by enforcement today: the case runs from today
        fine = self._small_fine(flow)
        self._file(flow, 0)
        self._evidence(flow, 0)
        self._propose(flow, fine)
        self._clear(flow, major=False)
        self._ordinary_tail(flow, fine, pre=0, decided=0, served=0, paid=0)

    def _inspection(self, flow: Flow) -> None:
        with self._rng_lock:
            target = self.inspection_targets.pop() if self.inspection_targets else None
        if target is None:
            return self._ordinary(flow)
        first, second = target["inspectors"][:2]
        flow.subject = next((s for s in self.subjects if s["uscc"] == target["uscc"]), flow.subject)
        result = self.api.post("enforcement", f"/inspections/{target['draw_id']}/results", {
            "uscc": target["uscc"], "inspected_on": ago(0), "outcome": "violation_suspected",
            "findings": "抽查发现超过保质期的食品"}, self.staff.inspector(first),
            second=self.staff.inspector(second), correlation=flow.correlation,
            expects_event=("inspection.result_recorded", "inspection"),
            done=lambda: next((r for r in self.api.get("enforcement", f"/inspections/draws/{target['draw_id']}",
                                                       self.staff.supervisor)["results"]
                               if r["uscc"] == target["uscc"]), None))
        flow.clue_id = result["clue_id"]  # the inspection was today (after the draw): the case runs from today
        fine = self._small_fine(flow)
        self._file(flow, 0)
        self._evidence(flow, 0)
        self._propose(flow, fine)
        self._clear(flow, major=False)
        self._ordinary_tail(flow, fine, pre=0, decided=0, served=0, paid=0)
