"""Random inspections: the target library (read model), inspectors, draws, results. Revision ID: enforcement_0003"""
from shared.db import tables_migration

revision, down_revision, branch_labels, depends_on = "enforcement_0003", "enforcement_0002", None, None
upgrade, downgrade = tables_migration("services.enforcement.tables", (
    "register_entities", "inspectors", "inspection_draws", "inspection_results"))
