"""The CloudEvents 1.0 envelope of CONTRACT §3 (structured mode, JSON).

Pure Python: building, serialising and parsing an envelope; schema checks live in ``catalog``.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
DATA_CONTENT_TYPE = "application/json"


def dataschema_uri(event_type: str, version: int) -> str:
    """The URI naming one event type's versioned schema (``dataschema``)."""
    return f"urn:amr:event-schema:{event_type}:v{version}"


def source_of(service: str) -> str:
    return f"/services/{service}"


class MalformedEvent(ValueError):
    """A message that is not a CloudEvent we can read: it is dead-lettered at once."""


@dataclass(frozen=True)
class Event:
    """One event as it travels: the envelope and its ``data``."""

    type: str
    source: str
    subject: str
    data: dict[str, Any]
    dataschema: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: str = field(default_factory=lambda: utc_now_rfc3339())
    correlationid: str = ""
    causationid: str = ""
    specversion: str = SPEC_VERSION
    datacontenttype: str = DATA_CONTENT_TYPE

    def __post_init__(self) -> None:
        if not self.correlationid:
            # A flow starts here: the event is its own correlation root.
            object.__setattr__(self, "correlationid", self.id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "specversion": self.specversion,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time,
            "subject": self.subject,
            "datacontenttype": self.datacontenttype,
            "dataschema": self.dataschema,
            "correlationid": self.correlationid,
            "causationid": self.causationid,
            "data": self.data,
        }

    def to_json(self) -> bytes:
        # ensure_ascii=False: Chinese text travels as UTF-8, byte for byte.
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> "Event":
        known = {
            "type", "source", "subject", "data", "dataschema", "id", "time",
            "correlationid", "causationid", "specversion", "datacontenttype",
        }
        return cls(**{k: v for k, v in body.items() if k in known})


def utc_now_rfc3339() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_json_body(body: bytes | str) -> dict[str, Any]:
    """Decode a message body; anything but a JSON object is a :class:`MalformedEvent`."""
    try:
        text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MalformedEvent(f"body is not UTF-8 JSON: {type(exc).__name__}: {str(exc)[:200]}") from None
    if not isinstance(value, dict):
        raise MalformedEvent(f"body is JSON {type(value).__name__}, not an object")
    return value
