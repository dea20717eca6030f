"""Fixtures shared by every level of the suite.

What may be faked where:
- ``tests/unit``: nothing external is touched; domain code is pure, so nothing needs faking.
- ``tests/integration``: the real RabbitMQ and the real database (every such test runs on SQLite
  and on PostgreSQL through the ``database_url`` fixture); services run as real processes.
  Nothing is mocked. Each test has its own database and its own exchange and queue names.
- ``tests/e2e``: the four real services as processes, as ``make up`` starts them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from shared.store import CATALOG
from tests.support.amqp import AmqpAdmin
from tests.support.processes import ServiceProcess, free_port

ROOT = Path(__file__).resolve().parents[1]
AMQP_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
OUTPUT = ROOT / "test-output"
CATALOG.add_directory(ROOT / "tests" / "support" / "schemas")  # the probes' test-only event


def _postgres_database():
    name = f"amr_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return name, f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"


def _drop_postgres_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_factory(request, tmp_path):
    """Makes fresh, empty databases of one backend (the test runs once per backend)."""
    created: list[str] = []

    def make(label: str = "db") -> str:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / (label + '-' + uuid.uuid4().hex[:6] + '.db')}"
        name, url = _postgres_database()
        created.append(name)
        return url

    make.backend = request.param
    yield make
    for name in created:
        _drop_postgres_database(name)


@pytest.fixture
def database_url(database_factory):
    return database_factory("service")


@pytest.fixture
def amqp_admin():
    admin = AmqpAdmin(AMQP_URI)
    yield admin
    admin.cleanup()


@pytest.fixture
def probe_name(amqp_admin):
    """A unique service-name prefix; its exchanges and queues are deleted after the test."""
    name = f"probe{uuid.uuid4().hex[:8]}"
    amqp_admin.forget_prefix(name)
    return name


@pytest.fixture
def processes(tmp_path):
    """Start service processes; all are stopped (or killed) after the test, logs kept in tmp."""
    started: list[ServiceProcess] = []

    def start(target: str, env: dict[str, str], *, wait_healthy: bool = True, port: int | None = None,
              label: str | None = None) -> ServiceProcess:
        process = ServiceProcess(target, env=env, port=port or free_port(), log_dir=tmp_path,
                                 label=label or target.replace(":", "_").replace(".", "_"), amqp_uri=AMQP_URI)
        started.append(process)
        process.start(wait_healthy=wait_healthy)
        return process

    yield start
    for process in started:
        process.stop()


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


def _vhost(purpose: str):
    """A RabbitMQ vhost of its own, so durable queues of the real services never meet a developer's
    nor another group of tests' (two services consuming one queue would steal each other's events)."""
    if not shutil.which("rabbitmqctl"):
        yield AMQP_URI
        return
    vhost = f"amr-{purpose}-{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield AMQP_URI.rstrip("/") + "/" + quote(vhost, safe="")
    _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def test_vhost_uri():
    """The integration tests' vhost (one service process of each kind at a time)."""
    yield from _vhost("test")


@pytest.fixture(scope="session")
def e2e_vhost_uri():
    """The vhost of the whole platform that `make up` starts for the e2e tests."""
    yield from _vhost("e2e")


