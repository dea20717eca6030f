"""What the fuzz test and the fuzz command share: the services, the checks, the credentials, and the
few real resources made through each API so that generated requests reach the domain code instead of
stopping at 404."""
from __future__ import annotations

import time
from typing import Callable

import requests

from shared.config import SERVICE_PORTS
from shared.http.auth import ROLES, mint_token

PUTIAN = "gi-putian-bamboo-shoots"  # seeded by ip_protection at start

SERVICES = tuple(SERVICE_PORTS)  # registration, enforcement, ip_protection, legal_review

# What a response must satisfy (schemathesis check names):
# - no 5xx (a declared 503 included: the database and the broker are up while fuzzing);
# - its status is one the operation declares, with the declared content type, headers and schema.
# Left out: positive_data_acceptance / negative_data_rejection (they hold the API to "the schema is the
# whole rule": a schema-valid body breaking a domain rule is a correct 422, see README.md), and the
# checks that need an unauthenticated or stateful view (ignored_auth, use_after_free, ...), which the
# integration tests' route walk (tests/support/route_walk.py) already covers for auth.
CHECK_NAMES = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
               "response_headers_conformance", "response_schema_conformance")

# The fuzzing phase's cases per operation in the suite's (derandomized) run; README.md says how to run more.
MAX_EXAMPLES = 15
SYNTHETIC_SEED = 8  # which entities of the synthetic register the seeded resources are


def credentials() -> dict[str, str]:
    """Headers for every request: a caller holding every role with a valid enforcement certificate,
    and a second officer (O-TWO) with their own; routes then answer from their domain logic."""
    caller = mint_token("FUZZ-0001", list(ROLES), name="模糊测试", ttl_seconds=6 * 3600,
                        cert_no="FUZZ-CERT-1", cert_expires="2099-12-31")
    second = mint_token("FUZZ-0002", ["officer"], name="模糊测试二", ttl_seconds=6 * 3600,
                        cert_no="FUZZ-CERT-2", cert_expires="2099-12-31")
    return {"Authorization": f"Bearer {caller}", "X-Second-Officer": f"Bearer {second}"}


# -- real resources, so that path parameters can name something that exists --------------------------

def _post(base_url: str, path: str, body: dict, headers: dict[str, str], method: str = "POST") -> dict:
    answer = requests.request(method, base_url + path, json=body, headers=headers, timeout=15)
    if answer.status_code >= 300:
        raise RuntimeError(f"seeding {method} {path}: {answer.status_code} {answer.text[:500]}")
    return answer.json()


def _seed_registration(base_url: str, headers: dict[str, str]) -> dict[str, list[str]]:
    from services.registration.domain.synthetic import synthetic_register
    sample = next(s for s in synthetic_register(seed=SYNTHETIC_SEED) if s["category"] == "enterprise")
    entity = _post(base_url, "/entities", {k: v for k, v in sample.items() if k != "uscc"}, headers)
    uscc = entity["uscc"]
    listing = _post(base_url, f"/entities/{uscc}/abnormal-listings",
                    {"ground": "unreachable", "listed_on": "2026-01-05", "detail": "通过登记的住所无法联系"}, headers)
    return {"uscc": [uscc], "listing_id": [str(listing.get("listing_id") or listing.get("id"))]}


def _seed_enforcement(base_url: str, headers: dict[str, str]) -> dict[str, list[str]]:
    subject = {"uscc": "91440300708461136T", "name": "揭东区某食品有限公司", "kind": "organisation"}
    clue = _post(base_url, "/clues", {"source": "complaint", "received_on": "2026-11-20", "subject": subject,
                                      "summary": "举报：销售超过保质期的食品"}, headers)
    second_clue = _post(base_url, "/clues", {"source": "complaint", "received_on": "2026-11-20",
                                             "subject": subject, "summary": "举报：无证经营"}, headers)
    case = _post(base_url, f"/clues/{clue['clue_id']}/filing-decision",
                 {"decision": "file", "decided_on": "2026-11-24"}, headers)
    proposal = _post(base_url, f"/cases/{case['case_no']}/proposals",
                     {"penalty": {"kinds": ["fine"], "fine_amount_yuan": 5000}, "case_value_yuan": 2000,
                      "legal_basis": ["《中华人民共和国食品安全法》第一百二十四条"],
                      "facts": "当事人销售超过保质期的食品。"}, headers)
    for staff_id in ("FUZZ-I-1", "FUZZ-I-2", "FUZZ-I-3"):
        _post(base_url, f"/inspectors/{staff_id}", {"name": "检查员", "cert_no": staff_id,
                                                    "cert_expires": "2099-12-31"}, headers, method="PUT")
    return {"clue_id": [clue["clue_id"], second_clue["clue_id"]], "case_no": [case["case_no"]],
            "proposal_id": [proposal["proposals"][-1]["proposal_id"]], "staff_id": ["FUZZ-I-1"]}


def _seed_ip_protection(base_url: str, headers: dict[str, str]) -> dict[str, list[str]]:
    from services.registration.domain.synthetic import synthetic_register
    deadline = time.monotonic() + 20
    while True:  # the service seeds 埔田竹笋 and 东寮芋 once it is up
        marks = requests.get(base_url + "/marks", headers=headers, timeout=15).json()["items"]
        if len(marks) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    mark_ids = sorted(m["mark_id"] if "mark_id" in m else m["id"] for m in marks)[:5]
    producer = next(s for s in synthetic_register(seed=SYNTHETIC_SEED) if s["category"] == "enterprise")
    _post(base_url, f"/marks/{PUTIAN}/authorized-users",
          {"uscc": producer["uscc"], "name": producer["name"], "decision": "admit", "on": "2026-11-20",
           "origin": "埔田镇", "meets_conditions": True}, headers)
    report = _post(base_url, "/infringement-reports", {
        "mark_id": PUTIAN, "mark_name_used": "埔田竹笋", "product": "竹笋", "role": "seller",
        "observed_on": "2026-11-20", "seller": {"name": "某店", "kind": "organisation"},
        "reporter": {"kind": "public"}}, headers)
    return {"mark_id": mark_ids, "report_id": [str(report.get("report_id") or report.get("id"))],
            "uscc": [producer["uscc"]]}


SEEDERS: dict[str, Callable[[str, dict[str, str]], dict[str, list[str]]]] = {
    "registration": _seed_registration,
    "enforcement": _seed_enforcement,
    "ip_protection": _seed_ip_protection,
    # legal_review's reviews and disclosures come only from events (decision.proposed, penalty.decided)
}


def seed(service: str, base_url: str, headers: dict[str, str]) -> dict[str, list[str]]:
    """Make a few real resources through the service's API; return known values by path parameter."""
    seeder = SEEDERS.get(service)
    return seeder(base_url, headers) if seeder else {}
