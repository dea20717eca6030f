"""The test process must stay unpatched by eventlet: services run in their own processes. Importing
``shared.runner`` patches the importing process (as nameko's CLI does), so nothing but a service
process may import it; this test fails if any test module does, which once made the pytest process's
subprocesses and sockets green and broke later integration tests."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_test_module_imports_the_runner():
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("*.py")
                 if re.search(r"^\s*(from shared\.runner import|import shared\.runner)", path.read_text("utf-8"), re.M)]
    assert offenders == []


def test_the_pytest_process_is_not_monkey_patched():
    import eventlet.patcher
    import socket

    assert not eventlet.patcher.is_monkey_patched("socket"), "something imported shared.runner in the test process"
    assert socket.socket.__module__ == "socket"
