"""End-to-end scrape: a real Prometheus server scrapes the four services that `make up` started.

The server (Debian package `prometheus`, which .ci/run installs) runs with the scrape jobs and the
alert rules of deploy/prometheus, retargeted at the platform's free ports, a scrape interval of
one second and a data directory of its own. Through Prometheus's HTTP API the test sees up=1 for
each service, domain metrics of legal_review and enforcement, and every alert rule loaded and
evaluated without error. Each service's live /metrics also passes `promtool check metrics`.
"""
from __future__ import annotations

import subprocess
import time

import pytest
import requests
import yaml

from shared.config import SERVICE_PORTS
from tests.deploy.helpers import PROMETHEUS, alert_rules, binary
from tests.deploy.test_metrics_lint import KNOWN_PROBLEMS, promtool_check_metrics
from tests.support.processes import free_port

pytestmark = pytest.mark.e2e


def prometheus_config(platform) -> dict:
    """deploy/prometheus/prometheus.yml with the services' jobs pointed at the running platform."""
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    config["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    config["rule_files"] = [str(PROMETHEUS / "alerts.yml")]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    config["scrape_configs"] = []
    for service in SERVICE_PORTS:
        job = jobs[service]
        job["static_configs"] = [{"targets": [f"127.0.0.1:{platform.ports[service]}"]}]
        config["scrape_configs"].append(job)
    return config


@pytest.fixture
def prometheus(platform, tmp_path):
    """A Prometheus server of its own (free port, temporary data), stopped at the end."""
    server = binary("prometheus")
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump(prometheus_config(platform)), encoding="utf-8")
    log = open(tmp_path / "prometheus.log", "w")
    process = subprocess.Popen([server, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
                                f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h"],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if requests.get(url + "/-/ready", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("prometheus did not start:\n" + (tmp_path / "prometheus.log").read_text()[-3000:])
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def query(url: str, promql: str) -> list[dict]:
    answer = requests.get(url + "/api/v1/query", params={"query": promql}, timeout=5).json()
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def eventually(check, timeout: float = 20, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)


def test_prometheus_scrapes_every_service_and_sees_domain_metrics(prometheus):
    def all_up():
        up = {sample["metric"]["job"]: sample["value"][1] for sample in query(prometheus, "up")}
        assert up == {service: "1" for service in SERVICE_PORTS}, up
        return up

    eventually(all_up)

    def domain_metrics():
        # legal_review: penalty disclosures shown to the public and overdue ones (公示, P-DUE).
        shown = query(prometheus, 'amr_disclosures_due{job="legal_review"}')
        overdue = query(prometheus, 'amr_disclosures_overdue{job="legal_review"}')
        # enforcement: overdue deadlines by kind, and unanswered judiciary transfers (J-DUTY).
        deadlines = query(prometheus, 'amr_deadlines_overdue{job="enforcement"}')
        transfers = query(prometheus, 'amr_judiciary_transfers_unacknowledged{job="enforcement"}')
        assert shown and overdue and transfers
        assert {s["metric"]["kind"] for s in deadlines} >= {"D-CLUE", "D-DECIDE", "D-PAY"}
        return shown

    (shown,) = eventually(domain_metrics)
    assert shown["metric"]["service"] == "legal_review"
    assert float(shown["value"][1]) == 0      # a fresh platform has disclosed nothing yet
    for service in SERVICE_PORTS:              # the backbone's gauges, labelled with the service
        (pending,) = query(prometheus, f'amr_outbox_pending{{job="{service}"}}')
        assert pending["metric"]["service"] == service


def test_prometheus_loads_and_evaluates_every_alert_rule(prometheus):
    expected = {rule["alert"] for rule in alert_rules()}

    def evaluated():
        groups = requests.get(prometheus + "/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = {rule["name"]: rule for group in groups for rule in group["rules"]}
        assert set(rules) == expected
        assert all(rule["health"] == "ok" for rule in rules.values()), \
            {name: rule.get("lastError") for name, rule in rules.items() if rule["health"] != "ok"}
        return rules

    eventually(evaluated)
    # Every service is scraped, so ServiceDown is neither firing nor pending. (Other alerts depend
    # on what earlier tests did with the shared platform, e.g. a dead letter, so they are not
    # asserted here; alerts_test.yml covers each of them.)
    alerts = requests.get(prometheus + "/api/v1/alerts", timeout=5).json()["data"]["alerts"]
    assert [a for a in alerts if a["labels"]["alertname"] == "ServiceDown"] == []


def test_each_services_live_metrics_pass_promtools_naming_lint(platform):
    binary("promtool")
    for service in SERVICE_PORTS:
        exposition = requests.get(platform.url(service) + "/metrics", timeout=5).text
        assert "amr_" in exposition
        problems = promtool_check_metrics(exposition) - KNOWN_PROBLEMS
        assert not problems, (service, sorted(problems))
