from shared.db import run_migrations_env
from tests.support.probe.tables import metadata

run_migrations_env(metadata)
