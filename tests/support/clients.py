"""A real service process seen through its HTTP API, for integration tests."""
from __future__ import annotations

import requests


class ServiceClient:
    """``post``/``get`` with the service's usual token, asserting the expected status."""

    headers: dict[str, str] = {}

    def __init__(self, process):
        self.process = process
        self.url = process.url

    def post(self, path: str, body, headers=None, expect: int | None = 201):
        answer = requests.post(self.url + path, json=body, headers=self.headers if headers is None else headers,
                               timeout=15)
        if expect is not None:
            assert answer.status_code == expect, f"{path}: {answer.status_code} {answer.text}"
        return answer

    def get(self, path: str, headers=None, expect: int = 200):
        answer = requests.get(self.url + path, headers=self.headers if headers is None else headers, timeout=15)
        assert answer.status_code == expect, f"{path}: {answer.status_code} {answer.text}"
        return answer.json()
