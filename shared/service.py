"""What every service answers besides its own routes: ``/health``, ``/metrics``, ``/openapi.json``.

A service class inherits :class:`PlatformService` and declares ``name`` and ``store``.
"""
from __future__ import annotations

import importlib
import logging

from sqlalchemy import text
from werkzeug.wrappers import Response

from shared import metrics
from shared.dependencies import WorkingDays
from shared.events.amqp import connect
from shared.http.openapi import build_document
from shared.http.routes import PUBLIC, Route, route

log = logging.getLogger(__name__)

HEALTH_SCHEMA = {
    "type": "object",
    "required": ["status", "database", "broker"],
    "properties": {"status": {"enum": ["ok", "unavailable"]}, "database": {"type": "string"},
                   "broker": {"type": "string"}, "service": {"type": "string"}},
}


class PlatformService:
    name = "platform"
    workdays = WorkingDays()

    @route("GET", "/health", roles=PUBLIC, response=HEALTH_SCHEMA,
           summary="200 when the database and the broker are reachable, 503 otherwise")
    def health(self, request):
        database = broker = "ok"
        try:
            with self.store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            database = f"unreachable: {type(exc).__name__}"
        try:
            connect(self.store.amqp_uri, connect_timeout=2).close()
        except Exception as exc:
            broker = f"unreachable: {type(exc).__name__}"
        healthy = database == "ok" and broker == "ok"
        body = {"status": "ok" if healthy else "unavailable", "service": self.name,
                "database": database, "broker": broker}
        return (200 if healthy else 503), body

    @route("GET", "/metrics", roles=PUBLIC, content_type="text/plain",
           summary="Prometheus text exposition")
    def metrics(self, request):
        try:
            self.store.refresh_outbox_gauges()
        except Exception as exc:  # the database is down: /health says so; still expose the rest
            log.warning("could not read the outbox backlog: %s", exc)
        return Response(metrics.exposition(), content_type=metrics.CONTENT_TYPE_LATEST)

    @route("GET", "/openapi.json", roles=PUBLIC, summary="This document")
    def openapi(self, request):
        routes = [e for e in self.store.entrypoints if isinstance(e, Route)]
        return build_document(self.name, routes)


def service_class(name: str):
    """The service class behind a name (``enforcement``) or a ``module:Class`` path. Importing it
    has no side effect (unlike ``shared.runner``, which monkey-patches the process for eventlet)."""
    if ":" in name:  # module:Class, for services outside services/ (the tests' probes)
        module_name, _, class_name = name.partition(":")
        return getattr(importlib.import_module(module_name), class_name)
    module = importlib.import_module(f"services.{name}.service")
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "name", None) == name:
            return value
    raise SystemExit(f"services.{name}.service defines no service named {name!r}")
