"""What the deployment checks share: file loading, the tools they run, the code's own names.

The checks run offline: no Docker engine and no cluster. Where a well-kept tool exists it does the
checking (check-jsonschema, kubernetes-validate, promtool); these helpers only feed it files.
"""
from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
CRDS = K8S / "crds"
PROMETHEUS = DEPLOY / "prometheus"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A command-line tool installed in the virtual environment (from requirements.lock)."""
    path = BIN / name
    assert path.exists(), f"{name} is missing from .venv: run `make venv` (requirements.lock pins it)"
    return str(path)


def binary(name: str) -> str:
    """A system binary (Debian package `prometheus` gives promtool and prometheus); skip if absent.

    .ci/run installs the package, so CI always runs these checks.
    """
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package `prometheus`; .ci/run installs it)")
    return path


def run(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout)


def documents(path: Path) -> list[dict]:
    """The YAML documents of a file, without empty ones."""
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


# -- Kubernetes --------------------------------------------------------------------------------------

def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))


def k8s_objects() -> list[tuple[str, dict]]:
    """(file name, object) for every resource `kubectl apply -k deploy/k8s` would apply."""
    return [(name, doc) for name in kustomization()["resources"] for doc in documents(K8S / name)]


def crds() -> dict[tuple[str, str], dict]:
    """(apiVersion, kind) -> the openAPIV3Schema of that version, from the CRDs kept in crds/."""
    result = {}
    for path in sorted(CRDS.glob("*.yaml")):
        for crd in documents(path):
            assert crd["kind"] == "CustomResourceDefinition", path
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                result[(f"{group}/{version['name']}", kind)] = version["schema"]["openAPIV3Schema"]
    return result


CRD_REGEX_VARIANT = "python"


def strict_json_schema(openapi: dict) -> dict:
    """A CRD's structural openAPIV3Schema as a JSON Schema that rejects unknown fields.

    The API server prunes (or, with strict field validation, rejects) fields a CRD does not
    declare; JSON Schema allows them unless told otherwise, so every object that lists its
    `properties` gets additionalProperties: false, except where the CRD itself says
    x-kubernetes-preserve-unknown-fields or gives additionalProperties. The root's `metadata`
    is an ObjectMeta, which the API server validates itself; it stays open here.
    `x-kubernetes-*` keywords are ignored by JSON Schema validators (CEL rules are not evaluated).

    Patterns are Go (RE2) regular expressions, checked here with Python's dialect
    (check-jsonschema --regex-variant python, see CRD_REGEX_VARIANT): the two agree on what the
    CRDs use, except that RE2 accepts a global flag after the anchor (`^(?i)...`), which Python
    wants first; that one spelling is moved, with the same meaning.
    """
    def strict(node: Any) -> Any:
        if isinstance(node, dict):
            node = {key: strict(value) for key, value in node.items()}
            if isinstance(node.get("pattern"), str):
                node["pattern"] = re.sub(r"^\^\(\?([a-zA-Z]+)\)", r"(?\1)^", node["pattern"])
            if ("properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            return node
        if isinstance(node, list):
            return [strict(item) for item in node]
        return node

    schema = strict(copy.deepcopy(openapi))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return schema


# -- the code's own names ----------------------------------------------------------------------------

CODE_DIRS = ("shared", "services", "deploy")
_ENV_CALL = re.compile(
    r"""(?:environ\.get|env\.get|environ\[|getenv)\(?\s*(f?)(["'])([^"']+)\2|(?:environ\.get|env\.get|getenv)\(\s*([A-Z_][A-Z0-9_]*)\s*[,)]""")


def _constants(source: str) -> dict[str, str]:
    """Module-level NAME = "value" assignments (for os.environ.get(NAME))."""
    found = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


@lru_cache(maxsize=1)
def environment_names_read_by_code() -> tuple[frozenset[str], tuple[str, ...]]:
    """(literal names, regexes for f-string names like {service.upper()}_HTTP_PORT) the code reads.

    Read from the Python code in shared/, services/ and deploy/, and from the Dockerfile (its
    CMD reads SERVICE, its HEALTHCHECK the port variables).
    """
    names: set[str] = set()
    patterns: list[str] = []
    for directory in CODE_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            constants = _constants(source)
            for match in _ENV_CALL.finditer(source):
                fstring, _, literal, constant = match.groups()
                if constant:
                    if constant in constants:
                        names.add(constants[constant])
                elif fstring:
                    patterns.append("^" + re.sub(r"\\\{[^}]*\\\}", "[A-Z_]+", re.escape(literal)) + "$")
                else:
                    names.add(literal)
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    names.update(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", dockerfile))
    names.update(re.findall(r"os\.environ\.get\('([A-Z_][A-Z0-9_]*)'", dockerfile))
    return frozenset(names), tuple(patterns)


def read_by_code(name: str) -> bool:
    names, patterns = environment_names_read_by_code()
    return name in names or any(re.match(p, name) for p in patterns)


def service_ports() -> dict[str, int]:
    from shared.config import SERVICE_PORTS
    return dict(SERVICE_PORTS)


def metric_names_in_code() -> set[str]:
    """Every sample name the services can expose (counters with _total, histograms' _bucket...).

    Imports the four service modules in a fresh interpreter (their metrics register at import)
    and lists the samples of an exposition in which every labelled metric has one child.
    """
    return {line.split("{")[0].split(" ")[0] for line in full_exposition().splitlines()
            if line and not line.startswith("#")}


_EXPOSITION_SCRIPT = r"""
import importlib, sys
from shared import metrics
for service in ("registration", "enforcement", "ip_protection", "legal_review"):
    importlib.import_module(f"services.{service}.service")
for collector in list(metrics.REGISTRY._collector_to_names):
    labels = getattr(collector, "_labelnames", ())
    if labels:
        child = collector.labels(*["x"] * len(labels))
        if hasattr(child, "inc"):
            child.inc()
        elif hasattr(child, "observe"):
            child.observe(1)
        else:
            child.set(1)
sys.stdout.write(metrics.exposition().decode())
"""


@lru_cache(maxsize=1)
def full_exposition() -> str:
    """/metrics as it is once every metric of every service has a series (Prometheus text)."""
    answer = run(sys.executable, "-W", "ignore", "-c", _EXPOSITION_SCRIPT, timeout=120)
    assert answer.returncode == 0, answer.stderr[-3000:]
    return answer.stdout


def alert_rules() -> list[dict]:
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_yaml(path: Path, value: Any) -> Path:
    path.write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def lines(text: str) -> Iterable[str]:
    return [line for line in text.splitlines() if line.strip()]
