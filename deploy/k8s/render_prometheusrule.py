"""Write prometheusrule.yaml: the PrometheusRule made from deploy/prometheus/alerts.yml.

    python deploy/k8s/render_prometheusrule.py

One source of truth for the alert rules: docker compose loads alerts.yml itself, Kubernetes gets
this PrometheusRule. tests/deploy/test_kubernetes.py fails when the two disagree, i.e. when
alerts.yml changed and this script was not run.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ALERTS = HERE.parent / "prometheus" / "alerts.yml"
TARGET = HERE / "prometheusrule.yaml"

HEADER = """\
# GENERATED from deploy/prometheus/alerts.yml by deploy/k8s/render_prometheusrule.py - do not edit;
# edit alerts.yml (and its unit tests, alerts_test.yml) and run the script again.
# Runbooks: docs/runbooks.md, one section per alert.
"""


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(alerts_text: str) -> str:
    rules = yaml.safe_load(alerts_text)
    document = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "amr-alerts", "namespace": "amr", "labels": {"app.kubernetes.io/part-of": "amr"}},
        "spec": {"groups": rules["groups"]},
    }
    return HEADER + yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def main() -> int:
    TARGET.write_text(render(ALERTS.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
