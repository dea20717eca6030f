"""The registration service: nameko entrypoints only; the rules live in `domain/`."""
from pathlib import Path

from services.registration.tables import metadata
from shared.service import PlatformService
from shared.store import Store


class RegistrationService(PlatformService):
    name = "registration"
    store = Store(metadata, Path(__file__).parent / "migrations")
