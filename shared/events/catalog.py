"""The event catalog: one JSON Schema per event type and version (CONTRACT §3).

Schemas live as files ``<type>.v<N>.json`` under ``shared/events/schemas/``; each describes the
event's ``data``. ``cloudevent.json`` describes the envelope. Producers validate before commit
(:meth:`EventCatalog.check`), consumers on receipt (:meth:`EventCatalog.parse`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from jsonschema import Draft202012Validator, FormatChecker

from shared.events.envelope import Event, MalformedEvent, dataschema_uri

SCHEMA_DIR = Path(__file__).parent / "schemas"
_FILE_NAME = re.compile(r"^(?P<type>[a-z_]+(?:\.[a-z_]+)+)\.v(?P<version>\d+)\.json$")


@dataclass(frozen=True)
class SchemaError:
    path: str
    message: str


class SchemaViolation(ValueError):
    """An event (envelope or data) that breaks its schema."""

    def __init__(self, reason: str, errors: Iterable[SchemaError] = ()):
        self.reason = reason
        self.errors = list(errors)
        detail = "; ".join(f"{e.path}: {e.message}" for e in self.errors[:5])
        super().__init__(f"{reason}: {detail}" if detail else reason)


def _errors(validator: Draft202012Validator, instance: Any, prefix: str = "") -> list[SchemaError]:
    return [
        SchemaError(path=prefix + "/" + "/".join(str(p) for p in err.absolute_path), message=err.message)
        for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    ]


class EventCatalog:
    def __init__(self, directories: Iterable[Path] = (SCHEMA_DIR,)):
        self._validators: dict[str, Draft202012Validator] = {}
        self._schemas: dict[str, dict[str, Any]] = {}
        self._latest: dict[str, int] = {}
        self._by_uri: dict[str, tuple[str, int]] = {}
        envelope = json.loads((SCHEMA_DIR / "cloudevent.json").read_text("utf-8"))
        Draft202012Validator.check_schema(envelope)
        self._envelope = Draft202012Validator(envelope, format_checker=FormatChecker())
        for directory in directories:
            self.add_directory(Path(directory))

    def add_directory(self, directory: Path) -> None:
        for path in sorted(directory.glob("*.json")):
            match = _FILE_NAME.match(path.name)
            if not match:
                continue
            event_type, version = match["type"], int(match["version"])
            schema = json.loads(path.read_text("utf-8"))
            Draft202012Validator.check_schema(schema)
            if not isinstance(schema.get("x-producer"), str):
                raise ValueError(f"{path}: a schema names the service that publishes it in x-producer")
            uri = dataschema_uri(event_type, version)
            self._schemas[uri] = schema
            self._validators[uri] = Draft202012Validator(schema, format_checker=FormatChecker())
            self._by_uri[uri] = (event_type, version)
            self._latest[event_type] = max(version, self._latest.get(event_type, 0))

    @property
    def event_types(self) -> list[str]:
        return sorted(self._latest)

    def producer(self, event_type: str) -> str:
        """The service that publishes this type (``x-producer`` in its schema)."""
        return self.schema(event_type)["x-producer"]

    def envelope_schema(self) -> dict[str, Any]:
        return self._envelope.schema

    def schema(self, event_type: str, version: int | None = None) -> dict[str, Any]:
        return self._schemas[self.schema_uri(event_type, version)]

    def schema_uri(self, event_type: str, version: int | None = None) -> str:
        if event_type not in self._latest:
            raise SchemaViolation(f"unknown event type {event_type!r}")
        return dataschema_uri(event_type, version or self._latest[event_type])

    def check(self, event: Event) -> Event:
        """Validate an event we are about to publish; raise :class:`SchemaViolation` if it is wrong.

        The envelope's id, time, source and type are made by ``Event`` and the catalog, so only
        what a caller supplies is checked here: the data against its schema, the subject and the
        flow ids against the envelope's limits. Receivers check everything (:meth:`parse`).
        """
        uri = self.schema_uri(event.type)  # raises for an unknown type
        if event.dataschema != uri and event.dataschema not in self._validators:
            raise SchemaViolation(f"unknown dataschema {event.dataschema!r}")
        if not 1 <= len(event.subject) <= 200:
            raise SchemaViolation("the subject must be 1 to 200 characters",
                                  [SchemaError("/subject", f"{len(event.subject)} characters")])
        if len(event.correlationid) > 100 or len(event.causationid) > 100:
            raise SchemaViolation("correlationid and causationid are at most 100 characters")
        errors = _errors(self._validators[event.dataschema], event.data, prefix="/data")
        if errors:
            raise SchemaViolation(f"data breaks schema {event.dataschema}", errors)
        return event

    def parse(self, body: dict[str, Any]) -> Event:
        """Validate a received envelope and its data against the catalog; return the event."""
        self._validate(body)
        return Event.from_dict(body)

    def _validate(self, body: dict[str, Any]) -> None:
        errors = _errors(self._envelope, body)
        if errors:
            raise SchemaViolation("envelope breaks the CloudEvents schema", errors)
        uri = body["dataschema"]
        validator = self._validators.get(uri)
        if validator is None:
            raise SchemaViolation(f"unknown dataschema {uri!r}")
        if self._by_uri[uri][0] != body["type"]:
            raise SchemaViolation(f"dataschema {uri!r} does not describe type {body['type']!r}")
        errors = _errors(validator, body["data"], prefix="/data")
        if errors:
            raise SchemaViolation(f"data breaks schema {uri}", errors)


__all__ = ["EventCatalog", "SchemaViolation", "SchemaError", "MalformedEvent", "SCHEMA_DIR"]
