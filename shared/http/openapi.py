"""OpenAPI 3.1, generated from the routes a service actually serves (CONTRACT §1)."""
from __future__ import annotations

import re
from typing import Any, Iterable

from shared.http.problems import PROBLEM_SCHEMA, PROBLEM_CONTENT_TYPE
from shared.http.routes import Route


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def build_document(service: str, routes: Iterable[Route], *, version: str = "1.0.0") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for r in sorted(routes, key=lambda r: (r.template, r.method)):
        operation: dict[str, Any] = {
            "operationId": f"{service}.{r.method_name}",
            "summary": r.summary or r.method_name.replace("_", " "),
            "x-roles": sorted(r.roles),
            "responses": {},
        }
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string", "maxLength": 200}}
                      for name in re.findall(r"{([^}]+)}", r.template)]
        for name, schema in (r.query_schema or {}).items():
            parameters.append({"name": name, "in": "query", "required": False, "schema": schema})
        if r.second_officer:
            operation["x-second-officer"] = True
            parameters.append({"name": "X-Second-Officer", "in": "header", "required": True,
                               "description": "O-TWO: 'Bearer <token>' of a second officer with a valid certificate",
                               "schema": {"type": "string", "maxLength": 4000}})
        if r.method == "POST":
            parameters.append({"name": "Idempotency-Key", "in": "header", "required": False,
                               "schema": {"type": "string", "maxLength": 200}})
        if parameters:
            operation["parameters"] = parameters
        if r.body_schema is not None:
            operation["requestBody"] = {"required": True,
                                        "content": {"application/json": {"schema": r.body_schema}}}
        ok: dict[str, Any] = {"description": "OK"}
        if r.content_type == "application/json":
            ok["content"] = {"application/json": {"schema": r.response_schema or {}}}
        else:
            ok["content"] = {r.content_type: {"schema": {"type": "string"}}}
        operation["responses"][str(r.status)] = ok
        if r.body_schema is not None:
            operation["responses"]["400"] = _problem("The body is not JSON")
            operation["responses"]["422"] = _problem("The body breaks the schema or a rule")
        if not r.is_public:
            operation["security"] = [{"bearer": []}]
            operation["responses"]["401"] = _problem("Missing or invalid token")
            operation["responses"]["403"] = _problem("Role, certificate or separation of duties")
        if "{" in r.template:
            operation["responses"]["404"] = _problem("Unknown resource")
        if r.method == "POST":
            operation["responses"]["409"] = _problem("Conflicts with the current state")
        paths.setdefault(r.template, {})[r.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{service} service", "version": version,
                 "description": "District market-regulation enforcement platform (市场监督管理局执法平台)."},
        "paths": paths,
        "components": {
            "schemas": {"Problem": PROBLEM_SCHEMA},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
