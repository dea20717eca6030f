"""RFC 9457 problem details (``application/problem+json``)."""
from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from werkzeug.wrappers import Response

from shared.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """An HTTP error answer. ``errors`` lists ``{path, message}`` for validation failures."""

    def __init__(self, status: int, detail: str, *, title: str | None = None, type_: str = "about:blank",
                 errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None,
                 **extensions: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.type = type_
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions

    @classmethod
    def from_domain(cls, error: DomainError) -> "Problem":
        return cls(error.status, error.detail, title=error.title, **error.extensions)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status,
                                "detail": self.detail}
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extensions)
        return body

    def response(self) -> Response:
        return Response(json.dumps(self.to_dict(), ensure_ascii=False), status=self.status,
                        headers=self.headers, content_type=PROBLEM_CONTENT_TYPE + "; charset=utf-8")


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "path": {"type": "string"}, "message": {"type": "string"}}}},
    },
}
