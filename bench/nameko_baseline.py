"""Baseline: nameko's own events. ``python -m shared.runner bench.nameko_baseline:Sink``.

The dispatcher side is ``nameko.standalone.events.event_dispatcher`` (publisher confirms on, nameko's
default) in ``bench/backbone.py``; this sink is a plain ``@event_handler`` that only counts
deliveries in memory and records each one's latency (``time.time() - data["sent"]``). No database:
it is nameko's messaging ceiling, not a like-for-like effect. ``GET /stats/<phase>`` reports.
"""
import json
import os
import time

from nameko.events import event_handler
from nameko.web.handlers import http

NAME = os.environ.get("BENCH_NAME", "bench")
SOURCE = f"{NAME}_nk_src"
EVENT_TYPE = "bench.measured"
_STATS: dict[str, dict] = {}


def queue_name() -> str:
    """The queue nameko declares for Sink.on_measured (SERVICE_POOL handler type)."""
    return f"evt-{SOURCE}-{EVENT_TYPE}--{NAME}_nk_sink.on_measured"


class Sink:
    name = f"{NAME}_nk_sink"

    @event_handler(SOURCE, EVENT_TYPE)
    def on_measured(self, data):
        now = time.time()
        stats = _STATS.setdefault(data["phase"], {"count": 0, "first": now, "last": now, "latencies": []})
        stats["count"] += 1
        stats["last"] = now
        stats["latencies"].append(now - data["sent"])

    @http("GET", "/stats/<phase>")
    def stats(self, request, phase):
        return 200, {"Content-Type": "application/json"}, json.dumps(_STATS.get(phase, {"count": 0}))

    @http("GET", "/health")
    def health(self, request):
        return 200, "ok"
