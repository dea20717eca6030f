"""Producer: ``POST /records`` stores a record and publishes ``probe.recorded`` in one transaction.
Consumer: records one effect row per ``probe.recorded``; a value starting with ``fail`` makes the
handler raise every time (a poison message); ``crash`` kills the process before it can ack.
"""
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert, select

from shared.errors import Conflict, NotFound
from shared.events.subscriber import subscribe
from shared.http.routes import route
from shared.service import PlatformService
from shared.store import CATALOG, Store
from tests.support.probe.tables import effects, metadata, records

CATALOG.add_directory(Path(__file__).parents[1] / "schemas")
NAME = os.environ.get("PROBE_NAME", "probe")
MIGRATIONS = Path(__file__).parent / "migrations"
ATTEMPTS_FILE = os.environ.get("PROBE_ATTEMPTS_FILE", os.devnull)

RECORD = {"type": "object", "required": ["value"], "additionalProperties": False,
          "properties": {"value": {"type": "string", "maxLength": 200}, "rollback": {"type": "boolean"}}}


class Producer(PlatformService):
    name = f"{NAME}_producer"
    store = Store(metadata, MIGRATIONS)

    @route("POST", "/records", roles=["operator"], body=RECORD, status=201)
    def create_record(self, request):
        record_id = str(uuid.uuid4())
        with self.store.unit_of_work() as uow:
            uow.execute(insert(records).values(record_id=record_id, value=request.body["value"]))
            event = uow.publish("probe.recorded", subject=record_id,
                                data={"record_id": record_id, "value": request.body["value"]})
            if request.body.get("rollback"):
                raise Conflict("rolled back on request")
        return {"record_id": record_id, "event_id": event.id}

    @route("GET", "/records/<record_id>", roles=["officer", "supervisor"])
    def get_record(self, request, record_id):
        with self.store.engine.connect() as conn:
            row = conn.execute(select(records).where(records.c.record_id == record_id)).first()
        if row is None:
            raise NotFound(f"no record {record_id}")
        return {"record_id": row.record_id, "value": row.value}


def record_attempt(event_id: str) -> None:
    """Every call of the handler, outside any transaction (a file survives rollbacks and crashes)."""
    with open(ATTEMPTS_FILE, "a") as attempts_log:
        attempts_log.write(event_id + "\n")


class Consumer(PlatformService):
    name = f"{NAME}_consumer"
    store = Store(metadata, MIGRATIONS)

    @subscribe(f"{NAME}_producer", "probe.recorded")
    def on_recorded(self, event):
        record_attempt(event.id)
        if event.data["value"] == "crash":
            os._exit(3)  # dies before acking, as a segfault or the OOM killer would
        if event.data["value"].startswith("fail"):
            raise RuntimeError(f"deliberate failure for {event.data['value']}")
        with self.store.unit_of_work() as uow:
            uow.execute(insert(effects).values(event_id=event.id, value=event.data["value"],
                                               handled_at=datetime.now(timezone.utc)))
