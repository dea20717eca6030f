"""The legal_review service: nameko entrypoints only; the rules live in `domain/`."""
from pathlib import Path

from services.legal_review.tables import metadata
from shared.service import PlatformService
from shared.store import Store


class LegalReviewService(PlatformService):
    name = "legal_review"
    store = Store(metadata, Path(__file__).parent / "migrations")
