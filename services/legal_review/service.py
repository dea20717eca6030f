"""The legal_review service: nameko entrypoints only; the rules live in `domain/`.

- Every ``decision.proposed`` is classified against the M-* rule table: not major → ``review.cleared``
  naming the rules evaluated; major → a review is opened (``review.opened``) for a reviewer.
- A reviewer approves or returns it (``review.approved`` / ``review.returned``); a reviewer who
  handles the case is refused (O-SEPARATE).
- Every ``penalty.decided`` is audited: a major decision without an approval of its exact proposal
  hash raises ``review.bypass_detected`` (行政处罚法 art. 58: 未经法制审核…不得作出决定).
"""
from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from nameko.timer import timer
from sqlalchemy import func, insert, select, update
from werkzeug.wrappers import Response

from services.legal_review import public_page
from services.legal_review.domain.classification import ProposalFacts, classify, load_rule_table
from services.legal_review.tables import decisions, disclosures, metadata, proposals, reviews
from shared import metrics
from shared.errors import Conflict, NotFound, PermissionDenied
from shared.events.subscriber import subscribe
from shared.http.fields import DATE, LONG_TEXT, body
from shared.http.routes import PUBLIC, route
from shared.law import disclosure
from shared.service import PlatformService
from shared.store import Store

DISCLOSURE_SCAN_SECONDS = float(os.environ.get("DISCLOSURE_SCAN_SECONDS", "300"))
CHANGE_WORDS = {"changed": "变更", "revoked": "撤销", "annulled": "被撤销或确认违法"}
REVIEWERS = ("reviewer",)
READERS = ("reviewer", "operator", "supervisor")
REPAIR = body(["applied_on", "performed", "harm_removed", "repeat_penalty", "on_list", "reason"],
              applied_on=DATE, performed={"type": "boolean"}, harm_removed={"type": "boolean"},
              repeat_penalty={"type": "boolean"}, on_list={"type": "boolean"}, reason=LONG_TEXT)
OPINION = body(["outcome", "opinion"], outcome={"enum": ["approve", "return"]}, opinion=LONG_TEXT)

DECISIONS_SEEN = metrics.counter("decisions_audited", "Penalty decisions audited, by whether major.", ("major",))
MAJOR_REVIEWED = metrics.counter("major_decisions_reviewed", "Major decisions approved for their exact proposal "
                                                              "before the decision.")
BYPASSES = metrics.counter("review_bypasses", "Major decisions made without an approval of their proposal (alert).")
REVIEWS_OPEN = metrics.gauge("reviews_open", "Major proposals awaiting a reviewer.")
DISCLOSED_ON_TIME = metrics.counter("disclosures_published_on_time", "Disclosures published within P-DUE.")
DISCLOSED_LATE = metrics.counter("disclosures_published_late", "Disclosures published after P-DUE (alert).")
DISCLOSURES_SHOWN = metrics.gauge("disclosures_due", "Disclosures currently shown to the public (P-SCOPE, P-PERIOD).")
DISCLOSURES_OVERDUE = metrics.gauge(
    "disclosures_overdue", "Disclosures of the last 30 days published after their P-DUE date (alert).")
PUBLICATION_DELAY = metrics.histogram("disclosure_publication_delay_workdays",
                                      "Working days from the decision to its publication (P-DUE: 20).")


class LegalReviewService(PlatformService):
    name = "legal_review"
    store = Store(metadata, Path(__file__).parent / "migrations")

    # -- classification of every proposal --------------------------------------------------------
    @subscribe("enforcement", "decision.proposed")
    def on_decision_proposed(self, event):
        data = event.data
        table = load_rule_table()
        outcome = classify(ProposalFacts.from_event_data(data), table)
        now = datetime.now(timezone.utc)
        with self.store.unit_of_work() as uow:
            known = uow.execute(select(proposals.c.proposal_hash)
                                .where(proposals.c.proposal_hash == data["proposal_hash"])).first()
            if known:
                return  # the same content proposed again: one classification per hash
            review_id = f"R-{uuid.uuid4().hex[:12]}" if outcome.major else None
            uow.execute(insert(proposals).values(
                proposal_hash=data["proposal_hash"], case_no=data["case_no"], proposal_id=data["proposal_id"],
                major=outcome.major, grounds=list(outcome.grounds), evaluated=list(outcome.evaluated),
                table_version=outcome.table_version, review_id=review_id, data=data,
                correlation_id=event.correlationid, received_at=now))
            common = {"case_no": data["case_no"], "proposal_id": data["proposal_id"],
                      "proposal_hash": data["proposal_hash"], "major": outcome.major,
                      "grounds": list(outcome.grounds), "table_version": outcome.table_version}
            if not outcome.major:
                uow.publish("review.cleared", subject=data["case_no"],
                            data={**common, "rules_evaluated": list(outcome.evaluated)})
                return
            uow.execute(insert(reviews).values(review_id=review_id, proposal_hash=data["proposal_hash"],
                                               case_no=data["case_no"], state="open", opened_at=now))
            uow.publish("review.opened", subject=data["case_no"], data={**common, "review_id": review_id,
                                                                         "reasons": outcome.reasons})

    # -- reviews ---------------------------------------------------------------------------------
    @route("GET", "/reviews", roles=READERS, summary="Reviews, newest first; ?state=open|approved|returned")
    def list_reviews(self, request):
        query = (select(reviews, proposals.c.grounds, proposals.c.table_version)
                 .join(proposals, proposals.c.proposal_hash == reviews.c.proposal_hash)
                 .order_by(reviews.c.opened_at.desc()).limit(200))
        if request.args.get("state"):
            query = query.where(reviews.c.state == request.args["state"])
        with self.store.engine.connect() as conn:
            return {"items": [_review_summary(row) for row in conn.execute(query)]}

    @route("GET", "/reviews/<review_id>", roles=READERS,
           summary="A review with the proposal's facts, legal basis, amounts and evidence summary")
    def get_review(self, request, review_id):
        with self.store.engine.connect() as conn:
            return _review_detail(conn, review_id)

    @route("POST", "/reviews/<review_id>/opinions", roles=REVIEWERS, body=OPINION, status=201,
           summary="Approve, or return with a written correction opinion (O-SEPARATE: never one's own case)")
    def give_opinion(self, request, review_id):
        reviewer = request.principal.staff_id
        data = request.body
        with self.store.unit_of_work() as uow:
            review = _review_detail(uow.connection, review_id)
            if reviewer in review["proposal"].get("handlers", []):
                raise PermissionDenied(f"O-SEPARATE: {reviewer} handles case {review['case_no']} and may not "
                                       "review it (办审分离)")
            if review["state"] != "open":
                raise Conflict(f"review {review_id} is already {review['state']}")
            state = "approved" if data["outcome"] == "approve" else "returned"
            uow.execute(update(reviews).where(reviews.c.review_id == review_id, reviews.c.state == "open")
                        .values(state=state, reviewer=reviewer, opinion=data["opinion"],
                                decided_at=datetime.now(timezone.utc)))
            from dataclasses import replace
            uow.context = replace(uow.context, correlation_id=review["correlation_id"])
            uow.publish(f"review.{state}", subject=review["case_no"], data={
                "case_no": review["case_no"], "proposal_id": review["proposal_id"],
                "proposal_hash": review["proposal_hash"], "major": True, "grounds": review["grounds"],
                "table_version": review["table_version"], "review_id": review_id, "reviewer": reviewer,
                "opinion": data["opinion"]})
            return 201, _review_detail(uow.connection, review_id)

    # -- the audit of every decision -------------------------------------------------------------
    @subscribe("enforcement", "penalty.decided")
    def on_penalty_decided(self, event):
        data = event.data
        now = datetime.now(timezone.utc)
        with self.store.unit_of_work() as uow:
            if uow.execute(select(decisions.c.decision_no)
                           .where(decisions.c.decision_no == data["decision_no"])).first():
                return  # the same decision announced again (a new event id): audited once
            proposal = uow.execute(select(proposals).where(proposals.c.proposal_hash == data["proposal_hash"])).first()
            if data.get("procedure") == "simplified":
                major, grounds = False, []   # S-SIMPLE: a warning or a small fine is never major
            elif proposal is not None:
                major, grounds = proposal.major, list(proposal.grounds)
            else:
                # A decision whose proposal never came here: judge it by what the decision shows
                # (the flags it does not carry count as not set).
                facts = ProposalFacts.from_event_data({
                    "hearing_held": False, "complex": False, "public_interest": False,
                    "discretion_departure": False, "judiciary_thresholds": [], **data,
                    "party_kind": data["subject"]["kind"]})
                outcome = classify(facts, load_rule_table())
                major, grounds = outcome.major, list(outcome.grounds)
            approved = uow.execute(select(reviews.c.review_id).where(
                reviews.c.proposal_hash == data["proposal_hash"], reviews.c.state == "approved")).first()
            bypass = major and approved is None
            uow.execute(insert(decisions).values(
                decision_no=data["decision_no"], case_no=data["case_no"], proposal_hash=data["proposal_hash"],
                major=major, reviewed_before_decision=bool(major and approved), bypass=bypass,
                decided_on=date.fromisoformat(data["decided_at"][:10]), seen_at=now))
            if bypass:
                reason = ("no proposal with this hash was ever submitted for review" if proposal is None
                          else "the proposal with this hash was not approved by a reviewer")
                uow.publish("review.bypass_detected", subject=data["case_no"], data={
                    "case_no": data["case_no"], "decision_no": data["decision_no"],
                    "proposal_hash": data["proposal_hash"], "grounds": grounds, "reason": reason})
            self._disclose(uow, data, now)
        DECISIONS_SEEN.labels(self.name, str(major).lower()).inc()
        if major and approved:
            MAJOR_REVIEWED.labels(self.name).inc()
        if bypass:
            BYPASSES.labels(self.name).inc()

    def _disclose(self, uow, decided: dict, now: datetime) -> None:
        """P-SCOPE, P-FIELDS, P-REDACT, P-DUE: publish at once, redacted, tracked against its due date."""
        penalty = disclosure.penalty_of(decided)
        if not disclosure.in_scope(decided.get("procedure", "ordinary"), penalty):
            return
        fields = disclosure.public_fields(decided)
        decided_on = disclosure.decision_date(decided)
        due_by = disclosure.publication_due(decided_on, self.workdays)
        published_on = self.workdays.to_shanghai_date(now)
        disclosure_id = f"GS-{uuid.uuid4().hex[:12]}"
        uow.execute(insert(disclosures).values(
            disclosure_id=disclosure_id, decision_no=decided["decision_no"], case_no=decided["case_no"],
            party_name=fields["party"]["name"], party_uscc=fields["party"].get("uscc"), fields=fields,
            penalty=decided["penalty"], category=str(decided.get("category") or "")[:100],
            decided_on=decided_on, due_by=due_by, published_at=now, published_on_time=published_on <= due_by,
            period_ends=disclosure.display_period_ends(published_on, penalty), state="published"))
        uow.publish("disclosure.published", subject=disclosure_id, data={
            "disclosure_id": disclosure_id, "case_no": decided["case_no"], "decision_no": decided["decision_no"],
            "published_at": now.isoformat().replace("+00:00", "Z"), "due_by": due_by.isoformat(), "fields": fields})
        delay_days = self.workdays.working_days_between(decided_on, published_on)
        PUBLICATION_DELAY.labels(self.name).observe(delay_days)
        (DISCLOSED_ON_TIME if published_on <= due_by else DISCLOSED_LATE).labels(self.name).inc()

    @subscribe("enforcement", "decision.revoked")
    def on_decision_revoked(self, event):
        """P-WITHDRAW: withdraw the disclosure within 3 working days, with the reason (here: at once)."""
        data = event.data
        with self.store.unit_of_work() as uow:
            row = uow.execute(select(disclosures).where(disclosures.c.decision_no == data["decision_no"])).first()
            if row is None or row.state != "published":
                return
            due = disclosure.withdrawal_due(date.fromisoformat(data["changed_on"]), self.workdays)
            self._withdraw(uow, row, rule="P-WITHDRAW", due_by=due,
                           reason=f"处罚决定已{CHANGE_WORDS[data['kind']]}：{data['reason']}")

    def _withdraw(self, uow, row, *, rule: str, reason: str, due_by: date | None = None) -> None:
        now = datetime.now(timezone.utc)
        state = "taken_down" if rule == "P-PERIOD" else "withdrawn"
        uow.execute(update(disclosures).where(disclosures.c.disclosure_id == row.disclosure_id)
                    .values(state=state))
        event = {"disclosure_id": row.disclosure_id, "decision_no": row.decision_no, "reason": reason, "rule": rule,
                 "withdrawn_at": now.isoformat().replace("+00:00", "Z")}
        if due_by:
            event["due_by"] = due_by.isoformat()
        uow.publish("disclosure.withdrawn", subject=row.disclosure_id, data=event)

    @route("POST", "/disclosures/<disclosure_id>/repair-applications", roles=("reviewer", "operator"),
           body=REPAIR, status=201, summary="信用修复 (P-REPAIR): stop a disclosure early when the party qualifies")
    def apply_for_repair(self, request, disclosure_id):
        data = request.body
        with self.store.unit_of_work() as uow:
            row = uow.execute(select(disclosures).where(disclosures.c.disclosure_id == disclosure_id)).first()
            if row is None:
                raise NotFound(f"no disclosure {disclosure_id}")
            if row.state != "published":
                raise Conflict(f"disclosure {disclosure_id} is already {row.state}")
            from shared.errors import RuleViolation
            if date.fromisoformat(data["applied_on"]) > self.workdays.today():
                raise RuleViolation("applied_on cannot be in the future")
            refusal = disclosure.repair_refusal(
                published_on=self.workdays.to_shanghai_date(_aware(row.published_at)),
                on=date.fromisoformat(data["applied_on"]), penalty=disclosure.penalty_of({"penalty": row.penalty}),
                category=row.category, performed=data["performed"], harm_removed=data["harm_removed"],
                repeat_penalty=data["repeat_penalty"], on_list=data["on_list"])
            if refusal:
                raise RuleViolation(refusal)
            self._withdraw(uow, row, rule="P-REPAIR", reason=f"信用修复：{data['reason']}")
        return 201, {"disclosure_id": disclosure_id, "state": "withdrawn", "rule": "P-REPAIR"}

    @timer(interval=DISCLOSURE_SCAN_SECONDS, eager=True)
    def take_down_expired(self):
        """P-PERIOD: a disclosure is shown through its last day and taken down the day after."""
        today = self.workdays.today()
        with self.store.engine.connect() as conn:
            expired = conn.execute(select(disclosures).where(disclosures.c.state == "published",
                                                             disclosures.c.period_ends < today)).all()
        for row in expired:
            with self.store.unit_of_work() as uow:
                self._withdraw(uow, row, rule="P-PERIOD", reason=f"公示期满（至{row.period_ends.isoformat()}）")
        with self.store.engine.connect() as conn:
            shown = conn.execute(select(func.count()).select_from(disclosures)
                                 .where(disclosures.c.state == "published")).scalar()
            late = conn.execute(select(func.count()).select_from(disclosures).where(
                disclosures.c.published_on_time.is_(False),
                disclosures.c.decided_on >= today - timedelta(days=30))).scalar()
        DISCLOSURES_SHOWN.labels(self.name).set(shown)
        DISCLOSURES_OVERDUE.labels(self.name).set(late)

    @route("GET", "/disclosures", roles=PUBLIC, query={"q": {"type": "string", "maxLength": 100},
                                                         "limit": {"type": "integer"}, "cursor": {"type": "string"}},
           summary="公示: current public disclosures (no token); ?q= party name or USCC, ?limit=&cursor=")
    def list_disclosures(self, request):
        with self.store.engine.connect() as conn:
            return _disclosure_page(conn, request.args)

    @route("GET", "/disclosures/<disclosure_id>", roles=PUBLIC, summary="One public disclosure (no token)")
    def get_disclosure(self, request, disclosure_id):
        with self.store.engine.connect() as conn:
            row = conn.execute(select(disclosures).where(disclosures.c.disclosure_id == disclosure_id,
                                                         disclosures.c.state == "published")).first()
        if row is None:
            raise NotFound(f"no current disclosure {disclosure_id}")
        return _public_disclosure(row)

    @route("GET", "/public/penalties", roles=PUBLIC, content_type="text/html",
           query={"q": {"type": "string", "maxLength": 100}, "cursor": {"type": "string"}},
           summary="行政处罚信息公示: the public page (Chinese, for phones), search by name or USCC")
    def public_penalties(self, request):
        with self.store.engine.connect() as conn:
            page = _disclosure_page(conn, request.args)
        html = public_page.render(page["items"], query=request.args.get("q", "")[:100],
                                  next_cursor=page["next_cursor"])
        return Response(html, content_type="text/html; charset=utf-8")

    @route("GET", "/coverage", roles=READERS, summary="法制审核率: decisions seen, major, reviewed before decision, "
                                                      "bypasses, and the ratio")
    def coverage(self, request):
        with self.store.engine.connect() as conn:
            seen, major, reviewed, bypasses = conn.execute(select(
                func.count(), func.coalesce(func.sum(_as_int(decisions.c.major)), 0),
                func.coalesce(func.sum(_as_int(decisions.c.reviewed_before_decision)), 0),
                func.coalesce(func.sum(_as_int(decisions.c.bypass)), 0))).one()
            open_reviews = conn.execute(select(func.count()).select_from(reviews)
                                        .where(reviews.c.state == "open")).scalar()
            published, on_time = conn.execute(select(
                func.count(), func.coalesce(func.sum(_as_int(disclosures.c.published_on_time)), 0))).one()
        REVIEWS_OPEN.labels(self.name).set(open_reviews)
        return {"decisions_seen": seen, "major": major, "reviewed_before_decision": reviewed,
                "bypasses": bypasses, "review_ratio": (reviewed / major) if major else 1.0,
                "reviews_open": open_reviews, "disclosures_published": published,
                "disclosures_published_on_time": on_time,
                "disclosure_on_time_ratio": (on_time / published) if published else 1.0}


def _as_int(column):
    from sqlalchemy import Integer, cast
    return cast(column, Integer)


def _review_summary(row) -> dict:
    return {"review_id": row.review_id, "case_no": row.case_no, "state": row.state, "grounds": row.grounds,
            "table_version": row.table_version, "opened_at": row.opened_at.isoformat(),
            "reviewer": row.reviewer}


def _review_detail(connection, review_id: str) -> dict:
    row = connection.execute(select(reviews, proposals.c.data, proposals.c.grounds, proposals.c.evaluated,
                                    proposals.c.table_version, proposals.c.proposal_id, proposals.c.correlation_id)
                             .join(proposals, proposals.c.proposal_hash == reviews.c.proposal_hash)
                             .where(reviews.c.review_id == review_id)).first()
    if row is None:
        raise NotFound(f"no review {review_id}")
    data = row.data
    return {
        "review_id": row.review_id, "case_no": row.case_no, "state": row.state, "proposal_id": row.proposal_id,
        "proposal_hash": row.proposal_hash, "grounds": row.grounds, "rules_evaluated": row.evaluated,
        "table_version": row.table_version, "reviewer": row.reviewer, "opinion": row.opinion,
        "correlation_id": row.correlation_id,
        "proposal": {k: data.get(k) for k in ("subject", "party_kind", "penalty", "case_value_yuan", "legal_basis",
                                              "facts", "hearing_held", "complex", "public_interest",
                                              "discretion_departure", "judiciary_thresholds", "handlers",
                                              "evidence_summary")},
    }


def _public_disclosure(row) -> dict:
    return {"disclosure_id": row.disclosure_id, "decision_no": row.decision_no, **row.fields,
            "published_at": row.published_at.isoformat(), "shown_until": row.period_ends.isoformat()}


def _disclosure_page(connection, args) -> dict:
    try:
        limit = min(max(int(args.get("limit", 20)), 1), 100)
    except ValueError:
        limit = 20
    query = (select(disclosures).where(disclosures.c.state == "published")
             .order_by(disclosures.c.disclosure_id).limit(limit))
    if args.get("q"):
        needle = args["q"][:100]
        query = query.where((disclosures.c.party_name.contains(needle)) | (disclosures.c.party_uscc == needle))
    if args.get("cursor"):
        query = query.where(disclosures.c.disclosure_id > args["cursor"][:64])
    items = [_public_disclosure(row) for row in connection.execute(query)]
    return {"items": items, "next_cursor": items[-1]["disclosure_id"] if len(items) == limit else None}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite keeps no offset
