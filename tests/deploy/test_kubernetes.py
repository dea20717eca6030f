"""deploy/k8s: core objects validate strictly, custom resources against the CRDs kept in the repo.

Offline, no cluster: `kubernetes-validate --strict` checks every core object (Deployment, Service,
HPA, PDB, NetworkPolicy, Ingress, ConfigMap, Namespace) against the Kubernetes OpenAPI schemas it
ships; `check-jsonschema --schemafile` checks every custom resource (RabbitmqCluster, Policy,
CloudNativePG Cluster, ServiceMonitor, PrometheusRule) against its operator's CRD schema from
deploy/k8s/crds/, made strict (unknown fields are errors). Both checks are shown to fail on a
deliberately broken manifest, so neither is a no-op. The rest compares the manifests with the code.
"""
from __future__ import annotations

import re

import pytest
import yaml
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from shared.config import SERVICE_PORTS
from tests.deploy.helpers import (CRD_REGEX_VARIANT, CRDS, K8S, PROMETHEUS, crds, k8s_objects, kustomization, read_by_code,
                                  run, strict_json_schema, tool, write_json, write_yaml)

KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")   # the oldest and the newest release we support
NAMES = {service: service.replace("_", "-") for service in SERVICE_PORTS}   # nameko name -> Kubernetes name


def is_custom(obj: dict) -> bool:
    return "/" in obj["apiVersion"] and obj["apiVersion"].split("/")[0].count(".") > 0 \
        and not obj["apiVersion"].split("/")[0].endswith(".k8s.io")


def objects(kind: str) -> list[dict]:
    return [obj for _, obj in k8s_objects() if obj["kind"] == kind]


def named(kind: str, name: str) -> dict:
    matches = [obj for obj in objects(kind) if obj["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]


def validate_core(paths, version: str):
    return run(tool("kubernetes-validate"), "--strict", "-k", version, *map(str, paths))


def validate_custom(tmp_path, obj: dict):
    """check-jsonschema of one custom resource against its CRD's strict schema."""
    schema = crds().get((obj["apiVersion"], obj["kind"]))
    assert schema is not None, f"no CRD in deploy/k8s/crds for {obj['apiVersion']} {obj['kind']}"
    stem = f"{obj['kind']}-{obj['metadata']['name']}"
    schema_file = write_json(tmp_path / f"{stem}.schema.json", strict_json_schema(schema))
    instance = write_yaml(tmp_path / f"{stem}.yaml", obj)
    return run(tool("check-jsonschema"), "--regex-variant", CRD_REGEX_VARIANT, "--schemafile", str(schema_file),
               str(instance))


# -- the set of files ----------------------------------------------------------------------------------

def test_kustomization_lists_every_manifest_and_only_existing_ones():
    resources = kustomization()["resources"]
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert set(resources) == on_disk
    assert kustomization()["namespace"] == "amr"
    for name, obj in k8s_objects():
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == "amr", (name, obj["kind"], obj["metadata"]["name"])


def test_no_secret_is_committed_among_the_resources():
    assert not objects("Secret")
    for _, obj in k8s_objects():
        text = yaml.safe_dump(obj)
        assert "REPLACE-ME" not in text and "password:" not in text.lower().replace("rabbitmq_password", "")


# -- core objects: kubernetes-validate --strict ---------------------------------------------------------------

@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_core_objects_validate_strictly(tmp_path, version):
    paths = []
    for index, (name, obj) in enumerate(k8s_objects()):
        if not is_custom(obj):
            paths.append(write_yaml(tmp_path / f"{index:02d}-{obj['kind']}-{obj['metadata']['name']}.yaml", obj))
    kinds = {obj["kind"] for _, obj in k8s_objects() if not is_custom(obj)}
    assert {"Namespace", "ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
            "NetworkPolicy", "Ingress"} <= kinds
    answer = validate_core(paths, version)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert answer.stdout.count(" passed for resource ") == len(paths), answer.stdout


def test_the_core_check_fails_on_a_misspelt_field(tmp_path):
    deployment = named("Deployment", "enforcement")
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "IfNotPresent"   # misspelt
    answer = validate_core([write_yaml(tmp_path / "broken.yaml", deployment)], KUBERNETES_VERSIONS[-1])
    assert answer.returncode != 0
    assert "imagePullPolcy" in answer.stdout + answer.stderr


def test_the_core_check_fails_on_a_wrong_type(tmp_path):
    hpa = named("HorizontalPodAutoscaler", "legal-review")
    hpa["spec"]["minReplicas"] = "two"
    answer = validate_core([write_yaml(tmp_path / "broken.yaml", hpa)], KUBERNETES_VERSIONS[-1])
    assert answer.returncode != 0


# -- custom resources: check-jsonschema against the CRDs ----------------------------------------------------

def test_every_custom_resource_validates_against_its_crd(tmp_path):
    custom = [obj for _, obj in k8s_objects() if is_custom(obj)]
    assert {obj["kind"] for obj in custom} == {"RabbitmqCluster", "Policy", "Cluster", "ServiceMonitor", "PrometheusRule"}
    for obj in custom:
        answer = validate_custom(tmp_path, obj)
        assert answer.returncode == 0, (obj["kind"], obj["metadata"]["name"], answer.stdout + answer.stderr)


def test_a_rabbitmqcluster_with_replicas_three_as_a_word_fails(tmp_path):
    cluster = named("RabbitmqCluster", "rabbitmq")
    cluster["spec"]["replicas"] = "three"
    answer = validate_custom(tmp_path, cluster)
    assert answer.returncode != 0
    assert "three" in answer.stdout + answer.stderr


@pytest.mark.parametrize("kind,name,path,value", [
    ("Cluster", "enforcement-db", ("spec", "instance"), 2),                 # misspelt `instances`
    ("Cluster", "enforcement-db", ("spec", "instances"), 0),                # below the CRD's minimum 1
    ("ServiceMonitor", "amr-services", ("spec", "endpoints", 0, "honourLabels"), True),
    ("Policy", "amr-quorum-queues", ("spec", "applyTo"), "quorum"),         # not in the enum
])
def test_custom_resource_check_fails_on_broken_fields(tmp_path, kind, name, path, value):
    obj = named(kind, name)
    node = obj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert validate_custom(tmp_path, obj).returncode != 0


def test_a_prometheusrule_without_expr_fails(tmp_path):
    rule = named("PrometheusRule", "amr-alerts")
    del rule["spec"]["groups"][0]["rules"][0]["expr"]
    assert validate_custom(tmp_path, rule).returncode != 0


def test_crds_are_kept_with_their_licences():
    notice = (CRDS / "NOTICE.md").read_text(encoding="utf-8")
    for path in sorted(CRDS.glob("*.yaml")):
        assert f"`{path.name}`" in notice, path.name
        head = path.read_text(encoding="utf-8").split("apiVersion:", 1)[0]
        assert "commit" in head and ("LICENSES/MPL-2.0.txt" in head or "LICENSES/Apache-2.0.txt" in head), path.name
    assert (CRDS / "LICENSES" / "MPL-2.0.txt").read_text().startswith("Mozilla Public License Version 2.0")
    assert "Apache License" in (CRDS / "LICENSES" / "Apache-2.0.txt").read_text()


# -- the services ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("service", sorted(SERVICE_PORTS))
def test_each_service_has_a_hardened_deployment_with_health_probes(service):
    name, port = NAMES[service], SERVICE_PORTS[service]
    deployment = named("Deployment", name)
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert "replicas" not in deployment["spec"], "the HorizontalPodAutoscaler owns the replica count"
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["automountServiceAccountToken"] is False
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/health", probe
        assert container[probe]["httpGet"]["port"] == "http"
    assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    assert set(container["resources"]) == {"requests", "limits"}
    assert {"cpu", "memory"} <= set(container["resources"]["requests"]) & set(container["resources"]["limits"])
    env = {item["name"]: item for item in container["env"]}
    assert env["SERVICE"]["value"] == service and env["HTTP_PORT"]["value"] == str(port)
    writable = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
    data_dir = named("ConfigMap", "amr-config")["data"]["DATA_DIR"]
    assert data_dir in writable
    assert {"configMapRef": {"name": "amr-config"}} in container["envFrom"]


@pytest.mark.parametrize("service", sorted(SERVICE_PORTS))
def test_every_variable_given_to_a_service_is_read_by_the_code_and_secrets_are_only_referenced(service):
    (container,) = named("Deployment", NAMES[service])["spec"]["template"]["spec"]["containers"]
    values = " ".join(item.get("value", "") for item in container["env"])
    config = named("ConfigMap", "amr-config")["data"]
    for variable in [item["name"] for item in container["env"]] + list(config):
        assert read_by_code(variable) or f"$({variable})" in values, f"{service}: nothing reads {variable}"
    env = {item["name"]: item for item in container["env"]}
    for secret_variable in ("JWT_SECRET", "DATABASE_URL", "RABBITMQ_USERNAME", "RABBITMQ_PASSWORD"):
        assert "value" not in env[secret_variable] and "secretKeyRef" in env[secret_variable]["valueFrom"]
    referenced = {item["valueFrom"]["secretKeyRef"]["name"] for item in container["env"] if "valueFrom" in item}
    rabbitmq = named("RabbitmqCluster", "rabbitmq")["metadata"]["name"]
    database = env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert database == {"name": f"{NAMES[service]}-db-app", "key": "uri"}
    assert referenced == {"amr-secrets", f"{rabbitmq}-default-user", f"{NAMES[service]}-db-app"}
    assert env["AMQP_URI"]["value"].startswith("amqp://$(RABBITMQ_USERNAME):$(RABBITMQ_PASSWORD)@rabbitmq.amr.svc:5672/")


@pytest.mark.parametrize("service", sorted(SERVICE_PORTS))
def test_each_service_has_its_service_autoscaler_budget_and_database(service):
    name = NAMES[service]
    pod_labels = named("Deployment", name)["spec"]["template"]["metadata"]["labels"]
    svc = named("Service", name)
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    assert svc["spec"]["ports"] == [{"name": "http", "port": SERVICE_PORTS[service], "targetPort": "http", "protocol": "TCP"}]
    hpa = named("HorizontalPodAutoscaler", name)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    pdb = named("PodDisruptionBudget", name)
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], "a budget that blocks every drain"
    database = named("Cluster", f"{name}-db")
    assert database["spec"]["bootstrap"]["initdb"]["database"] == service
    assert database["spec"]["instances"] >= 2


@pytest.mark.parametrize("service", sorted(SERVICE_PORTS))
def test_network_policy_lets_a_service_reach_only_the_broker_and_its_own_database(service):
    name = NAMES[service]
    policy = named("NetworkPolicy", name)["spec"]
    assert policy["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": name}
    assert sorted(policy["policyTypes"]) == ["Egress", "Ingress"]
    egress = {}
    for rule in policy["egress"]:
        (peer,) = rule["to"]
        ports = sorted((p["port"], p["protocol"]) for p in rule["ports"])
        egress[yaml.safe_dump(peer, sort_keys=True)] = ports
    broker = yaml.safe_dump({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "rabbitmq"}}}, sort_keys=True)
    own_db = yaml.safe_dump({"podSelector": {"matchLabels": {"cnpg.io/cluster": f"{name}-db"}}}, sort_keys=True)
    dns = yaml.safe_dump({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                          "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}, sort_keys=True)
    assert egress == {broker: [(5672, "TCP")], own_db: [(5432, "TCP")], dns: [(53, "TCP"), (53, "UDP")]}
    for rule in policy["ingress"]:
        assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
        assert all("ipBlock" not in peer for peer in rule["from"])


def routes(service: str) -> list:
    from shared.service import service_class  # not shared.runner: it monkey-patches this process
    cls = service_class(service)
    found = []
    for attribute in dir(cls):
        for entrypoint in getattr(getattr(cls, attribute), ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if hasattr(entrypoint, "roles"):
                found.append(entrypoint)
    return found


def test_the_ingress_exposes_only_public_disclosure_routes():
    by_name = {name: service for service, name in NAMES.items()}
    (ingress,) = objects("Ingress")
    exposed = []
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            assert path["pathType"] == "Exact", path     # a Prefix would expose the routes below it
            backend = path["backend"]["service"]
            service = by_name[backend["name"]]
            assert backend["port"] == {"name": "http"}
            matching = [r for r in routes(service) if r.url == path["path"]]
            assert matching, f"{service} has no route {path['path']}"
            assert all(r.method == "GET" and r.is_public for r in matching), path["path"]
            exposed.append((service, path["path"]))
    assert ("legal_review", "/public/penalties") in exposed and ("legal_review", "/disclosures") in exposed
    for service in {s for s, _ in exposed}:
        policy = named("NetworkPolicy", NAMES[service])["spec"]
        peers = [peer for rule in policy["ingress"] for peer in rule["from"]]
        assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}} in peers
    for service in set(SERVICE_PORTS) - {s for s, _ in exposed}:
        peers = [peer for rule in named("NetworkPolicy", NAMES[service])["spec"]["ingress"] for peer in rule["from"]]
        assert all("ingress-nginx" not in yaml.safe_dump(peer) for peer in peers), service


# -- monitoring ---------------------------------------------------------------------------------------

def test_service_monitor_selects_the_four_services_on_their_http_port():
    monitor = named("ServiceMonitor", "amr-services")["spec"]
    selected = [svc for svc in objects("Service")
                if monitor["selector"]["matchLabels"].items() <= svc["metadata"]["labels"].items()]
    assert sorted(svc["metadata"]["name"] for svc in selected) == sorted(NAMES.values())
    (endpoint,) = monitor["endpoints"]
    assert endpoint["port"] == "http" and endpoint["path"] == "/metrics" and endpoint["honorLabels"] is True
    rabbit = named("ServiceMonitor", "rabbitmq")["spec"]
    assert rabbit["endpoints"][0]["port"] == "prometheus"


def test_prometheusrule_is_alerts_yml_and_was_regenerated():
    import importlib.util
    spec = importlib.util.spec_from_file_location("render", K8S / "render_prometheusrule.py")
    render = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render)
    alerts_text = (PROMETHEUS / "alerts.yml").read_text(encoding="utf-8")
    rule = named("PrometheusRule", "amr-alerts")
    assert rule["spec"]["groups"] == yaml.safe_load(alerts_text)["groups"]
    assert (K8S / "prometheusrule.yaml").read_text(encoding="utf-8") == render.render(alerts_text), \
        "run: python deploy/k8s/render_prometheusrule.py"


def test_rabbitmq_and_databases_are_run_by_their_operators_not_by_hand():
    assert not objects("StatefulSet")
    assert {obj["metadata"]["name"] for obj in objects("Cluster")} == {f"{n}-db" for n in NAMES.values()}
    assert re.fullmatch(r"rabbitmq:3\.\d+-management", named("RabbitmqCluster", "rabbitmq")["spec"]["image"])
