"""Schemathesis hooks, loaded by the CLI through ``SCHEMATHESIS_HOOKS=tests.fuzz.hooks``.

``FUZZ_KNOWN_PATH_VALUES`` (JSON: path parameter name → values that exist, e.g. a real case number)
makes half of the generated path parameters name something real, so that the request reaches the
domain code instead of stopping at 404; the other half stay random. The choice is a Hypothesis draw,
so a derandomized run stays deterministic.
"""
from __future__ import annotations

import json
import os

import schemathesis
from hypothesis import strategies as st

KNOWN_ENV = "FUZZ_KNOWN_PATH_VALUES"
KNOWN: dict[str, list[str]] = {name: [str(v) for v in values]
                               for name, values in json.loads(os.environ.get(KNOWN_ENV) or "{}").items() if values}


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    names = [name for name in (path_parameters or {}) if name in KNOWN]
    if not names:
        return st.just(path_parameters)
    real = st.fixed_dictionaries({name: st.sampled_from(KNOWN[name]) for name in names})
    return st.one_of(st.just(path_parameters), real.map(lambda values: {**path_parameters, **values}))
