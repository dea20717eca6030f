"""Clues and cases as state machines (pure Python).

A clue (线索) is received and gets a filing decision (立案 / 不予立案). A filed case (案件) is
investigated, proposes a decision (拟处罚决定: immutable, identified by its content hash), waits for
legal clearance (法制审核, from legal_review's events), is pre-notified (事先告知), hears the party's
statement (陈述申辩), is decided (处罚决定 / 不予处罚) or transferred to the judiciary (移送司法), is
served (送达), paid (执行), and closed (结案).

Every command checks the current state first; an illegal one raises :class:`IllegalTransition`
(a 409) naming the state and the commands it allows.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from shared.canonical import sha256_hex
from shared.errors import Conflict, RuleViolation


class ClueState(str, Enum):
    RECEIVED = "received"
    FILED = "filed"          # 立案
    NOT_FILED = "not_filed"  # 不予立案


class CaseState(str, Enum):
    INVESTIGATING = "investigating"        # 调查取证
    SUSPENDED = "suspended"                # 中止调查
    AWAITING_REVIEW = "awaiting_review"    # proposal awaiting legal clearance (法制审核)
    CLEARED = "cleared"                    # proposal cleared or approved
    PRE_NOTIFIED = "pre_notified"          # 事先告知 served: statement window open
    DECIDED = "decided"                    # 处罚决定 / 不予处罚决定 made
    TRANSFERRED = "transferred"            # 移送司法, awaiting the police
    SERVED = "served"                      # 送达
    CLOSED = "closed"                      # 结案


def _not_future(day: date, today: date, what: str) -> None:
    if day > today:
        raise RuleViolation(f"{what} cannot be dated {day.isoformat()}, after today ({today.isoformat()})")


# The one table of which command is allowed in which state.
ALLOWED: dict[str, frozenset[CaseState]] = {
    "add_evidence": frozenset({CaseState.INVESTIGATING, CaseState.AWAITING_REVIEW, CaseState.CLEARED}),
    "suspend": frozenset({CaseState.INVESTIGATING}),
    "resume": frozenset({CaseState.SUSPENDED}),
    "propose": frozenset({CaseState.INVESTIGATING, CaseState.AWAITING_REVIEW, CaseState.CLEARED,
                          CaseState.PRE_NOTIFIED}),
    "record_review": frozenset({CaseState.AWAITING_REVIEW, CaseState.CLEARED, CaseState.PRE_NOTIFIED,
                                CaseState.INVESTIGATING}),
    "pre_notify": frozenset({CaseState.CLEARED}),
    "add_statement": frozenset({CaseState.PRE_NOTIFIED}),
    "request_hearing": frozenset({CaseState.PRE_NOTIFIED}),
    "notify_hearing": frozenset({CaseState.PRE_NOTIFIED}),
    "hold_hearing": frozenset({CaseState.PRE_NOTIFIED}),
    "recuse": frozenset({CaseState.INVESTIGATING, CaseState.SUSPENDED, CaseState.AWAITING_REVIEW,
                         CaseState.CLEARED, CaseState.PRE_NOTIFIED}),
    # A decision follows the pre-notice; after a hearing, a new proposal is cleared first (M-HEARING).
    "decide": frozenset({CaseState.PRE_NOTIFIED, CaseState.CLEARED}),
    "transfer": frozenset({CaseState.INVESTIGATING, CaseState.AWAITING_REVIEW, CaseState.CLEARED,
                           CaseState.PRE_NOTIFIED}),
    "record_police_receipt": frozenset({CaseState.TRANSFERRED}),
    "serve": frozenset({CaseState.DECIDED}),
    "record_payment": frozenset({CaseState.SERVED}),
    "close": frozenset({CaseState.SERVED, CaseState.DECIDED, CaseState.TRANSFERRED, CaseState.INVESTIGATING}),
}


class IllegalTransition(Conflict):
    def __init__(self, command: str, state: CaseState):
        allowed = sorted(c for c, states in ALLOWED.items() if state in states)
        super().__init__(f"cannot {command.replace('_', ' ')} a case that is {state.value}; "
                         f"allowed now: {', '.join(allowed) or 'nothing'}",
                         state=state.value, allowed=allowed)


@dataclass
class Proposal:
    """A proposed decision. Immutable: a change is a new proposal with a new hash."""

    proposal_id: str
    content: dict[str, Any]
    hash: str
    proposed_on: str
    clearance: str | None = None   # cleared | approved | returned
    major: bool | None = None
    grounds: list[str] = field(default_factory=list)
    review_id: str | None = None
    opinion: str | None = None
    hearing_held_at_proposal: bool = False

    @staticmethod
    def hash_of(content: dict[str, Any]) -> str:
        return sha256_hex(content)

    @property
    def is_cleared(self) -> bool:
        return self.clearance in ("cleared", "approved")


@dataclass
class Case:
    case_no: str
    clue_id: str
    subject: dict[str, Any]
    category: str
    handlers: list[str]
    filed_on: str
    correlation_id: str
    state: CaseState = CaseState.INVESTIGATING
    findings: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    paused: list[list[str | None]] = field(default_factory=list)   # [start, end) for D-DECIDE
    head_extension_days: int = 0
    collective_extension_days: int = 0
    extensions: list[dict[str, Any]] = field(default_factory=list)
    pre_notice_served_on: str | None = None
    pre_notified_hash: str | None = None
    statements: list[dict[str, Any]] = field(default_factory=list)
    hearing_requested_on: str | None = None
    hearing: dict[str, Any] | None = None
    hearing_held: bool = False
    recusals: list[dict[str, Any]] = field(default_factory=list)
    procedure: str = "ordinary"
    decision: dict[str, Any] | None = None
    transfer: dict[str, Any] | None = None
    transfer_declined: bool = False
    served_on: str | None = None
    party_present_at_decision: bool = True
    payment: dict[str, Any] | None = None
    closing_ground: str | None = None
    closing_ground_on: str | None = None
    closed_on: str | None = None

    # -- guards ---------------------------------------------------------------------------------
    def check(self, command: str) -> None:
        if self.state not in ALLOWED[command]:
            raise IllegalTransition(command, self.state)

    @property
    def current_proposal(self) -> Proposal | None:
        return self.proposals[-1] if self.proposals else None

    def proposal(self, proposal_id: str) -> Proposal:
        for proposal in self.proposals:
            if proposal.proposal_id == proposal_id:
                return proposal
        from shared.errors import NotFound
        raise NotFound(f"case {self.case_no} has no proposal {proposal_id}")

    # -- investigation --------------------------------------------------------------------------
    def add_evidence(self, item: dict[str, Any]) -> dict[str, Any]:
        self.check("add_evidence")
        item = {**item, "sequence": len(self.evidence) + 1, "content_hash": sha256_hex(item["content"])}
        self.evidence.append(item)
        return item

    def suspend(self, on: date, reason: str, today: date) -> None:
        """中止调查: the D-DECIDE clock stops until resumption."""
        self.check("suspend")
        _not_future(on, today, "a suspension")
        if on < date.fromisoformat(self.filed_on):
            raise RuleViolation(f"a case filed on {self.filed_on} cannot be suspended from {on.isoformat()}")
        self.paused.append([on.isoformat(), None])
        self.state = CaseState.SUSPENDED

    def resume(self, on: date, today: date) -> None:
        self.check("resume")
        _not_future(on, today, "a resumption")
        if on < date.fromisoformat(self.paused[-1][0]):
            raise RuleViolation(f"the case was suspended on {self.paused[-1][0]}; it cannot resume before that")
        self.paused[-1][1] = on.isoformat()
        self.state = CaseState.INVESTIGATING

    def extend_decision_deadline(self, *, kind: str, days: int, approved_on: date, approved_by: str,
                                 reason: str) -> None:
        """D-DECIDE: +30 days at most with the head's approval (once); beyond that only by collective
        discussion (集体讨论), for the days it sets."""
        if self.state in (CaseState.DECIDED, CaseState.SERVED, CaseState.CLOSED, CaseState.TRANSFERRED):
            raise IllegalTransition("extend_decision_deadline", self.state)
        if kind == "head":
            if self.head_extension_days:
                raise Conflict("D-DECIDE: the head's extension was already granted; a further one needs "
                               "collective discussion")
            if days > 30:
                raise RuleViolation("D-DECIDE: the head may extend by 30 days at most; beyond that only by "
                                    "collective discussion")
            self.head_extension_days = days
        else:
            if not self.head_extension_days:
                raise RuleViolation("D-DECIDE: collective discussion extends a case the head already extended")
            self.collective_extension_days += days
        self.extensions.append({"kind": kind, "days": days, "approved_on": approved_on.isoformat(),
                                "approved_by": approved_by, "reason": reason})

    # -- proposal and legal clearance ------------------------------------------------------------
    def propose(self, proposal_id: str, content: dict[str, Any], on: date) -> Proposal:
        self.check("propose")
        # The hash covers the proposal's identity too: two cases (or two rounds) with the same wording are
        # still two proposals, each needing its own clearance.
        content = {**content, "case_no": self.case_no, "proposal_id": proposal_id, "hearing_held": self.hearing_held}
        proposal = Proposal(proposal_id=proposal_id, content=content, hash=Proposal.hash_of(content),
                            proposed_on=on.isoformat(), hearing_held_at_proposal=self.hearing_held)
        self.proposals.append(proposal)
        # A new proposal supersedes the old one, and with it any clearance the old one had.
        self.state = CaseState.AWAITING_REVIEW
        return proposal

    def record_review(self, proposal_hash: str, outcome: str, *, major: bool, grounds: list[str],
                      review_id: str | None, opinion: str | None) -> bool:
        """legal_review answered (review.cleared / review.approved / review.returned). Returns
        False when the answer is for a superseded proposal (kept on it, no change of state)."""
        target = next((p for p in self.proposals if p.hash == proposal_hash), None)
        if target is None:
            from shared.errors import NotFound
            raise NotFound(f"case {self.case_no} has no proposal with hash {proposal_hash}")
        target.clearance, target.major, target.grounds = outcome, major, list(grounds)
        target.review_id, target.opinion = review_id, opinion
        if target is not self.current_proposal or self.state is not CaseState.AWAITING_REVIEW:
            return False
        self.state = CaseState.CLEARED if outcome in ("cleared", "approved") else CaseState.INVESTIGATING
        return True

    def require_clearance(self) -> Proposal:
        """行政处罚法 art. 58: no decision without review of this exact proposal (CONTRACT §4)."""
        proposal = self.current_proposal
        if proposal is None:
            raise Conflict(f"case {self.case_no} has no proposal; propose a decision first")
        if not proposal.is_cleared:
            raise Conflict(
                f"proposal {proposal.proposal_id} (hash {proposal.hash[:12]}…) has no legal clearance "
                f"({proposal.clearance or 'awaiting review'}); a decision needs legal_review to clear or "
                "approve this exact proposal", proposal_hash=proposal.hash)
        if self.hearing_held and not proposal.hearing_held_at_proposal:
            raise Conflict("a hearing was held after this proposal; propose again so that the decision "
                           "after the hearing is reviewed (M-HEARING)")
        return proposal

    # -- pre-notice, statement, hearing ------------------------------------------------------------
    def pre_notify(self, served_on: date, today: date) -> None:
        """事先告知 (D-STATEMENT): the statement window starts when the notice is served; it is for
        the current proposal (a later proposal needs a new pre-notice, art. 44-45)."""
        self.check("pre_notify")
        _not_future(served_on, today, "a pre-notice")
        if served_on < date.fromisoformat(self.filed_on):
            raise RuleViolation(f"the case was filed on {self.filed_on}; a pre-notice cannot precede it")
        proposal = self.require_clearance()
        self.pre_notice_served_on = served_on.isoformat()
        self.pre_notified_hash = proposal.hash
        self.state = CaseState.PRE_NOTIFIED

    def add_statement(self, statement: dict[str, Any]) -> None:
        self.check("add_statement")
        self.statements.append(statement)

    def request_hearing(self, on: date, deadline: date, grounds: list[str], today: date) -> None:
        self.check("request_hearing")
        _not_future(on, today, "a hearing request")
        if not grounds:
            raise RuleViolation("H-RIGHT: the proposed penalty gives no right to a hearing")
        if self.hearing_requested_on:
            raise Conflict(f"a hearing was already requested on {self.hearing_requested_on}")
        if on < date.fromisoformat(self.pre_notice_served_on):
            raise RuleViolation(f"the pre-notice was served on {self.pre_notice_served_on}; a request cannot precede it")
        if on > deadline:
            raise RuleViolation(f"D-HEARING: a hearing had to be requested by {deadline.isoformat()}")
        self.hearing_requested_on = on.isoformat()
        # D-DECIDE: the hearing period does not count, from the request until the hearing is held.
        self.paused.append([on.isoformat(), None])

    def notify_hearing(self, *, served_on: date, hearing_on: date, chair: str, earliest: date) -> None:
        """D-HEARING: notified at least 7 WD ahead; O-SEPARATE: the chair is not an investigator."""
        self.check("notify_hearing")
        if not self.hearing_requested_on:
            raise Conflict("the party has not requested a hearing")
        if chair in self.handlers:
            raise RuleViolation(f"O-SEPARATE: the hearing chair {chair} investigates this case; appoint someone "
                                "who does not")
        if hearing_on < earliest:
            raise RuleViolation(f"D-HEARING: a hearing notified on {served_on.isoformat()} can be held on "
                                f"{earliest.isoformat()} at the earliest (7 working days' notice)")
        self.hearing = {"notice_served_on": served_on.isoformat(), "hearing_on": hearing_on.isoformat(),
                        "chair": chair, "held_on": None}

    def hold_hearing(self, on: date, transcript: str) -> None:
        self.check("hold_hearing")
        if not self.hearing:
            raise Conflict("no hearing has been notified")
        if on < date.fromisoformat(self.hearing["hearing_on"]):
            raise RuleViolation(f"the hearing was notified for {self.hearing['hearing_on']}")
        self.hearing.update(held_on=on.isoformat(), transcript=transcript)
        self.hearing_held = True
        if self.paused and self.paused[-1][1] is None:
            self.paused[-1][1] = on.isoformat()

    def recuse(self, officer: str, *, replacement: str, decided_by: str, reason: str, on: date) -> None:
        """O-RECUSE (回避): the officer withdraws; who decided it is recorded; a replacement keeps two."""
        self.check("recuse")
        if officer not in self.handlers:
            raise RuleViolation(f"{officer} does not handle case {self.case_no}")
        if replacement in self.handlers or replacement == officer:
            raise RuleViolation(f"O-TWO: the replacement {replacement} must be another officer")
        if decided_by == officer:
            raise RuleViolation("O-RECUSE: an officer does not decide their own recusal")
        self.handlers = [replacement if h == officer else h for h in self.handlers]
        self.recusals.append({"officer": officer, "replacement": replacement, "decided_by": decided_by,
                              "reason": reason, "on": on.isoformat()})
    # -- decision and after -------------------------------------------------------------------------
    def decide(self, decision: dict[str, Any], *, statement_deadline: date, on: date,
               judiciary_thresholds: list[dict[str, Any]], decision_due: date | None = None) -> Proposal:
        self.check("decide")
        if decision_due is not None and on > decision_due:
            raise Conflict(f"D-DECIDE: the decision was due by {decision_due.isoformat()}; record an extension "
                           "(the head's 30 days, then collective discussion) before deciding later")
        if self.pre_notice_served_on is None:
            raise Conflict("行政处罚法 art. 62: no decision without the pre-notice (事先告知); serve it first")
        if self.hearing_requested_on and not self.hearing_held:
            raise Conflict("D-HEARING: the party requested a hearing; hold it before deciding")
        proposal = self.require_clearance()
        if proposal.hash != self.pre_notified_hash and not (self.hearing_held and proposal.hearing_held_at_proposal):
            raise Conflict("the pre-notice was served for another proposal; serve a new pre-notice for this one "
                           "(行政处罚法 arts. 44-45)")
        if on < date.fromisoformat(self.pre_notice_served_on):
            raise RuleViolation(f"a decision cannot precede the pre-notice of {self.pre_notice_served_on}")
        if on <= statement_deadline and not self.statements and not decision.get("party_waived_statement"):
            raise Conflict(f"D-STATEMENT: the party may state and defend until {statement_deadline.isoformat()}; "
                           "decide after that, or record the party's statement or waiver first")
        if judiciary_thresholds and not self.transfer_declined and decision["outcome"] == "penalty":
            rules = ", ".join(t["rule"] for t in judiciary_thresholds)
            raise Conflict(f"J-DUTY: a judiciary threshold is met ({rules}); the case must be transferred to "
                           "the public security organ, and a penalty may not replace the transfer unless the "
                           "police decline it", thresholds=judiciary_thresholds)
        self.decision = {**decision, "proposal_id": proposal.proposal_id, "proposal_hash": proposal.hash,
                         "decided_on": on.isoformat()}
        self.state = CaseState.DECIDED
        if decision["outcome"] != "penalty":
            self._closing_ground("no penalty decided", on)
        return proposal

    def transfer_to_judiciary(self, transfer: dict[str, Any], on: date) -> None:
        self.check("transfer")
        self.transfer = {**transfer, "transferred_on": on.isoformat(), "police_decision": None}
        self.state = CaseState.TRANSFERRED

    def record_police_receipt(self, receipt: dict[str, Any], on: date) -> None:
        """J-DUTY: the police accept (the case closes) or decline (the agency handles it itself)."""
        self.check("record_police_receipt")
        if (self.transfer or {}).get("police_decision") in ("accepted", "declined"):
            raise Conflict(f"the police already {self.transfer['police_decision']} this transfer")
        self.transfer = {**(self.transfer or {}), "police_decision": receipt["decision"],
                         "police_receipt": receipt, "police_decided_on": on.isoformat()}
        if receipt["decision"] == "declined":
            self.transfer_declined = True
            self.closing_ground = self.closing_ground_on = None
            self.state = CaseState.INVESTIGATING
        elif receipt["decision"] == "accepted":
            self._closing_ground("transferred to and accepted by the judiciary", on)

    def serve(self, on: date, *, party_present: bool) -> None:
        self.check("serve")
        self.served_on = on.isoformat()
        self.party_present_at_decision = party_present
        self.state = CaseState.SERVED
        if not self._fine():
            self._closing_ground("decision served; nothing to pay", on)

    def record_payment(self, paid_on: date, amount: Decimal, surcharge: Decimal) -> None:
        self.check("record_payment")
        self.payment = {"paid_on": paid_on.isoformat(), "amount_yuan": str(amount),
                        "surcharge_yuan": str(surcharge)}
        self._closing_ground("decision fully performed", paid_on)

    def revoke_decision(self, kind: str, on: date, reason: str) -> None:
        """A penalty decision changed, revoked or annulled (复议、诉讼 or self-correction): its public
        disclosure must be withdrawn (P-WITHDRAW)."""
        if not self.decision or self.decision.get("outcome") != "penalty":
            raise Conflict(f"case {self.case_no} has no penalty decision to {kind.rstrip('d')}")
        if self.decision.get("revoked"):
            raise Conflict(f"the decision was already {self.decision['revoked']['kind']}")
        self.decision["revoked"] = {"kind": kind, "on": on.isoformat(), "reason": reason}

    def close(self, on: date) -> None:
        self.check("close")
        if self.closing_ground is None:
            raise Conflict(f"case {self.case_no} has no closing ground yet (decision performed, no-penalty or "
                           "transfer decision, investigation terminated)")
        self.closed_on = on.isoformat()
        self.state = CaseState.CLOSED

    def _closing_ground(self, ground: str, on: date) -> None:
        self.closing_ground, self.closing_ground_on = ground, on.isoformat()

    def _fine(self) -> Decimal:
        if not self.decision or self.decision.get("outcome") != "penalty":
            return Decimal(0)
        return Decimal(str(self.decision["penalty"].get("fine_amount_yuan", 0)))

    # -- persistence ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Case":
        data = dict(data)
        data["state"] = CaseState(data["state"])
        data["proposals"] = [Proposal(**p) for p in data.get("proposals", [])]
        return cls(**data)
