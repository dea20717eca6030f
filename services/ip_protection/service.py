"""The ip_protection service: nameko entrypoints only; the rules live in `domain/`."""
from pathlib import Path

from services.ip_protection.tables import metadata
from shared.service import PlatformService
from shared.store import Store


class IpProtectionService(PlatformService):
    name = "ip_protection"
    store = Store(metadata, Path(__file__).parent / "migrations")
