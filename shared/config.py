"""Configuration from environment variables, with documented defaults (CONTRACT §1).

Every setting has a default that runs the platform on one machine: the local RabbitMQ and one
SQLite file per service under ``DATA_DIR``. Production sets ``DATABASE_URL`` to PostgreSQL.

| variable | default | meaning |
| --- | --- | --- |
| ``AMQP_URI`` | ``amqp://guest:guest@127.0.0.1:5672/`` | the broker |
| ``DATABASE_URL`` | ``sqlite:///$DATA_DIR/<service>.db`` | this service's own database |
| ``<SERVICE>_DATABASE_URL`` | unset | per-service override, for ``make up`` running all four |
| ``DATA_DIR`` | ``./var`` | where SQLite files live |
| ``JWT_SECRET`` | a development secret (logged as a warning) | HS256 token-signing secret |
| ``HTTP_HOST`` / ``HTTP_PORT`` | ``127.0.0.1`` / the service's port | HTTP address |
| ``HOLIDAY_TABLE`` | the shipped ``shared/data/holidays.json`` | operator working-day table (C-WD) |
| ``EVENT_MAX_RETRIES`` | ``5`` | handler attempts before a message is dead-lettered |
| ``EVENT_RETRY_DELAY_MS`` | ``2000`` | delay between handler attempts |
| ``EVENT_DELIVERY_LIMIT`` | ``EVENT_MAX_RETRIES + 5`` | redeliveries of a message whose consumer died before acking (a crash loop) before the broker dead-letters it |
| ``OUTBOX_RETENTION_DAYS`` | ``7`` | published events are kept this long in the outbox, then pruned |
| ``OUTBOX_POLL_SECONDS`` | ``1.0`` | relay safety-net poll; publication is prompt on commit anyway |
| ``OUTBOX_RELAY_ENABLED`` | ``true`` | ``false`` runs the service without publishing (a maintenance replica; tests use it to stop a service between commit and publish) |
| ``LOG_LEVEL`` | ``INFO`` | |
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

SERVICE_PORTS: dict[str, int] = {
    "registration": 8001,
    "enforcement": 8002,
    "ip_protection": 8003,
    "legal_review": 8004,
}
DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789"


@dataclass(frozen=True)
class Settings:
    service: str
    amqp_uri: str
    database_url: str
    jwt_secret: str
    http_host: str
    http_port: int
    data_dir: Path
    holiday_table: str | None
    event_max_retries: int
    event_retry_delay_ms: int
    event_delivery_limit: int
    outbox_retention_days: float
    outbox_poll_seconds: float
    outbox_relay_enabled: bool
    log_level: str

    @property
    def uses_development_secret(self) -> bool:
        return self.jwt_secret == DEVELOPMENT_JWT_SECRET


def load_settings(service: str, environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("DATA_DIR", "var"))
    database_url = (
        env.get(f"{service.upper()}_DATABASE_URL")
        or env.get("DATABASE_URL")
        or f"sqlite:///{data_dir / (service + '.db')}"
    )
    return Settings(
        service=service,
        amqp_uri=env.get("AMQP_URI", DEFAULT_AMQP_URI),
        database_url=database_url,
        jwt_secret=env.get("JWT_SECRET", DEVELOPMENT_JWT_SECRET),
        http_host=env.get("HTTP_HOST", "127.0.0.1"),
        http_port=int(env.get(f"{service.upper()}_HTTP_PORT") or env.get("HTTP_PORT") or SERVICE_PORTS.get(service, 8000)),
        data_dir=data_dir,
        holiday_table=env.get("HOLIDAY_TABLE") or None,
        event_max_retries=int(env.get("EVENT_MAX_RETRIES", "5")),
        event_retry_delay_ms=int(env.get("EVENT_RETRY_DELAY_MS", "2000")),
        event_delivery_limit=int(env.get("EVENT_DELIVERY_LIMIT") or int(env.get("EVENT_MAX_RETRIES", "5")) + 5),
        outbox_retention_days=float(env.get("OUTBOX_RETENTION_DAYS", "7")),
        outbox_poll_seconds=float(env.get("OUTBOX_POLL_SECONDS", "1.0")),
        outbox_relay_enabled=env.get("OUTBOX_RELAY_ENABLED", "true").lower() not in ("0", "false", "no", "off"),
        log_level=env.get("LOG_LEVEL", "INFO"),
    )
