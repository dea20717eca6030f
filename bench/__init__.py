"""Benchmarks of the event backbone (``python -m bench.backbone``); see bench/README.md."""
