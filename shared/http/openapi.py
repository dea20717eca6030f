"""OpenAPI 3.1, generated from the routes a service actually serves (CONTRACT §1).

Every operation declares every answer ``shared.http.routes`` can give it, so that a fuzzer
(schemathesis, ``tests/fuzz``) can hold each response to the document: its success response, and
the RFC 9457 problems (``application/problem+json``, schema ``Problem``, the body's ``status``
equal to the HTTP status) of CONTRACT §2:

- 400: the body is not JSON, or the ``Idempotency-Key`` header is malformed (writes);
- 401: missing or invalid token (with ``WWW-Authenticate: Bearer``), 403: role, certificate,
  separation of duties, or the second officer's token (not public routes);
- 404: unknown resource, named in the path or referred to by the body (routes with any input);
- 409: conflicts with the current state, or the same ``Idempotency-Key`` still in flight (writes);
- 413: the body is larger than ``MAX_BODY_BYTES`` (routes with a body);
- 422: the body breaks the schema, or an input breaks a rule (routes with any input);
- 503: the database is unavailable (every route; ``Retry-After``); ``/health`` answers 503 with
  its own JSON body when the database or the broker is unreachable.

A 5xx other than 503 is never declared: it is a bug.
"""
from __future__ import annotations

import copy
import re
from typing import Any, Iterable

from shared.http.problems import PROBLEM_CONTENT_TYPE, PROBLEM_SCHEMA
from shared.http.routes import (CORRELATION_HEADER, IDEMPOTENCY_HEADER, MAX_BODY_BYTES, SECOND_OFFICER_HEADER,
                                Route)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# werkzeug's default path converter: one non-empty segment, never a '/'
PATH_PARAMETER_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^/]+$"}
# what routes.py accepts (_KEY_PATTERN): 1-200 visible ASCII characters
IDEMPOTENCY_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]{1,200}$"}


def _problem_schema() -> dict[str, Any]:
    """``Problem``: PROBLEM_SCHEMA, with what every problem routes.py writes also holds."""
    schema = copy.deepcopy(PROBLEM_SCHEMA)
    schema["properties"]["status"] = {"type": "integer", "minimum": 400, "maximum": 599}
    schema["properties"]["errors"]["items"].setdefault("required", ["path", "message"])
    schema["additionalProperties"] = True  # RFC 9457 extensions (e.g. the failing ``check``)
    return schema


def _header(description: str, *, required: bool = False) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": {"type": "string"}}


def _problem(status: int, description: str, *, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = {"allOf": [{"$ref": "#/components/schemas/Problem"},
                        {"properties": {"status": {"const": status}}}]}
    answer: dict[str, Any] = {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


def _success(r: Route) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": "OK"}
    if r.content_type == "application/json":
        # a route without a declared response schema still answers a JSON object
        answer["content"] = {"application/json": {"schema": r.response_schema or {"type": "object"}}}
        headers = {CORRELATION_HEADER: _header("The flow's correlation id (absent on an idempotent replay)")}
        if r.method == "POST":
            headers["Idempotent-Replayed"] = _header("'true' when this is the stored answer to an earlier "
                                                     "request with the same Idempotency-Key")
        answer["headers"] = headers
    else:
        answer["content"] = {r.content_type: {"schema": {"type": "string"}}}
    return answer


def _responses(r: Route, *, has_input: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {str(r.status): _success(r)}
    writes = r.method in WRITE_METHODS
    if r.body_schema is not None or writes:
        responses["400"] = _problem(400, "The body is not JSON, or the Idempotency-Key header is malformed")
    if not r.is_public:
        responses["401"] = _problem(401, "Missing or invalid token",
                                    headers={"WWW-Authenticate": _header("Bearer", required=True)})
        responses["403"] = _problem(403, "Role, certificate, separation of duties, or the second officer")
    if has_input:
        responses["404"] = _problem(404, "Unknown resource (in the path, or one the body refers to)")
    if writes:
        responses["409"] = _problem(409, "Conflicts with the current state, or the same Idempotency-Key "
                                         "is still being processed")
    if r.body_schema is not None:
        responses["413"] = _problem(413, f"The body is larger than {MAX_BODY_BYTES} bytes")
    if has_input:
        responses["422"] = _problem(422, "The body breaks the schema, or an input breaks a rule "
                                         "(validation errors list each failure in `errors`)")
    if r.template == "/health":  # CONTRACT §1: 503 with the same JSON, saying what is unreachable
        responses["503"] = {"description": "The database or the broker is unreachable",
                            "content": {"application/json": {"schema": r.response_schema or {"type": "object"}}}}
    else:
        responses["503"] = _problem(503, "The database is unavailable; retry shortly",
                                    headers={"Retry-After": _header("Seconds to wait")})
    return dict(sorted(responses.items()))


def build_document(service: str, routes: Iterable[Route], *, version: str = "1.0.0") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for r in sorted(routes, key=lambda r: (r.template, r.method)):
        operation: dict[str, Any] = {
            "operationId": f"{service}.{r.method_name}",
            "summary": r.summary or r.method_name.replace("_", " "),
            "x-roles": sorted(r.roles),
        }
        path_names = re.findall(r"{([^}]+)}", r.template)
        parameters = [{"name": name, "in": "path", "required": True, "schema": dict(PATH_PARAMETER_SCHEMA)}
                      for name in path_names]
        for name, schema in (r.query_schema or {}).items():
            parameters.append({"name": name, "in": "query", "required": False, "schema": schema})
        if r.second_officer:
            operation["x-second-officer"] = True
            parameters.append({"name": SECOND_OFFICER_HEADER, "in": "header", "required": True,
                               "description": "O-TWO: 'Bearer <token>' of a second officer with a valid certificate",
                               "schema": {"type": "string", "maxLength": 4000}})
        if r.method == "POST":
            parameters.append({"name": IDEMPOTENCY_HEADER, "in": "header", "required": False,
                               "description": "A replay with the same key returns the first answer and "
                                              "changes nothing (CONTRACT §2)",
                               "schema": dict(IDEMPOTENCY_KEY_SCHEMA)})
        if parameters:
            operation["parameters"] = parameters
        if r.body_schema is not None:
            operation["requestBody"] = {"required": True,
                                        "content": {"application/json": {"schema": r.body_schema}}}
        has_input = bool(path_names or r.query_schema or r.body_schema is not None or r.method == "POST")
        operation["responses"] = _responses(r, has_input=has_input)
        if not r.is_public:
            operation["security"] = [{"bearer": []}]
        paths.setdefault(r.template, {})[r.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{service} service", "version": version,
                 "description": "District market-regulation enforcement platform (市场监督管理局执法平台)."},
        "paths": paths,
        "components": {
            "schemas": {"Problem": _problem_schema()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
