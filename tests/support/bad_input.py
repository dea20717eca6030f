"""Throw bad bodies at every route with a request body, as a careless or hostile client would.

The routes and their schemas come from the service's OpenAPI document, so this grows with the API.
Every answer must be a problem+json 4xx: never a 5xx, never a silent 2xx.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator

import requests

from shared.http.auth import ROLES, mint_token

HUGE = 10 ** 20


def _leaves(schema: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    for name, sub in (schema.get("properties") or {}).items():
        if sub.get("type") == "object":
            yield from _leaves(sub, path + (name,))
        else:
            yield path + (name,), sub


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body: Any = value
    for name in reversed(path):
        body = {name: body}
    return body


def bad_bodies(schema: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    yield "not JSON", b"{not json"
    yield "NaN literal", b'{"x": NaN}'
    yield "an array", b"[1, 2]"
    yield "a string", b'"text"'
    yield "unknown field", json.dumps({"zz_unknown_field": 1}).encode()
    for path, leaf in _leaves(schema):
        where = ".".join(path)
        kind = leaf.get("type")
        if kind in ("number", "integer"):
            for label, value in (("negative", -1), ("10^20", HUGE), ("a string", "12"), ("a boolean", True)):
                yield f"{where} {label}", json.dumps(_nest(path, value)).encode()
            yield f"{where} NaN", ('{"%s": NaN}' % path[0]).encode() if len(path) == 1 else b'{"x": NaN}'
        elif kind == "string" or "enum" in leaf or "format" in leaf or "pattern" in leaf:
            if leaf.get("format") == "date":
                for label, value in (("year 9999", "9999-12-31"), ("30 February", "2026-02-30")):
                    yield f"{where} {label}", json.dumps(_nest(path, value)).encode()
            yield f"{where} over-long", json.dumps(_nest(path, "长" * 25_000), ensure_ascii=False).encode()
            yield f"{where} a number", json.dumps(_nest(path, 12345)).encode()
        elif kind == "array":
            yield f"{where} not an array", json.dumps(_nest(path, "x")).encode()
        elif kind == "boolean":
            yield f"{where} not a boolean", json.dumps(_nest(path, "yes")).encode()


def throw_bad_input(base_url: str) -> tuple[int, list[str]]:
    """Return (number of requests, failures)."""
    document = requests.get(base_url + "/openapi.json", timeout=10).json()
    token = mint_token("FUZZ-1", list(ROLES), cert_no="F1", cert_expires="2099-12-31")
    second = mint_token("FUZZ-2", ["officer"], cert_no="F2", cert_expires="2099-12-31")
    headers = {"Authorization": f"Bearer {token}", "X-Second-Officer": f"Bearer {second}",
               "Content-Type": "application/json"}
    sent, failures = 0, []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            request_body = operation.get("requestBody")
            if not request_body:
                continue
            schema = request_body["content"]["application/json"]["schema"]
            url = base_url + re.sub(r"{[^}]+}", "none-such", path)
            for label, body in bad_bodies(schema):
                answer = requests.request(method.upper(), url, data=body, headers=headers, timeout=15)
                sent += 1
                where = f"{method.upper()} {path} with {label}"
                if not 400 <= answer.status_code < 500:
                    failures.append(f"{where}: {answer.status_code} {answer.text[:200]}")
                elif not answer.headers.get("Content-Type", "").startswith("application/problem+json"):
                    failures.append(f"{where}: {answer.status_code} without problem+json")
    return sent, failures
