"""Probe tables. Revision ID: probe_0001"""
from shared.db import tables_migration

revision, down_revision, branch_labels, depends_on = "probe_0001", None, None, None
upgrade, downgrade = tables_migration("tests.support.probe.tables")
