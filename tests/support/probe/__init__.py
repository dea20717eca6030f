"""Probe services: the smallest producer and consumer that exercise the backbone for real.

They run as real processes (``python -m shared.runner tests.support.probe.service:Producer``),
named by ``PROBE_NAME`` so that every test has its own exchanges and queues.
"""
