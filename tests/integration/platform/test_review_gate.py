"""enforcement and legal_review together, through the real broker (CONTRACT §4): 100% review of major
decisions, with no way around it."""
from __future__ import annotations

import json
import time
import uuid

import pika
import pytest
import requests

from shared.events.envelope import Event, source_of
from shared.store import CATALOG
from tests.integration.enforcement.conftest import OFFICER, Bus, Enforcement
from tests.support.amqp import purge_queues
from tests.support.tokens import bearer

pytestmark = pytest.mark.integration

REVIEWER = bearer(["reviewer"], sub="R-0100")
CONSUMER_QUEUES = ("enforcement.on_review", "legal_review.on_decision_proposed", "legal_review.on_penalty_decided")


@pytest.fixture
def platform(database_factory, processes, test_vhost_uri):
    purge_queues(test_vhost_uri, *CONSUMER_QUEUES)
    review_db = database_factory("legal_review")
    review = processes("legal_review", {"DATABASE_URL": review_db, "AMQP_URI": test_vhost_uri,
                                        "DISCLOSURE_SCAN_SECONDS": "0.5"})
    review.database_url = review_db
    enforcement = Enforcement(processes("enforcement", {"DATABASE_URL": database_factory("enforcement"),
                                                        "AMQP_URI": test_vhost_uri}))
    bus = Bus(test_vhost_uri)
    enforcement.review_database_url = review_db
    yield enforcement, review.url, bus
    bus.close()


def _open_review(review_url: str, case_no: str, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = requests.get(review_url + "/reviews?state=open", headers=REVIEWER, timeout=5).json()["items"]
        mine = [r for r in items if r["case_no"] == case_no]
        if mine:
            return requests.get(f"{review_url}/reviews/{mine[0]['review_id']}", headers=REVIEWER, timeout=5).json()
        time.sleep(0.1)
    raise AssertionError(f"no open review for {case_no}")


def test_a_major_case_cannot_be_decided_before_approval_and_can_after(platform):
    enforcement, review_url, bus = platform
    case_no = enforcement.open_case()
    enforcement.post(f"/cases/{case_no}/evidence", {"kind": "documentary", "description": "销售记录",
                                                    "content": "销售台账", "collected_on": "2026-11-24"},
                     headers=OFFICER, second=True)
    enforcement.propose(case_no, fine=150_000)  # M-FINE for an organisation
    review = _open_review(review_url, case_no)
    assert review["grounds"] == ["M-FINE"] and review["table_version"]
    assert review["proposal"]["evidence_summary"][0]["description"] == "销售记录"
    enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": "2026-11-30"},
                     second=True, expect=409)

    handler = bearer(["reviewer"], sub="S-0001")  # also handles the case
    refused = requests.post(f"{review_url}/reviews/{review['review_id']}/opinions",
                            json={"outcome": "approve", "opinion": "同意"}, headers=handler, timeout=5)
    assert refused.status_code == 403 and "O-SEPARATE" in refused.json()["detail"]
    approved = requests.post(f"{review_url}/reviews/{review['review_id']}/opinions",
                             json={"outcome": "approve", "opinion": "事实清楚，证据确凿，同意"}, headers=REVIEWER, timeout=5)
    assert approved.status_code == 201, approved.text
    enforcement.wait_state(case_no, "cleared")
    enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": "2026-11-25"}, headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/statements", {"received_on": "2026-11-26", "waived": True}, headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": "2026-11-30"}, second=True)
    bus.wait_for("penalty.decided", case_no=case_no)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        coverage = requests.get(review_url + "/coverage", headers=REVIEWER, timeout=5).json()
        if coverage["decisions_seen"] == 1:
            break
        time.sleep(0.1)
    assert coverage == {**coverage, "decisions_seen": 1, "major": 1, "reviewed_before_decision": 1, "bypasses": 0,
                        "review_ratio": 1.0}


def test_a_proposal_below_every_threshold_is_cleared_automatically(platform):
    enforcement, review_url, bus = platform
    case_no = enforcement.open_case()
    enforcement.propose(case_no, fine=99_999.99)
    case = enforcement.wait_state(case_no, "cleared")
    assert case["proposals"][0]["clearance"] == "cleared" and case["proposals"][0]["major"] is False


def test_a_decision_forced_past_the_gate_is_detected_as_a_bypass_within_seconds(platform):
    enforcement, review_url, bus = platform
    forged_hash = uuid.uuid4().hex * 2
    data = {"case_no": "JD-2026-999999", "decision_no": "揭东市监处罚〔2026〕9999号", "procedure": "ordinary",
            "proposal_id": "P-forged", "proposal_hash": forged_hash,
            "subject": {"uscc": "91440300708461136T", "name": "某公司", "kind": "organisation"},
            "penalty": {"kinds": ["fine"], "fine_amount_yuan": 500_000}, "legal_basis": ["x"], "facts": "强行决定",
            "decided_at": "2026-11-25T00:00:00Z"}
    forced = Event(type="penalty.decided", source=source_of("enforcement"), subject=data["case_no"], data=data,
                   dataschema=CATALOG.schema_uri("penalty.decided"))
    started = time.monotonic()
    bus.channel.basic_publish("enforcement.events", "penalty.decided", forced.to_json(),
                              pika.BasicProperties(delivery_mode=2))
    while time.monotonic() - started < 10:
        coverage = requests.get(review_url + "/coverage", headers=REVIEWER, timeout=5).json()
        if coverage["bypasses"]:
            break
        time.sleep(0.1)
    assert coverage["bypasses"] == 1 and coverage["major"] == 1 and coverage["review_ratio"] == 0.0
    assert time.monotonic() - started < 10
    metrics = requests.get(review_url + "/metrics", timeout=5).text
    assert 'amr_review_bypasses_total{service="legal_review"} 1.0' in metrics


def _decide(enforcement, bus, review_url, case_no, fine):
    enforcement.propose(case_no, fine=fine, facts=FACTS_WITH_PERSONAL_DATA)
    if fine >= 10_000:
        review = _open_review(review_url, case_no)
        requests.post(f"{review_url}/reviews/{review['review_id']}/opinions",
                      json={"outcome": "approve", "opinion": "同意"}, headers=REVIEWER, timeout=5)
    enforcement.wait_state(case_no, "cleared")
    enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": "2026-11-25"}, headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/statements", {"received_on": "2026-11-25", "waived": True}, headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": "2026-11-25"}, second=True)
    return bus.wait_for("penalty.decided", case_no=case_no)


FACTS_WITH_PERSONAL_DATA = ("当事人陈某（公民身份号码440582199001011234，联系电话13812345678，住址揭东区玉湖镇新丰村三巷8号）"
                            "于2026年10月在其经营场所销售超过保质期的食品，货值金额人民币3000元。")


def _disclosure_of(review_url, decision_no, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = requests.get(review_url + "/disclosures", timeout=5)  # no token: public
        assert page.status_code == 200
        for item in page.json()["items"]:
            if item["decision_no"] == decision_no:
                return item
        time.sleep(0.1)
    raise AssertionError(f"no disclosure of {decision_no}")


def test_a_natural_persons_id_number_phone_and_address_appear_nowhere_public(platform):
    enforcement, review_url, bus = platform
    person = {"name": "陈某", "kind": "natural_person", "id_number": "440582199001011234", "phone": "13812345678",
              "address": "揭东区玉湖镇新丰村三巷8号"}
    case_no = enforcement.open_case(subject=person)
    decided = _decide(enforcement, bus, review_url, case_no, fine=5_000)
    public = _disclosure_of(review_url, decided["data"]["decision_no"])
    published = json.dumps(public, ensure_ascii=False) + json.dumps(bus.events(), ensure_ascii=False)
    for secret in ("440582199001011234", "13812345678", "揭东区玉湖镇新丰村三巷8号"):
        assert secret not in published
    assert public["party"]["name"] == "陈某" and "3000元" in public["decision_text"]
    single = requests.get(f"{review_url}/disclosures/{public['disclosure_id']}", timeout=5)
    assert single.status_code == 200 and "440582199001011234" not in single.text


def test_an_organisations_name_and_uscc_are_disclosed_and_searchable(platform):
    enforcement, review_url, bus = platform
    case_no = enforcement.open_case()
    decided = _decide(enforcement, bus, review_url, case_no, fine=150_000)
    public = _disclosure_of(review_url, decided["data"]["decision_no"])
    assert public["party"] == {"kind": "organisation", "name": "揭东区某食品有限公司", "uscc": "91440300708461136T"}
    found = requests.get(review_url + "/disclosures", params={"q": "91440300708461136T"}, timeout=5).json()["items"]
    assert [d["decision_no"] for d in found] == [decided["data"]["decision_no"]]
    assert requests.get(review_url + "/disclosures", params={"q": "不存在的公司"}, timeout=5).json()["items"] == []
    coverage = requests.get(review_url + "/coverage", headers=REVIEWER, timeout=5).json()
    assert coverage["disclosures_published"] == 1 and coverage["disclosures_published_on_time"] == 1


def test_the_public_page_shows_the_disclosed_penalties_in_headless_chromium(platform, tmp_path):
    """The page a citizen opens on a phone: rendered by a real browser, screenshot kept in test-output."""
    import shutil
    import subprocess

    from tests.conftest import OUTPUT
    enforcement, review_url, bus = platform
    case_no = enforcement.open_case()
    decided = _decide(enforcement, bus, review_url, case_no, fine=150_000)
    decision_no = decided["data"]["decision_no"]
    _disclosure_of(review_url, decision_no)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Debian's chromium is needed (.ci/run installs it)"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=390,844"]
    url = review_url + "/public/penalties?q=" + "揭东区某食品"
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=90).stdout
    assert decision_no in dom and "揭东区某食品有限公司" in dom and "罚款" in dom
    assert "440582199001011234" not in dom
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "public-penalties.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", url], capture_output=True, timeout=90)
    assert shot.exists() and shot.stat().st_size > 5_000


def test_p_withdraw_a_revoked_decision_disappears_from_the_public_disclosures(platform):
    enforcement, review_url, bus = platform
    case_no = enforcement.open_case()
    decided = _decide(enforcement, bus, review_url, case_no, fine=150_000)
    public = _disclosure_of(review_url, decided["data"]["decision_no"])
    enforcement.post(f"/cases/{case_no}/decision-revocations", {"kind": "revoked", "changed_on": "2026-11-26",
                                                                 "reason": "行政复议决定撤销"})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if requests.get(f"{review_url}/disclosures/{public['disclosure_id']}", timeout=5).status_code == 404:
            break
        time.sleep(0.1)
    assert requests.get(f"{review_url}/disclosures/{public['disclosure_id']}", timeout=5).status_code == 404
    listed = requests.get(review_url + "/disclosures", timeout=5).json()["items"]
    assert public["disclosure_id"] not in [d["disclosure_id"] for d in listed]


def test_p_due_a_decision_that_reaches_legal_review_too_late_is_counted_as_published_late(platform):
    """A deliberately delayed consumer: the decision is 60 days old when it is disclosed (> 20 WD)."""
    enforcement, review_url, bus = platform
    data = {"case_no": "JD-2026-000777", "decision_no": "揭东市监处罚〔2026〕777号", "procedure": "ordinary",
            "proposal_id": "P-late", "proposal_hash": "c" * 64,
            "subject": {"uscc": "91440300708461136T", "name": "某公司", "kind": "organisation"},
            "penalty": {"kinds": ["fine"], "fine_amount_yuan": 5_000}, "legal_basis": ["x"], "facts": "迟到的决定",
            "decided_at": "2026-09-25T00:00:00Z"}
    late = Event(type="penalty.decided", source=source_of("enforcement"), subject=data["case_no"], data=data,
                 dataschema=CATALOG.schema_uri("penalty.decided"))
    bus.channel.basic_publish("enforcement.events", "penalty.decided", late.to_json(),
                              pika.BasicProperties(delivery_mode=2))
    _disclosure_of(review_url, data["decision_no"])
    coverage = requests.get(review_url + "/coverage", headers=REVIEWER, timeout=5).json()
    assert coverage["disclosures_published"] == 1 and coverage["disclosures_published_on_time"] == 0
    time.sleep(1.0)  # the disclosure timer (every 0.5 s here) refreshes the gauges
    metrics = requests.get(review_url + "/metrics", timeout=5).text
    assert 'amr_disclosures_published_late_total{service="legal_review"} 1.0' in metrics
    assert 'amr_disclosures_overdue{service="legal_review"} 0.0' in metrics  # decided 60 days ago: outside 30

    from datetime import timedelta

    from shared.calendar import WorkingDayCalendar
    calendar = WorkingDayCalendar()
    recent = calendar.today() - timedelta(days=29)
    assert calendar.add_working_days(recent, 20) < calendar.today()  # already past P-DUE
    recent_data = {**data, "decision_no": "揭东市监处罚〔2026〕778号", "case_no": "JD-2026-000778",
                   "proposal_hash": "d" * 64, "decided_at": f"{recent.isoformat()}T00:00:00Z"}
    recent_event = Event(type="penalty.decided", source=source_of("enforcement"), subject=recent_data["case_no"],
                         data=recent_data, dataschema=CATALOG.schema_uri("penalty.decided"))
    bus.channel.basic_publish("enforcement.events", "penalty.decided", recent_event.to_json(),
                              pika.BasicProperties(delivery_mode=2))
    _disclosure_of(review_url, recent_data["decision_no"])
    time.sleep(1.0)
    metrics = requests.get(review_url + "/metrics", timeout=5).text
    assert 'amr_disclosures_overdue{service="legal_review"} 1.0' in metrics


def test_p_period_a_disclosure_is_shown_through_its_last_day_and_taken_down_the_day_after(platform):
    from datetime import date, timedelta

    from sqlalchemy import create_engine, update

    from services.legal_review.tables import disclosures
    from shared.calendar import WorkingDayCalendar
    enforcement, review_url, bus = platform
    # a low fine (≤ 3,000 yuan) is shown for 3 months (P-PERIOD)
    shown, expired = (_disclosure_of(review_url, _decide(enforcement, bus, review_url, enforcement.open_case(),
                                                         fine=2_000)["data"]["decision_no"]) for _ in range(2))
    today = WorkingDayCalendar().today()
    three_months = date.fromisoformat(shown["shown_until"])
    assert 88 <= (three_months - today).days <= 92  # published today: shown through the day before +3 months
    engine = create_engine(enforcement.review_database_url)
    with engine.begin() as conn:  # as if published months ago: one ends today, the other ended yesterday
        conn.execute(update(disclosures).where(disclosures.c.disclosure_id == shown["disclosure_id"])
                     .values(period_ends=today))
        conn.execute(update(disclosures).where(disclosures.c.disclosure_id == expired["disclosure_id"])
                     .values(period_ends=today - timedelta(days=1)))
    engine.dispose()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if requests.get(f"{review_url}/disclosures/{expired['disclosure_id']}", timeout=5).status_code == 404:
            break
        time.sleep(0.2)
    assert requests.get(f"{review_url}/disclosures/{expired['disclosure_id']}", timeout=5).status_code == 404
    time.sleep(1.0)  # two more scans
    assert requests.get(f"{review_url}/disclosures/{shown['disclosure_id']}", timeout=5).status_code == 200


def test_trade_secrets_are_never_published_and_p_repair_stops_a_disclosure_only_when_it_qualifies(platform):
    enforcement, review_url, bus = platform
    case_no = enforcement.open_case()
    enforcement.propose(case_no, fine=5_000, facts="当事人擅自改变配方（配方：糖37%、盐5%）生产食品。",
                        trade_secrets=["糖37%、盐5%"])
    enforcement.wait_state(case_no, "cleared")
    enforcement.post(f"/cases/{case_no}/pre-notice", {"served_on": "2026-11-25"}, headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/statements", {"received_on": "2026-11-25", "waived": True}, headers=OFFICER)
    enforcement.post(f"/cases/{case_no}/decisions", {"outcome": "penalty", "decided_on": "2026-11-25"}, second=True)
    decided = bus.wait_for("penalty.decided", case_no=case_no)
    public = _disclosure_of(review_url, decided["data"]["decision_no"])
    everything = json.dumps(public, ensure_ascii=False) + json.dumps(bus.events(), ensure_ascii=False)
    assert "糖37%" not in everything and "擅自改变配方" in public["decision_text"]

    operator = bearer(["operator"], sub="OP-1")
    application = {"performed": True, "harm_removed": True, "repeat_penalty": False, "on_list": False,
                   "reason": "已履行处罚决定并消除影响"}
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import create_engine, update

    from services.legal_review.tables import disclosures
    from shared.calendar import WorkingDayCalendar
    today = WorkingDayCalendar().today().isoformat()
    url = f"{review_url}/disclosures/{public['disclosure_id']}/repair-applications"
    too_early = requests.post(url, json={**application, "applied_on": today}, headers=operator, timeout=5)
    assert too_early.status_code == 422 and "P-REPAIR" in too_early.json()["detail"]
    engine = create_engine(enforcement.review_database_url)
    with engine.begin() as conn:  # as if published seven months ago
        conn.execute(update(disclosures).where(disclosures.c.disclosure_id == public["disclosure_id"])
                     .values(published_at=datetime.now(timezone.utc) - timedelta(days=213)))
    engine.dispose()
    granted = requests.post(url, json={**application, "applied_on": today}, headers=operator, timeout=5)
    assert granted.status_code == 201, granted.text
    assert requests.get(f"{review_url}/disclosures/{public['disclosure_id']}", timeout=5).status_code == 404
