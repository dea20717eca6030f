"""The benchmark's services, run as real processes (``python -m shared.runner bench.service:Consumer``).

``BENCH_NAME`` (env) prefixes both service names, so every benchmark run has its own exchanges and
queues. The consumer handles ``bench.measured`` through ``@subscribe`` (catalog validation, inbox,
retries, DLQ) and writes one effect row per event in the same transaction as its inbox record.
The producer class only owns the exchange name: ``bench/backbone.py`` commits events through
``shared.store.UnitOfWork`` and runs the ``OutboxRelay`` itself, without a nameko container.
"""
import os
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert

from bench.tables import effects, metadata
from shared.events.subscriber import subscribe
from shared.service import PlatformService
from shared.store import CATALOG, Store

SCHEMAS = Path(__file__).parent / "schemas"
MIGRATIONS = Path(__file__).parent / "migrations"
CATALOG.add_directory(SCHEMAS)
NAME = os.environ.get("BENCH_NAME", "bench")
EVENT_TYPE = "bench.measured"


def parse_event_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Producer(PlatformService):
    name = f"{NAME}_producer"
    store = Store(metadata, MIGRATIONS)


class Consumer(PlatformService):
    name = f"{NAME}_consumer"
    store = Store(metadata, MIGRATIONS)

    @subscribe(f"{NAME}_producer", EVENT_TYPE)
    def on_measured(self, event):
        event_time = parse_event_time(event.time)
        with self.store.unit_of_work() as uow:
            uow.execute(insert(effects).values(event_id=event.id, seq=event.data["seq"], event_time=event_time,
                                               handled_at=datetime.now(timezone.utc)))
