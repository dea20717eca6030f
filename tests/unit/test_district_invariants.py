"""The district run's invariant checker can fail: each check, fed a log that breaks its invariant,
names the violation (and passes the log that keeps it)."""
from __future__ import annotations

import json
from collections import defaultdict

from bench.district import invariants


def _event(type_, time, correlation="flow-1", **data):
    return {"id": f"{type_}-{time}-{json.dumps(data, sort_keys=True)}", "type": type_, "time": time,
            "received_at": 0.0, "correlationid": correlation, "data": data}


def _by_type(events):
    grouped = defaultdict(list)
    for event in events:
        grouped[event["type"]].append(event)
    return grouped


DECIDED = dict(case_no="JD-1", decision_no="D-1", proposal_hash="h1", procedure="ordinary",
               subject={"uscc": "91440300708461136T", "name": "某公司"}, penalty={"kinds": ["fine"]})


def test_a_major_decision_without_an_approval_of_its_exact_hash_is_named():
    opened = _event("review.opened", "2026-12-01T01:00:00Z", proposal_hash="h1")
    decided = _event("penalty.decided", "2026-12-01T02:00:00Z", **DECIDED)
    assert invariants._review_gate(_by_type([opened, decided])) == [
        "D-1 (JD-1): no approval of proposal h1"]
    other_hash = _event("review.approved", "2026-12-01T01:30:00Z", proposal_hash="h2")
    assert invariants._review_gate(_by_type([opened, other_hash, decided]))
    late = _event("review.approved", "2026-12-01T03:00:00Z", proposal_hash="h1")
    assert "after the decision" in invariants._review_gate(_by_type([opened, late, decided]))[0]
    approved = _event("review.approved", "2026-12-01T01:30:00Z", proposal_hash="h1")
    assert invariants._review_gate(_by_type([opened, approved, decided])) == []
    cleared_only = _event("review.cleared", "2026-12-01T01:30:00Z", proposal_hash="h1")
    assert invariants._review_gate(_by_type([opened, cleared_only, decided]))  # a major one needs approval


def test_two_distinct_events_announcing_one_fact_are_a_duplicate_effect():
    first = _event("penalty.decided", "2026-12-01T02:00:00Z", **DECIDED)
    again = {**_event("penalty.decided", "2026-12-01T02:00:01Z", **DECIDED), "id": "another-id"}
    assert invariants._one_fact_one_event(_by_type([first])) == []
    assert invariants._one_fact_one_event(_by_type([first, again])) == [
        "penalty.decided ('D-1',) announced by 2 distinct events"]


def test_a_flow_with_two_correlation_ids_is_named():
    flows = [{"case_no": "JD-1", "correlation": "flow-1"}]
    same = [_event("case.opened", "t1", case_no="JD-1"), _event("case.closed", "t2", case_no="JD-1")]
    assert invariants._one_correlation(flows, same) == []
    split = same + [_event("penalty.paid", "t3", correlation="flow-2", case_no="JD-1")]
    assert invariants._one_correlation(flows, split)


def test_disclosures_once_on_time_and_without_personal_data():
    decided = _event("penalty.decided", "t", **DECIDED)
    fields = {"party": {"name": "某公司"}, "decision_text": "当事人销售过期食品"}
    good = _event("disclosure.published", "t", decision_no="D-1", published_at="2026-12-01T03:00:00Z",
                  due_by="2026-12-29", fields=fields)
    flows = [{"subject": {"phone": "13812345678"}}]
    assert invariants._disclosures(_by_type([decided, good]), flows) == []
    assert invariants._disclosures(_by_type([decided]), flows) == ["D-1: 0 disclosures"]
    late = {**good, "data": {**good["data"], "published_at": "2027-01-05T00:00:00Z"}}
    assert "after 2026-12-29" in invariants._disclosures(_by_type([decided, late]), flows)[0]
    leaky = {**good, "data": {**good["data"], "fields": {**fields, "decision_text": "电话13812345678"}}}
    assert "personal data" in invariants._disclosures(_by_type([decided, leaky]), flows)[0]


def test_a_threshold_case_that_was_never_transferred_is_named():
    proposed = _event("decision.proposed", "t", case_no="JD-9", judiciary_thresholds=[{"rule": "J-140"}])
    assert invariants._transfers(_by_type([proposed])) == ["case JD-9 met ['J-140'] and was never transferred"]
    transferred = _event("case.transferred_to_judiciary", "t2", case_no="JD-9")
    assert invariants._transfers(_by_type([proposed, transferred])) == []


def test_the_log_is_deduplicated_by_event_id(tmp_path):
    event = _event("case.opened", "t", case_no="JD-1")
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in (event, event, _event("case.closed", "t2", case_no="JD-1"))))
    events, repeats = invariants.read_log(path)
    assert len(events) == 2 and repeats == 1
