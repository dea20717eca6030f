"""docker-compose.yml: valid against the compose specification, and naming only what exists.

No Docker engine is needed: the compose specification's JSON Schema (vendored in check-jsonschema)
checks the file's shape; the rest compares what the file names with the code.
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
import yaml

from tests.deploy.helpers import DEPLOY, PROMETHEUS, ROOT, read_by_code, run, service_ports, tool

COMPOSE = ROOT / "docker-compose.yml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def app_services() -> dict[str, dict]:
    """Compose services that run the platform's image with SERVICE set: the four services."""
    return {name: spec for name, spec in compose()["services"].items()
            if "SERVICE" in (spec.get("environment") or {})}


def test_compose_file_validates_against_the_compose_specification():
    answer = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE))
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_the_compose_check_rejects_a_broken_compose_file(tmp_path):
    broken = compose()
    broken["services"]["registration"]["healthcheck"]["intervall"] = "15s"   # misspelt key
    broken["services"]["enforcement"]["ports"] = "8002:8002"                 # a string, not a list
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    answer = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path))
    assert answer.returncode != 0
    assert "intervall" in answer.stdout + answer.stderr


def test_the_four_services_run_from_the_one_image_each_as_itself():
    ports = service_ports()
    services = app_services()
    assert sorted(spec["environment"]["SERVICE"] for spec in services.values()) == sorted(ports)
    images = {spec["image"] for spec in services.values()}
    assert len(images) == 1, images
    for name, spec in services.items():
        service = spec["environment"]["SERVICE"]
        assert (ROOT / "services" / service / "service.py").exists(), service
        assert name == service.replace("_", "-"), f"compose name {name} for service {service}"
        assert spec["build"]["dockerfile"] == "Dockerfile" and (ROOT / spec["build"]["dockerfile"]).exists()
        assert spec["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        assert spec["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert spec["depends_on"]["rabbitmq-definitions"]["condition"] == "service_completed_successfully"
        assert "/health" in " ".join(spec["healthcheck"]["test"])


def test_ports_are_the_services_own_ports():
    ports = service_ports()
    for name, spec in app_services().items():
        service = spec["environment"]["SERVICE"]
        expected = ports[service]
        assert int(spec["environment"]["HTTP_PORT"]) == expected, name
        published = [str(p) for p in spec["ports"]]
        assert published == [f"{expected}:{expected}"], (name, published)


def test_every_environment_variable_given_to_the_platform_image_is_read_by_the_code():
    for name, spec in compose()["services"].items():
        if spec.get("image") != "amr-platform:dev":
            continue
        unknown = [variable for variable in spec.get("environment") or {} if not read_by_code(variable)]
        assert not unknown, f"{name}: no code reads {unknown}"


def test_each_service_gets_its_own_database_and_init_sql_creates_it():
    init_sql = (DEPLOY / "postgres" / "init.sql").read_text(encoding="utf-8")
    created = set(re.findall(r"'([a-z_]+)'", init_sql.split("ARRAY[", 1)[1].split("]", 1)[0]))
    assert created == set(service_ports())
    seen = set()
    for name, spec in app_services().items():
        url = urlparse(spec["environment"]["DATABASE_URL"])
        assert url.scheme == "postgresql+psycopg" and url.hostname == "postgres"
        database = url.path.lstrip("/")
        assert database == spec["environment"]["SERVICE"], name
        seen.add(database)
    assert seen == created


def test_rabbitmq_has_management_and_prometheus_plugins_and_loads_the_definitions():
    services = compose()["services"]
    assert services["rabbitmq"]["image"].endswith("-management")
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in services["rabbitmq"]["volumes"]}
    plugins_file = ROOT / mounts["./deploy/rabbitmq/enabled_plugins"].replace("/etc/rabbitmq/", "deploy/rabbitmq/")
    plugins = plugins_file.read_text(encoding="utf-8").strip()
    assert plugins.startswith("[") and plugins.endswith("].")
    assert set(plugins[1:-2].split(",")) == {"rabbitmq_management", "rabbitmq_prometheus"}
    loader = services["rabbitmq-definitions"]
    assert loader["command"] == ["python", "deploy/rabbitmq/load_definitions.py"]
    assert (ROOT / loader["command"][1]).exists()
    assert loader["restart"] == "no"


def test_prometheus_scrapes_each_service_at_its_compose_name_and_port_and_loads_the_rules():
    services = compose()["services"]
    mounts = [volume.split(":") for volume in services["prometheus"]["volumes"]]
    mounted = {source: target for source, target, *_ in mounts if source.startswith("./")}
    assert mounted["./deploy/prometheus/prometheus.yml"] == "/etc/prometheus/prometheus.yml"
    assert mounted["./deploy/prometheus/alerts.yml"] == "/etc/prometheus/alerts.yml"
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    assert config["rule_files"] == ["alerts.yml"]
    targets = {job["job_name"]: [t for c in job["static_configs"] for t in c["targets"]]
               for job in config["scrape_configs"]}
    for name, spec in app_services().items():
        service = spec["environment"]["SERVICE"]
        assert targets[service] == [f"{name}:{spec['environment']['HTTP_PORT']}"], service
    assert targets["rabbitmq"] == ["rabbitmq:15692"]


@pytest.mark.parametrize("variable", ["JWT_SECRET", "POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "DEPARTMENTS_PASSWORD"])
def test_secrets_are_overridable_and_marked_dev_only(variable):
    text = COMPOSE.read_text(encoding="utf-8")
    assert f"${{{variable}:-" in text, variable
