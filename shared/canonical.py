"""Canonical JSON and its SHA-256: the one way the platform hashes content (proposal hashes,
the full-process record's chain). Pure Python.

Canonical form: keys sorted, no insignificant white space, UTF-8 (Chinese text as is), Decimals
and dates as strings. Two values hash alike exactly when their canonical JSON is identical.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} has no canonical JSON form")
        return format(value.normalize(), "f")  # 1.50 and 1.5 and 1.500 hash alike
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default,
                      allow_nan=False).encode("utf-8")


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()
