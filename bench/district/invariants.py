"""The invariant checker: reads only the platform's public API and the plain-pika subscriber's log.

Each check returns the violations it found (empty: the invariant holds):
- every case ends in a legal final state (closed, or a clue not filed);
- every major decision was approved for its exact proposal hash before the decision event, and every
  ordinary decision was cleared or approved for its hash before it (CONTRACT §4); no bypass;
- every in-scope penalty has exactly one disclosure, published by its due date, with no personal data;
- every case that met a judiciary threshold was transferred (J-DUTY);
- every case's record verifies (A-RECORD);
- each event was seen, valid, and had one effect (distinct ids never announce the same fact twice);
  each flow has one correlation id;
- the coverage endpoint and the metrics agree with the log.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from bench.district.client import Api, Staff
from shared.events.catalog import SchemaViolation
from shared.store import CATALOG

PHONE = re.compile(r"1[3-9]\d{9}")
RESIDENT_ID = re.compile(r"\d{17}[\dX]")
# One fact, one event: the key that identifies the fact each event type announces.
FACT_KEYS = {"clue.received": ("clue_id",), "case.opened": ("case_no",), "case.not_opened": ("clue_id",),
             "penalty.decided": ("decision_no",), "penalty.paid": ("decision_no",), "case.closed": ("case_no",),
             "case.transferred_to_judiciary": ("case_no",), "disclosure.published": ("decision_no",),
             "review.opened": ("proposal_hash",), "review.cleared": ("proposal_hash",),
             "review.approved": ("proposal_hash",), "review.returned": ("proposal_hash",),
             "entity.registered": ("uscc",), "infringement.reported": ("report_id",),
             "inspection.drawn": ("draw_id",), "inspection.result_recorded": ("draw_id", "uscc")}


@dataclass
class Report:
    checks: dict[str, list[str]] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.checks.values())

    def add(self, name: str, violations: Iterable[str]) -> None:
        self.checks[name] = list(violations)

    def render(self) -> str:
        lines = []
        for name, violations in self.checks.items():
            lines.append(f"  {'PASS' if not violations else 'FAIL'}  {name}" +
                         (f" ({len(violations)} violations)" if violations else ""))
            lines.extend(f"          - {v}" for v in violations[:8])
        return "\n".join(lines)


def read_log(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The events, deduplicated by id (a redelivery is the same event), and how many lines repeated one."""
    seen: dict[str, dict[str, Any]] = {}
    repeats = 0
    for line in path.read_text("utf-8").splitlines():
        event = json.loads(line)
        if event["id"] in seen:
            repeats += 1
            continue
        seen[event["id"]] = event
    return sorted(seen.values(), key=lambda e: (e["time"], e["received_at"])), repeats


def check(flows: list[dict[str, Any]], log_path: Path, api: Api, staff: Staff, *, whole_platform: bool = True,
          restarted: bool = False, baseline: Counter | None = None) -> Report:
    """``whole_platform``: the log holds every event of the platform's life (a fresh run), so the
    coverage endpoint's totals must equal the log's; off for a demo on a long-running platform."""
    report = Report()
    events, repeats = read_log(log_path)
    by_type: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        by_type[event["type"]].append(event)
    report.figures.update(events=len(events), redelivered=repeats, flows=len(flows),
                          errors=sum(1 for f in flows if f.get("error")))

    report.add("the scenario completed every flow without an unexpected answer",
               [f"{f['kind']} {f.get('case_no') or f.get('clue_id')}: {f['error'][:200]}" for f in flows if f.get("error")])
    report.add("every case ends in a legal final state", _final_states(flows, api, staff))
    report.add("every event is valid against its schema", _valid(events))
    report.add("one fact, one event (no duplicate effect)", _one_fact_one_event(by_type))
    report.add("each flow has one correlation id", _one_correlation(flows, events))
    report.add("every decision was cleared or approved for its exact proposal hash before it; majors approved",
               _review_gate(by_type))
    report.add("no review bypass", [f"bypass on {e['data'].get('case_no')}" for e in by_type["review.bypass_detected"]])
    report.add("every in-scope penalty disclosed once, on time, without personal data",
               _disclosures(by_type, flows))
    report.add("every case that met a judiciary threshold was transferred (J-DUTY)", _transfers(by_type))
    report.add("every case's full-process record verifies (A-RECORD)", _records(flows, api, staff))
    if whole_platform:
        report.add("the coverage endpoint agrees with the log", _coverage(by_type, api, staff, report))
    if baseline is not None and not restarted:  # a killed process takes its counters with it
        report.add("each service's published-events counters agree with the log", _metrics(events, api, baseline))
    report.add("the credit records agree with the log (R-CREDIT)", _credit(by_type, flows, api))
    return report


def _final_states(flows, api, staff) -> list[str]:
    bad = []
    for flow in flows:
        if flow["final"] == "not_filed":
            clue = api.get("enforcement", f"/clues/{flow['clue_id']}", staff.supervisor)
            if clue["state"] != "not_filed":
                bad.append(f"clue {flow['clue_id']} is {clue['state']}")
            continue
        if not flow.get("case_no"):
            bad.append(f"{flow['kind']} flow {flow['correlation']} never became a case")
            continue
        case = api.get("enforcement", f"/cases/{flow['case_no']}", staff.supervisor)
        if case["state"] != "closed":
            bad.append(f"case {flow['case_no']} ({flow['kind']}) is {case['state']}")
    return bad


def _valid(events) -> list[str]:
    bad = []
    for event in events:
        body = {k: v for k, v in event.items() if k != "received_at"}
        try:
            CATALOG.parse(body)
        except (SchemaViolation, ValueError) as exc:
            bad.append(f"{event['type']} {event['id']}: {exc}")
    return bad


def _one_fact_one_event(by_type) -> list[str]:
    bad = []
    for event_type, keys in FACT_KEYS.items():
        counted = Counter(tuple(e["data"].get(k) for k in keys) for e in by_type[event_type])
        bad += [f"{event_type} {key} announced by {n} distinct events" for key, n in counted.items() if n > 1]
    return bad


def _one_correlation(flows, events) -> list[str]:
    bad = []
    by_case: dict[str, set[str]] = defaultdict(set)
    for event in events:
        case_no = event["data"].get("case_no") if isinstance(event.get("data"), dict) else None
        if case_no:
            by_case[case_no].add(event["correlationid"])
    for flow in flows:
        case_no = flow.get("case_no")
        if not case_no or case_no not in by_case:
            continue
        ids = by_case[case_no]
        if ids != {flow["correlation"]}:
            bad.append(f"case {case_no}: correlation ids {sorted(ids)} (flow {flow['correlation']})")
    return bad


def _review_gate(by_type) -> list[str]:
    bad = []
    cleared = {e["data"]["proposal_hash"]: e for e in by_type["review.cleared"]}
    approved = {e["data"]["proposal_hash"]: e for e in by_type["review.approved"]}
    opened = {e["data"]["proposal_hash"] for e in by_type["review.opened"]}
    for decided in by_type["penalty.decided"]:
        data = decided["data"]
        if data.get("procedure") == "simplified":
            continue
        digest = data["proposal_hash"]
        answer = approved.get(digest) if digest in opened else (cleared.get(digest) or approved.get(digest))
        if answer is None:
            bad.append(f"{data['decision_no']} ({data['case_no']}): no {'approval' if digest in opened else 'clearance'} "
                       f"of proposal {digest[:12]}")
        elif answer["time"] > decided["time"]:
            bad.append(f"{data['decision_no']}: clearance at {answer['time']} after the decision at {decided['time']}")
    return bad


def _disclosures(by_type, flows) -> list[str]:
    bad = []
    published = defaultdict(list)
    for event in by_type["disclosure.published"]:
        published[event["data"]["decision_no"]].append(event)
    personal = {f["subject"].get(k) for f in flows for k in ("id_number", "phone", "address") if f["subject"].get(k)}
    for decided in by_type["penalty.decided"]:
        data = decided["data"]
        in_scope = data.get("procedure") != "simplified" and data["penalty"].get("kinds") != ["warning"]
        count = len(published.get(data["decision_no"], []))
        if in_scope and count != 1:
            bad.append(f"{data['decision_no']}: {count} disclosures")
        if not in_scope and count:
            bad.append(f"{data['decision_no']} (out of scope) was disclosed")
    for events in published.values():
        for event in events:
            data = event["data"]
            if data["published_at"][:10] > data["due_by"]:
                bad.append(f"{data['decision_no']} published {data['published_at']} after {data['due_by']}")
            text = json.dumps(data["fields"], ensure_ascii=False)
            leaked = [p for p in personal if p in text] + PHONE.findall(text) + [
                m for m in RESIDENT_ID.findall(text) if not m.startswith("9")]
            if leaked:
                bad.append(f"{data['decision_no']} discloses personal data: {leaked[:3]}")
    return bad


def _transfers(by_type) -> list[str]:
    transferred = {e["data"]["case_no"] for e in by_type["case.transferred_to_judiciary"]}
    return [f"case {e['data']['case_no']} met {[t['rule'] for t in e['data']['judiciary_thresholds']]} "
            "and was never transferred" for e in by_type["decision.proposed"]
            if e["data"].get("judiciary_thresholds") and e["data"]["case_no"] not in transferred]


def _records(flows, api, staff) -> list[str]:
    bad = []
    for flow in flows:
        if not flow.get("case_no"):
            continue
        verification = api.get("enforcement", f"/cases/{flow['case_no']}/record/verification", staff.supervisor)
        if not verification["valid"]:
            bad.append(f"case {flow['case_no']}: record broken at {verification.get('first_broken')}")
    return bad


def _coverage(by_type, api, staff, report: Report) -> list[str]:
    coverage = api.get("legal_review", "/coverage", staff.operator)
    report.figures["coverage"] = coverage
    decided = by_type["penalty.decided"]
    opened = {e["data"]["proposal_hash"] for e in by_type["review.opened"]}
    expected = {"decisions_seen": len(decided),
                "major": sum(1 for e in decided if e["data"]["proposal_hash"] in opened),
                "bypasses": len(by_type["review.bypass_detected"]),
                "disclosures_published": len(by_type["disclosure.published"])}
    bad = []
    for name, value in expected.items():
        got = coverage.get(name)
        if got is None:
            bad.append(f"/coverage has no {name}")
        elif got != value:
            bad.append(f"/coverage {name} = {got}, the log says {value}")
    return bad


def published_counters(api) -> Counter:
    """``amr_events_published_total`` (confirmed by the broker) by (service, type), read now."""
    counted: Counter = Counter()
    for service in api.urls:
        for line in api.get(service, "/metrics", None).splitlines():
            if line.startswith("amr_events_published_total{"):
                labels = dict(part.split("=", 1) for part in line[line.index("{") + 1:line.index("}")].split(","))
                counted[(service, labels["type"].strip('"'))] += int(float(line.rsplit(" ", 1)[1]))
    return counted


def _metrics(events, api, baseline: Counter) -> list[str]:
    """What each service counted as published since the subscriber was bound, against the log."""
    logged: Counter = Counter((e["source"].rsplit("/", 1)[-1], e["type"]) for e in events)
    counted = published_counters(api)
    counted.subtract(baseline)
    return [f"{service} {type_}: counter {counted[(service, type_)]}, log {logged[(service, type_)]}"
            for service, type_ in sorted(set(logged) | set(counted)) if counted[(service, type_)] != logged[(service, type_)]]


def _credit(by_type, flows, api) -> list[str]:
    """Each organisation's penalties in the log are on its public credit record."""
    expected: dict[str, set[str]] = defaultdict(set)
    for event in by_type["penalty.decided"]:
        uscc = event["data"]["subject"].get("uscc")
        if uscc:
            expected[uscc].add(event["data"]["decision_no"])
    bad = []
    for uscc, decisions in sorted(expected.items())[:200]:
        record = api.get("registration", f"/entities/{uscc}/credit", None)
        on_record = {e["reference"] for e in record["entries"] if e["kind"] == "penalty"}
        if on_record != decisions:
            bad.append(f"{uscc}: credit record {sorted(on_record)} vs log {sorted(decisions)}")
    return bad

