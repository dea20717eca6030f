"""Schemathesis drives every operation of every service from the service's own ``/openapi.json``:
no answer may be a 5xx, and every answer must be one the document declares (status, content type,
headers, body schema). A small budget, derandomized: the same requests every run. README.md says how
to run more, or against a running ``make up`` (the same function, ``tests.fuzz.__main__.fuzz``)."""
from __future__ import annotations

import os

from tests.fuzz.__main__ import fuzz
from tests.fuzz.common import MAX_EXAMPLES


def test_every_answer_is_declared_by_the_services_own_openapi(fuzz_target):
    run = fuzz(fuzz_target.name, fuzz_target.url, headers=fuzz_target.headers, known=fuzz_target.known,
               max_examples=int(os.environ.get("FUZZ_MAX_EXAMPLES", MAX_EXAMPLES)), timeout=240)
    assert run.ok, (f"schemathesis found answers {fuzz_target.name}'s OpenAPI does not allow "
                    f"(exit {run.returncode}, {run.seconds:.0f} s):\n{run.report()}\n"
                    f"--- {fuzz_target.name}'s logged errors ---\n{fuzz_target.logged_errors() or '(none)'}")
