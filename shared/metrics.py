"""The backbone's Prometheus metrics (CONTRACT §6). One prefix, ``amr_``; every series has ``service``.

Domain gauges (cases by state, overdue deadlines, review coverage...) are defined by the services
that own them, with the same prefix, through :func:`gauge`/:func:`counter` here.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import CONTENT_TYPE_LATEST  # noqa: F401  (re-exported for /metrics)

PREFIX = "amr_"
REGISTRY = CollectorRegistry(auto_describe=True)

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def counter(name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
    return Counter(PREFIX + name, doc, ("service",) + labels, registry=REGISTRY)


def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
    return Gauge(PREFIX + name, doc, ("service",) + labels, registry=REGISTRY)


def histogram(name: str, doc: str, labels: tuple[str, ...] = ()) -> Histogram:
    return Histogram(PREFIX + name, doc, ("service",) + labels, buckets=_LATENCY_BUCKETS, registry=REGISTRY)


EVENTS_PUBLISHED = counter("events_published", "Events confirmed by the broker, by type.", ("type",))
EVENTS_CONSUMED = counter(
    "events_consumed",
    "Events received, by type and outcome (handled, duplicate, retried, dead_lettered, invalid).",
    ("type", "outcome"))
HANDLER_SECONDS = histogram("event_handler_seconds", "Time spent handling one event.", ("type",))
PUBLISH_TO_HANDLED_SECONDS = histogram(
    "event_publish_to_handled_seconds", "From the event's time to the end of its handling.", ("type",))
OUTBOX_PENDING = gauge("outbox_pending", "Events committed but not yet confirmed by the broker.")
OUTBOX_OLDEST_AGE = gauge("outbox_oldest_pending_age_seconds", "Age of the oldest unpublished event.")
OUTBOX_PUBLISH_ERRORS = counter("outbox_publish_errors", "Relay attempts that failed (broker or database).")
DEAD_LETTERS = counter("dead_letters", "Messages sent to a dead-letter queue, by type and reason.",
                       ("type", "reason"))
HTTP_REQUESTS = counter("http_requests", "HTTP requests by route template, method and status.",
                        ("route", "method", "status"))
HTTP_SECONDS = histogram("http_request_seconds", "HTTP request latency.", ("route", "method"))
CALENDAR_FALLBACK_YEARS = gauge(
    "calendar_fallback_years",
    "Years for which working days were computed weekends-only: no holiday data (rule C-WD).")


def exposition() -> bytes:
    return generate_latest(REGISTRY)
