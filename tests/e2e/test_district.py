"""The whole platform doing a district's work: the four services as processes on the real broker and
PostgreSQL, cases of every kind through the public API, another department's plain-pika subscriber,
and the invariant checker; then the same under faults. Small runs here; the full-size ones (2,000
cases; 500 cases with 10 faults of each kind) are `make district` and `make chaos`."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _district(*args: str, timeout: float) -> tuple[int, str, dict]:
    done = subprocess.run([sys.executable, "-m", "bench.district", "--raw-events", "0", "--workers", "8", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    figures = json.loads((ROOT / "bench" / "results" / "district.json").read_text("utf-8"))
    return done.returncode, done.stdout + done.stderr[-3000:], figures


@pytest.mark.timeout(600)
def test_a_district_run_keeps_every_invariant():
    code, output, figures = _district("--cases", "48", "--entities", "40", "--seed", "11", timeout=580)
    assert code == 0, output
    assert all(not violations for violations in figures["invariants"].values()), output
    assert len(figures["invariants"]) >= 12 and figures["checker"]["events"] > 400
    assert len(figures["kinds"]) >= 8, figures["kinds"]  # a real mix, not one kind of case


@pytest.mark.timeout(900)
def test_a_district_run_under_faults_loses_nothing_and_duplicates_no_effect():
    # Broker restarts are left to `make chaos`: one that lands while a consumer acknowledges a batch
    # stops that service (open problem, see bench/README.md), which would make this test flaky.
    code, output, figures = _district("--cases", "40", "--entities", "30", "--seed", "12", "--chaos",
                                      "--faults", "2", "--fault-interval", "2",
                                      "--fault-kinds", "kill_service,restart_postgresql", timeout=880)
    assert code == 0, output
    kinds = sorted(f["kind"] for f in figures["faults"])
    assert kinds == ["kill_service"] * 2 + ["restart_postgresql"] * 2, figures["faults"]
    assert all(f["outcome"] == "recovered" for f in figures["faults"]), figures["faults"]
    assert all(not violations for violations in figures["invariants"].values()), output
