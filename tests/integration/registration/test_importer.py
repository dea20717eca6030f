"""The synthetic-register import: through the database (events published by the service's relay,
even when the service starts after the import) and through the public API; a second run adds nothing."""
from __future__ import annotations

import time

import pytest

from services.registration.importer import main as import_register
from shared.law.uscc import validate
from tests.integration.enforcement.conftest import ENFORCEMENT_QUEUES, Enforcement
from tests.integration.registration.conftest import REGISTRATION_QUEUES, Registration
from tests.support.amqp import purge_queues
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def _wait_targets(enforcement, total: int) -> int:
    return eventually(lambda: enforcement.get("/inspections/targets?limit=1")["total"], lambda seen: seen >= total,
                      timeout=60, pause=0.3)


def test_an_import_before_the_service_starts_reaches_other_services_once_and_can_be_rerun(
        database_factory, processes, test_vhost_uri, capsys):
    purge_queues(test_vhost_uri, *REGISTRATION_QUEUES, *ENFORCEMENT_QUEUES)
    database = database_factory("registration")
    assert import_register(["--count", "300", "--seed", "11", "--database-url", database]) == 0
    assert "300 entities added" in capsys.readouterr().err

    enforcement = Enforcement(processes("enforcement", {"DATABASE_URL": database_factory("enforcement"),
                                                        "AMQP_URI": test_vhost_uri}))
    registration = Registration(processes("registration", {"DATABASE_URL": database, "AMQP_URI": test_vhost_uri}))
    assert _wait_targets(enforcement, 300) == 300  # every entity.registered was published by the relay
    page = registration.get("/entities?limit=500")
    assert len(page["items"]) == 300 and all(validate(i["uscc"]) for i in page["items"])
    mix = {c: sum(1 for i in page["items"] if i["category"] == c) for c in ("enterprise", "individual_business")}
    assert mix["individual_business"] > mix["enterprise"] > 0  # the district's mix

    assert import_register(["--count", "300", "--seed", "11", "--database-url", database]) == 0
    assert "0 entities added (300 already there)" in capsys.readouterr().err
    time.sleep(1.5)
    assert enforcement.get("/inspections/targets?limit=1")["total"] == 300


def test_an_import_through_the_public_api(registration, capsys):
    assert import_register(["--via", "api", "--url", registration.url, "--count", "25", "--seed", "5"]) == 0
    assert "25 entities added" in capsys.readouterr().err
    assert len(registration.get("/entities?limit=100")["items"]) == 25
