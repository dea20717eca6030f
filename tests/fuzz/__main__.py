"""Fuzz the running services' HTTP APIs from their ``/openapi.json`` with the schemathesis CLI.

    .venv/bin/python -m tests.fuzz                      # the four services of `make up` (8001-8004)
    .venv/bin/python -m tests.fuzz --service enforcement --max-examples 200
    .venv/bin/python -m tests.fuzz --base-url enforcement=http://10.0.0.5:8002 -- --report junit

Tokens are minted with this machine's ``JWT_SECRET`` (or the development secret, as ``make up``
uses); arguments after ``--`` go to ``schemathesis run`` unchanged. Exit status 0 when no service
answered a 5xx or anything its OpenAPI document does not declare. The suite's test
(``tests/fuzz/test_schemathesis.py``) runs the same function on services it starts itself.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from shared.config import SERVICE_PORTS
from tests.fuzz.common import CHECK_NAMES, MAX_EXAMPLES, SERVICES, credentials, seed
from tests.fuzz.hooks import KNOWN_ENV

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@dataclass(repr=False)
class FuzzRun:
    service: str
    command: list[str]
    returncode: int
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def report(self, limit: int = 25_000) -> str:
        """Schemathesis's findings: its ERRORS and FAILURES sections (each with a curl line) and summary."""
        starts = [i for i in (self.output.find("= ERRORS ="), self.output.find("= FAILURES =")) if i >= 0]
        start = self.output.rfind("\n", 0, min(starts)) + 1 if starts else 0
        text = self.output[start:]
        return text if len(text) <= limit else text[:limit // 2] + "\n[...]\n" + text[-limit // 2:]


def schemathesis_command(base_url: str, headers: dict[str, str], *, max_examples: int = MAX_EXAMPLES,
                         seed_value: int | None = None, extra: list[str] = ()) -> list[str]:
    """Deterministic (the same cases every run) unless a seed is given. One worker: with two, the
    coverage phase's threads hit CPython 3.11's "AST constructor recursion depth mismatch"."""
    generation = ["--seed", str(seed_value)] if seed_value is not None else ["--generation-deterministic"]
    command = [str(SCHEMATHESIS), "run", f"{base_url}/openapi.json", "--url", base_url,
               "--checks", ",".join(CHECK_NAMES), "--max-examples", str(max_examples), *generation,
               "--workers", "1",
               "--phases", "examples,coverage,fuzzing",
               # two date fields with a format and a pattern make Hypothesis discard many drafts: expected
               "--suppress-health-check", "filter_too_much",
               "--request-timeout", "15", "--wait-for-schema", "30", "--no-color"]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    return command + list(extra)


def fuzz(service: str, base_url: str, *, headers: dict[str, str] | None = None,
         known: dict[str, list[str]] | None = None, max_examples: int = MAX_EXAMPLES, seed_value: int | None = None,
         extra: list[str] = (), timeout: float = 600, stream: bool = False) -> FuzzRun:
    """Run ``schemathesis run`` against one service; ``known``: real values for path parameters."""
    headers = headers or credentials()
    command = schemathesis_command(base_url, headers, max_examples=max_examples, seed_value=seed_value,
                                   extra=extra)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", KNOWN_ENV: json.dumps(known or {}),
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
           "COLUMNS": "120"}
    started = time.monotonic()
    if stream:
        answer = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout)
        output = ""
    else:
        answer = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True)
        output = answer.stdout + answer.stderr
    return FuzzRun(service, command, answer.returncode, output, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", action="append", choices=SERVICES,
                        help="fuzz only this service (repeatable; default: all four)")
    parser.add_argument("--host", default="127.0.0.1", help="where `make up` listens (default 127.0.0.1)")
    parser.add_argument("--base-url", action="append", default=[], metavar="SERVICE=URL",
                        help="a service's base URL, instead of http://HOST:<its default port>")
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES,
                        help=f"generated cases per operation in the fuzzing phase (default {MAX_EXAMPLES})")
    parser.add_argument("--seed", type=int, default=None,
                        help="random generation from this seed (default: deterministic, the suite's cases)")
    parser.add_argument("--no-seed-data", action="store_true",
                        help="do not create the few real resources (an entity, a case...) used as path values")
    args = parser.parse_args(argv)
    urls = {name: f"http://{args.host}:{port}" for name, port in SERVICE_PORTS.items()}
    for item in args.base_url:
        name, _, url = item.partition("=")
        if name not in SERVICES or not url:
            parser.error(f"--base-url wants SERVICE=URL with SERVICE one of {', '.join(SERVICES)}")
        urls[name] = url.rstrip("/")
    headers = credentials()
    failed = []
    for service in args.service or SERVICES:
        print(f"== {service} at {urls[service]}", flush=True)
        known = {} if args.no_seed_data else seed(service, urls[service], headers)
        run = fuzz(service, urls[service], headers=headers, known=known, max_examples=args.max_examples,
                   seed_value=args.seed, extra=extra, stream=True, timeout=24 * 3600)
        print(f"== {service}: {'passed' if run.ok else 'FAILED'} in {run.seconds:.1f} s", flush=True)
        if not run.ok:
            failed.append(service)
    print(f"{len(failed)} failed: {', '.join(failed)}" if failed else "every service passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
