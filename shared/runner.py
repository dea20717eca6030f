"""Run one service: ``python -m shared.runner <service>`` (what a container or ``make up`` runs)."""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # noqa: E402  (must precede every other import, as nameko's CLI does)

import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from shared.config import SERVICE_PORTS, load_settings  # noqa: E402
from shared.service import service_class  # noqa: E402

log = logging.getLogger("shared.runner")


def nameko_config(name: str) -> dict:
    settings = load_settings(name)
    return {
        "AMQP_URI": settings.amqp_uri,
        "DATABASE_URL": settings.database_url,
        "WEB_SERVER_ADDRESS": f"{settings.http_host}:{settings.http_port}",
        "max_workers": 20,
        "serializer": "json",
    }


def main(argv: list[str]) -> None:
    if len(argv) != 1 or (argv[0] not in SERVICE_PORTS and ":" not in argv[0]):
        raise SystemExit(f"usage: python -m shared.runner {{{'|'.join(SERVICE_PORTS)}|module:Class}}")
    cls = service_class(argv[0])
    name = cls.name
    settings = load_settings(name)
    logging.basicConfig(level=settings.log_level, format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s")
    if settings.uses_development_secret:
        log.warning("JWT_SECRET is not set: using the development secret (never in production)")
    runner = ServiceRunner(nameko_config(name))
    runner.add_service(cls)

    stopping: list[bool] = []

    def shutdown(signum, frame):
        # Once: Ctrl-C reaches every process of the group and `make up` then sends SIGTERM too; a
        # second runner.stop() would fail inside nameko and leave the service hanging.
        if not stopping:
            stopping.append(True)
            eventlet.spawn(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    log.info("%s listening on http://%s:%s", name, settings.http_host, settings.http_port)
    runner.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
