"""Waiting for an eventually consistent platform: poll a read until it shows what an event caused."""
from __future__ import annotations

import time
from typing import Any, Callable


def eventually(fetch: Callable[[], Any], check: Callable[[Any], bool], timeout: float = 20.0,
               pause: float = 0.1) -> Any:
    """The first value of ``fetch()`` that passes ``check``, or the last one after ``timeout`` seconds
    (the caller's assertion then shows what was seen)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if check(value) or time.monotonic() > deadline:
            return value
        time.sleep(pause)
