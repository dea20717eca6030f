"""Tokens for tests, minted with the development secret the test processes use."""
from __future__ import annotations

from shared.http.auth import mint_token


def bearer(roles: list[str], sub: str = "T-0001", **claims) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(sub, roles, name="测试", **claims)}


OPERATOR = bearer(["operator"])
