"""Walk every route a service's OpenAPI document declares and check who may call it.

The document is generated from the routes that exist, with each route's roles (``x-roles``), so this
walk grows by itself as routes are added.
"""
from __future__ import annotations

import re
import time

import jwt
import requests

from shared.http.auth import CERTIFIED_ROLES, ROLES, mint_token

EXPIRED_CERT = "2020-01-01"
VALID_CERT = "2099-12-31"


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _call(method: str, url: str, headers: dict[str, str]) -> requests.Response:
    body = b"{}" if method in ("post", "put", "patch") else None
    return requests.request(method.upper(), url, data=body, timeout=10,
                            headers={**headers, "Content-Type": "application/json"})


def walk_routes(base_url: str) -> tuple[int, list[str]]:
    """Return (number of protected operations walked, failures)."""
    document = requests.get(base_url + "/openapi.json", timeout=10).json()
    failures: list[str] = []
    walked = 0
    forged = jwt.encode({"sub": "X", "roles": list(ROLES), "exp": int(time.time()) + 600}, "not-the-secret-" * 3,
                        algorithm="HS256")
    expired = mint_token("X", list(ROLES), cert_no="C", cert_expires=VALID_CERT, ttl_seconds=-60)
    for path, operations in document["paths"].items():
        url = base_url + re.sub(r"{[^}]+}", "none-such", path)
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            roles = set(operation["x-roles"])
            if roles == {"public"}:
                answer = _call(method, url, {})
                if answer.status_code in (401, 403) or answer.status_code >= 500:
                    failures.append(f"{where}: public route answered {answer.status_code} without a token")
                continue
            walked += 1
            cases = [("no token", {}, 401), ("forged token", _headers(forged), 401),
                     ("expired token", _headers(expired), 401)]
            wrong_roles = [r for r in ROLES if r not in roles]
            if wrong_roles:
                cases.append(("wrong role", _headers(mint_token("X", wrong_roles, cert_no="C",
                                                                cert_expires=VALID_CERT)), 403))
            for role in sorted(roles & set(CERTIFIED_ROLES)):
                cases.append((f"{role} with an expired certificate",
                              _headers(mint_token("X", [role], cert_no="C", cert_expires=EXPIRED_CERT)), 403))
                cases.append((f"{role} without a certificate", _headers(mint_token("X", [role])), 403))
            for label, headers, expected in cases:
                answer = _call(method, url, headers)
                if answer.status_code != expected:
                    failures.append(f"{where}: {label} gave {answer.status_code}, expected {expected}")
                elif not answer.headers.get("Content-Type", "").startswith("application/problem+json"):
                    failures.append(f"{where}: {label} answered without problem+json")
            second = {}
            if operation.get("x-second-officer"):
                second = {"X-Second-Officer": "Bearer " + mint_token("Y", ["officer"], cert_no="C2",
                                                                     cert_expires=VALID_CERT)}
            for role in sorted(roles):
                answer = _call(method, url, {**second, **_headers(mint_token("X", [role], cert_no="C",
                                                                                cert_expires=VALID_CERT))})
                if answer.status_code in (401, 403) or answer.status_code >= 500:
                    failures.append(f"{where}: allowed role {role} gave {answer.status_code}")
    return walked, failures
