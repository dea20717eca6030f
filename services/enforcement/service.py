"""The enforcement service: nameko entrypoints only; the rules live in `domain/`."""
from pathlib import Path

from services.enforcement.tables import metadata
from shared.service import PlatformService
from shared.store import Store


class EnforcementService(PlatformService):
    name = "enforcement"
    store = Store(metadata, Path(__file__).parent / "migrations")
