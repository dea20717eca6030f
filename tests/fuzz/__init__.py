"""Fuzzing every service's HTTP API from its own ``/openapi.json`` with schemathesis.

``test_schemathesis.py`` runs it in the suite (each service as a process on SQLite);
``python -m tests.fuzz`` runs the schemathesis CLI against a running ``make up``. See README.md.
"""
