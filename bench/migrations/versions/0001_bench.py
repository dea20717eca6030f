"""Benchmark tables. Revision ID: bench_0001"""
from shared.db import tables_migration

revision, down_revision, branch_labels, depends_on = "bench_0001", None, None, None
upgrade, downgrade = tables_migration("bench.tables")
