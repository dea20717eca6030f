"""Load a synthetic register of the district (or part of it) into registration, with a progress bar.

    python -m services.registration.importer                       # the whole district, 53,453 entities
    python -m services.registration.importer --count 2000 --seed 7
    python -m services.registration.importer --via api --url http://127.0.0.1:8001 --count 500

``--via database`` (the default) writes straight into registration's database through the same
domain objects, repository and outbox as ``POST /entities``: every entity gets its
``entity.registered`` event, published by the running service's outbox relay (or when it next
starts: nothing is lost if it is down). ``--via api`` posts each entity to a running service with a
registrar token, as another system would. Entities already on the register are skipped, so an
interrupted import can be run again.

Most enterprises and cooperatives filed their last annual report in time (R-ANNUAL); a share given by
``--missing-reports`` (default 4% [U]) did not, and the daily timer lists them (R-ABNORMAL).
"""
from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import select
from tqdm import tqdm

from services.registration import repository as repo
from services.registration.domain.entity import Entity
from services.registration.domain.listings import annual_report_due
from services.registration.domain.synthetic import DISTRICT_MIX, synthetic_register
from services.registration.tables import entities, metadata
from shared.calendar import WorkingDayCalendar
from shared.config import load_settings
from shared.db import make_engine, upgrade_to_head
from shared.law.uscc import EntityCategory
from shared.store import CATALOG, FlowContext, UnitOfWork

MIGRATIONS = Path(__file__).parent / "migrations"
BATCH = 500


def district_sample(count: int | None, seed: int) -> Iterator[dict]:
    """The first ``count`` entities of the synthetic district (all 53,453 when None)."""
    register = synthetic_register(seed, **DISTRICT_MIX)
    return register if count is None else itertools.islice(register, count)


def report_year(today: date) -> int:
    """The report year whose deadline has passed (R-ANNUAL)."""
    return today.year - 1 if today > annual_report_due(today.year - 1) else today.year - 2


def _filed_report(body: dict, year: int, rng: random.Random, missing: float) -> date | None:
    if body["category"] == EntityCategory.INDIVIDUAL_BUSINESS.value:
        return None
    if date.fromisoformat(body["established_on"]).year > year or rng.random() < missing:
        return None
    return date(year + 1, rng.randint(3, 6), rng.randint(1, 28))


def import_into_database(url: str, bodies: Iterable[dict], *, total: int, missing: float, seed: int) -> int:
    upgrade_to_head(url, MIGRATIONS)
    engine = make_engine(url)
    tables = {name: metadata.tables[name] for name in ("outbox", "inbox", "idempotency_keys")}
    year = report_year(WorkingDayCalendar().today())
    rng = random.Random(seed)
    added = 0
    with tqdm(total=total, unit="entity", desc="register", file=sys.stderr) as bar:
        for batch in _batches(bodies, BATCH):
            context = FlowContext(correlation_id=f"import-{uuid.uuid4()}", causation_id="import:synthetic-register")
            with UnitOfWork(service="registration", engine=engine, tables=tables, catalog=CATALOG,
                            context=context) as uow:
                known = {row.uscc for row in uow.execute(select(entities.c.uscc).where(
                    entities.c.uscc.in_([b["uscc"] for b in batch])))}
                for body in batch:
                    if body["uscc"] in known:
                        continue
                    entity = Entity.from_registration(body["uscc"], body)
                    repo.insert_entity(uow, entity)
                    uow.publish("entity.registered", subject=entity.uscc, data=entity.public())
                    filed = _filed_report(body, year, rng, missing)
                    if filed and repo.file_report(uow, entity.uscc, year, filed):
                        uow.publish("entity.annual_report_filed", subject=entity.uscc, data={
                            "uscc": entity.uscc, "year": year, "filed_on": filed.isoformat(), "on_time": True})
                    added += 1
            bar.update(len(batch))
    engine.dispose()
    return added


def import_through_api(url: str, token: str, bodies: Iterable[dict], *, total: int, missing: float, seed: int,
                       workers: int) -> int:
    import requests

    headers = {"Authorization": f"Bearer {token}"}
    session = requests.Session()
    year = report_year(WorkingDayCalendar().today())

    def post(body: dict) -> int:
        answer = session.post(f"{url}/entities", json=body, headers=headers, timeout=30)
        if answer.status_code == 409:
            return 0  # already registered: an earlier run got this far
        if answer.status_code != 201:
            raise SystemExit(f"POST /entities answered {answer.status_code}: {answer.text}")
        filed = _filed_report(body, year, random.Random(f"{seed}:{body['uscc']}"), missing)
        if filed:
            session.post(f"{url}/entities/{body['uscc']}/annual-reports",
                         json={"year": year, "filed_on": filed.isoformat()}, headers=headers, timeout=30)
        return 1

    added = 0
    with tqdm(total=total, unit="entity", desc="register", file=sys.stderr) as bar, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(post, bodies):
            added += done
            bar.update(1)
    return added


def _batches(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=None, help="how many entities (default: the whole district)")
    parser.add_argument("--seed", type=int, default=2020, help="the synthetic register's seed")
    parser.add_argument("--via", choices=("database", "api"), default="database")
    parser.add_argument("--database-url", default=None, help="default: registration's DATABASE_URL setting")
    parser.add_argument("--url", default="http://127.0.0.1:8001", help="with --via api: registration's address")
    parser.add_argument("--workers", type=int, default=4, help="with --via api: parallel requests")
    parser.add_argument("--missing-reports", type=float, default=0.04,
                        help="share of enterprises and cooperatives without their last annual report")
    args = parser.parse_args(argv)
    total = args.count if args.count is not None else sum(DISTRICT_MIX.values())
    bodies = district_sample(args.count, args.seed)
    started = time.perf_counter()
    if args.via == "database":
        url = args.database_url or load_settings("registration").database_url
        added = import_into_database(url, bodies, total=total, missing=args.missing_reports, seed=args.seed)
    else:
        from shared.http.auth import mint_token
        token = mint_token("importer", ["registrar"], name="synthetic register import")
        added = import_through_api(args.url.rstrip("/"), token, bodies, total=total, missing=args.missing_reports,
                                   seed=args.seed, workers=args.workers)
    seconds = time.perf_counter() - started
    print(f"{added} entities added ({total - added} already there) in {seconds:.1f} s "
          f"({added / seconds if seconds else 0:.0f}/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
