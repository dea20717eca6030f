"""Each service as a real process (SQLite, a RabbitMQ vhost of the fuzz run's own), seeded with a few
real resources through its API."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pytest

from tests.conftest import _drop_postgres_database, _postgres_database, _vhost
from tests.fuzz.common import SERVICES, credentials, seed
from tests.support.processes import ServiceProcess

_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")
_ERROR = re.compile(r"^\S+ \S+ \S+ (ERROR|CRITICAL) ")


@dataclass
class FuzzTarget:
    name: str
    process: ServiceProcess
    headers: dict[str, str]
    known: dict[str, list[str]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.process.url

    def logged_errors(self, limit: int = 20_000) -> str:
        """The distinct ERROR records the service logged (each with its traceback, once, and how often)."""
        records: dict[str, list[str]] = {}
        counts: dict[str, int] = {}
        current = None
        for line in self.process.log_path.read_text(errors="replace").splitlines():
            if _RECORD.match(line):
                current = None
                if _ERROR.match(line):
                    key = re.sub(r"0x[0-9a-f]+", "", _RECORD.sub("", line))
                    counts[key] = counts.get(key, 0) + 1
                    if key not in records:
                        current = records[key] = [line]
            elif current is not None:
                current.append(line)
        text = "\n".join(f"[{counts[key]}x] " + "\n".join(record) for key, record in records.items())
        return text[:limit]


@pytest.fixture(scope="session")
def fuzz_vhost_uri():
    """The fuzz run's own vhost: its floods of events meet no other test's queues."""
    yield from _vhost("fuzz")


BACKENDS = tuple(os.environ.get("FUZZ_BACKENDS", "postgresql").split(","))


@pytest.fixture(params=[(backend, service) for backend in BACKENDS for service in SERVICES],
                ids=lambda param: f"{param[1]}-{param[0]}")
def fuzz_target(request, processes, tmp_path, fuzz_vhost_uri) -> FuzzTarget:
    """One service on a fresh database, seeded through its API (README.md: why PostgreSQL)."""
    backend, name = request.param
    if backend == "sqlite":
        database = f"sqlite:///{tmp_path / (name + '.db')}"
    else:
        database_name, database = _postgres_database()
        request.addfinalizer(lambda: _drop_postgres_database(database_name))
    process = processes(name, {"DATABASE_URL": database,
                               "AMQP_URI": fuzz_vhost_uri, "LOG_LEVEL": "WARNING"}, label=f"fuzz-{name}")
    headers = credentials()
    return FuzzTarget(name, process, headers, seed(name, process.url, headers))
