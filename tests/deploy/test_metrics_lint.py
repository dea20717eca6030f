"""`promtool check metrics` on every metric the services define, not only those already exposed.

A labelled metric appears in /metrics only after its first use (a review bypass, a dead letter...),
so a scrape of freshly started services (tests/e2e/test_prometheus.py lints that too) misses most
of them. Here the four service modules are imported and every metric gets one series, then the
whole exposition goes through promtool's naming lint.
"""
from __future__ import annotations

import subprocess

from tests.deploy.helpers import binary, full_exposition

# Problems promtool reports today, kept here so that the check still catches every NEW one; the test
# fails while a listed problem is gone, so the list cannot go stale. None today.
KNOWN_PROBLEMS: set[str] = set()


def promtool_check_metrics(exposition: str) -> set[str]:
    answer = subprocess.run([binary("promtool"), "check", "metrics"], input=exposition, capture_output=True,
                            text=True, timeout=60)
    problems = {line.strip() for line in (answer.stdout + answer.stderr).splitlines() if line.strip()}
    assert (answer.returncode == 0) == (not problems), (answer.returncode, problems)
    return problems


def test_every_metric_the_services_define_passes_promtools_naming_lint():
    exposition = full_exposition()
    assert "amr_review_bypasses_total" in exposition and "amr_dead_letters_total" in exposition
    problems = promtool_check_metrics(exposition)
    assert problems - KNOWN_PROBLEMS == set(), f"new naming problems: {sorted(problems - KNOWN_PROBLEMS)}"
    assert KNOWN_PROBLEMS - problems == set(), f"fixed, remove from KNOWN_PROBLEMS: {sorted(KNOWN_PROBLEMS - problems)}"


def test_the_lint_is_not_a_no_op():
    bad = "# HELP amr_bad_count c\n# TYPE amr_bad_count counter\namr_bad_count{service=\"x\"} 1\n"
    assert any("_total" in problem for problem in promtool_check_metrics(bad))
