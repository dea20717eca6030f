"""Prometheus configuration and alert rules: promtool checks them, and unit-tests every alert.

`promtool check config` / `check rules` validate deploy/prometheus; `promtool test rules` runs
alerts_test.yml, where every alert has at least one case in which it fires and one in which it
stays silent (checked below, so a new alert cannot ship untested). The rules may only use metrics
the services really export, and each links to its runbook section.
"""
from __future__ import annotations

import re
from collections import defaultdict

import pytest
import yaml

from tests.deploy.helpers import PROMETHEUS, ROOT, alert_rules, binary, metric_names_in_code, run

TESTS = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text(encoding="utf-8"))

# What issue 7 asks operators to be woken for -> the alert that does it.
REQUIRED = {
    "a review bypass": "ReviewBypassDetected",
    "a disclosure overdue": "DisclosureOverdue",
    "a deadline overdue beyond a threshold": "DeadlinesOverdueBeyondThreshold",
    "the dead-letter queue growing": "DeadLettersIncreasing",
    "outbox pending older than N seconds": "OutboxBacklog",
    "a service down": "ServiceDown",
    "unacknowledged judiciary transfers older than 3 days (J-DUTY)": "JudiciaryTransferUnacknowledged",
}


def test_promtool_check_config_accepts_the_compose_prometheus_configuration():
    answer = run(binary("promtool"), "check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_promtool_check_rules_accepts_the_alert_rules():
    answer = run(binary("promtool"), "check", "rules", str(PROMETHEUS / "alerts.yml"))
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in answer.stdout


def test_promtool_unit_tests_of_every_alert_pass():
    answer = run(binary("promtool"), "test", "rules", "alerts_test.yml", cwd=PROMETHEUS)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "SUCCESS" in answer.stdout


def test_promtool_test_rules_is_not_a_no_op(tmp_path):
    """A wrong expectation makes `promtool test rules` fail: the unit tests really compare."""
    broken = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text(encoding="utf-8"))
    broken["rule_files"] = [str(PROMETHEUS / "alerts.yml")]
    case = next(t for t in broken["tests"] if any(c["exp_alerts"] for c in t["alert_rule_test"]))
    firing = next(c for c in case["alert_rule_test"] if c["exp_alerts"])
    firing["exp_alerts"] = []
    (tmp_path / "broken_test.yml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    answer = run(binary("promtool"), "test", "rules", "broken_test.yml", cwd=tmp_path)
    assert answer.returncode != 0


def test_every_alert_has_a_firing_and_a_silent_case():
    cases: dict[str, dict[str, int]] = defaultdict(lambda: {"fires": 0, "silent": 0})
    for test in TESTS["tests"]:
        for check in test.get("alert_rule_test", []):
            cases[check["alertname"]]["fires" if check["exp_alerts"] else "silent"] += 1
    names = {rule["alert"] for rule in alert_rules()}
    assert set(cases) <= names, f"tests for unknown alerts: {set(cases) - names}"
    untested = {name: dict(cases[name]) for name in names if not (cases[name]["fires"] and cases[name]["silent"])}
    assert not untested, f"alerts without both a firing and a silent case: {untested}"


def test_the_alerts_the_issue_asks_for_exist():
    names = {rule["alert"] for rule in alert_rules()}
    missing = {need: alert for need, alert in REQUIRED.items() if alert not in names}
    assert not missing
    j_duty = next(rule for rule in alert_rules() if rule["alert"] == "JudiciaryTransferUnacknowledged")
    assert "amr_judiciary_transfers_overdue" in j_duty["expr"]  # counted by enforcement: unanswered > 3 days
    outbox = next(rule for rule in alert_rules() if rule["alert"] == "OutboxBacklog")
    assert re.search(r"amr_outbox_oldest_pending_age_seconds > \d+", outbox["expr"])


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_each_alert_has_severity_text_and_a_runbook_section(rule):
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    url = rule["annotations"]["runbook_url"]
    assert url == f"docs/runbooks.md#{rule['alert'].lower()}"
    headings = re.findall(r"^## (\S+)\s*$", (ROOT / "docs" / "runbooks.md").read_text(encoding="utf-8"), re.M)
    assert rule["alert"] in headings, f"docs/runbooks.md has no section ## {rule['alert']}"


def test_alerts_use_only_metrics_the_services_export():
    exported = metric_names_in_code()
    for rule in alert_rules():
        used = set(re.findall(r"\b(amr_[a-z0-9_]+)", rule["expr"]))
        unknown = used - exported
        assert not unknown, f"{rule['alert']} uses {unknown}, which no service exports"
