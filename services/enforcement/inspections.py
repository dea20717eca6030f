"""Random inspections (双随机、一公开, I-DRAW): the entrypoints enforcement serves for them.

The target library is enforcement's read model of the register, kept from registration's events;
the inspector library is kept here by supervisors. A draw's candidates and roster are stored as
they were, so anyone can re-run it later (``/verification``) and get the same result. A result with
a suspected violation becomes a clue (source: inspection) in the same transaction.
"""
from __future__ import annotations

import json
import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update

from services.enforcement import schemas
from services.enforcement.domain import inspection
from services.enforcement.tables import inspection_draws, inspection_results, inspectors, register_entities
from shared.canonical import canonical_json
from shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from shared.events.subscriber import subscribe
from shared.http.routes import PUBLIC, page_limit, route

SUPERVISOR = ("supervisor",)
READERS = ("officer", "supervisor", "operator")
OFFICERS = ("officer", "supervisor")
_STAFF_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_REGISTER_FIELDS = ("name", "category", "status", "sector", "town")
# A target as stored in a draw's snapshot: one row per candidate, in Target's field order.
_TARGET_FIELDS = ("uscc", "name", "category", "status", "sector", "town", "credit_risk")
# The status each registration event leaves the entity in (None: the event says it).
_STATUS_AFTER = {"entity.registered": None, "entity.changed": None,
                 "entity.deregistration_noticed": "deregistration_noticed",
                 "entity.deregistration_stopped": "active", "entity.deregistered": "deregistered",
                 "entity.revoked": "revoked", "entity.credit_updated": None}


class RandomInspections:
    """Mixed into the enforcement service (nameko collects inherited entrypoints)."""

    # -- the target library: a read model of the register ----------------------------------------
    @subscribe("registration", *_STATUS_AFTER)
    def on_register_event(self, event):
        data = event.data
        with self.store.unit_of_work() as uow:
            row = uow.execute(select(register_entities).where(register_entities.c.uscc == data["uscc"])).first()
            values = {k: data[k] for k in _REGISTER_FIELDS if k in data}
            if _STATUS_AFTER[event.type]:
                values["status"] = _STATUS_AFTER[event.type]
            if event.type == "entity.credit_updated":
                values["credit_risk"] = data["credit_risk"]
            if row is None:
                if event.type not in ("entity.registered", "entity.changed"):
                    return  # nothing to attach it to (the entity was registered before this model existed)
                uow.execute(insert(register_entities).values(uscc=data["uscc"], credit_risk="low", **values))
            elif values:
                uow.execute(update(register_entities).where(register_entities.c.uscc == data["uscc"]).values(**values))

    @route("GET", "/inspections/targets", roles=READERS,
           query={k: {"type": "string", "maxLength": 100} for k in ("category", "status", "sector", "town",
                                                                    "credit_risk", "cursor")} | {"limit": {"type": "integer"}},
           summary="检查对象名录库: the target library (the register as enforcement knows it), filtered and paged")
    def list_targets(self, request):
        limit = page_limit(request.args, maximum=500)
        query = select(register_entities).order_by(register_entities.c.uscc)
        count = select(func.count()).select_from(register_entities)
        for name in ("category", "status", "sector", "town", "credit_risk"):
            if request.args.get(name):
                query = query.where(register_entities.c[name] == request.args[name])
                count = count.where(register_entities.c[name] == request.args[name])
        if request.args.get("cursor"):
            query = query.where(register_entities.c.uscc > request.args["cursor"])
        with self.store.engine.connect() as conn:
            items = [dict(row._mapping) for row in conn.execute(query.limit(limit))]
            total = conn.execute(count).scalar()
        return {"items": items, "total": total, "next_cursor": items[-1]["uscc"] if len(items) == limit else None}

    # -- the inspector library ------------------------------------------------------------------------
    @route("PUT", "/inspectors/<staff_id>", roles=SUPERVISOR, body=schemas.INSPECTOR,
           summary="执法检查人员名录库: add or replace an inspector, with the USCCs they must not inspect (回避)")
    def put_inspector(self, request, staff_id):
        if not _STAFF_ID.fullmatch(staff_id):
            raise RuleViolation(f"staff id {staff_id!r} may hold letters, digits and _.:- only")
        data = {"staff_id": staff_id, "conflicts": [], "active": True, **request.body}
        with self.store.unit_of_work() as uow:
            known = uow.execute(select(inspectors.c.staff_id).where(inspectors.c.staff_id == staff_id)).first()
            values = {"name": data["name"], "active": int(data["active"]), "data": data}
            if known:
                uow.execute(update(inspectors).where(inspectors.c.staff_id == staff_id).values(**values))
            else:
                uow.execute(insert(inspectors).values(staff_id=staff_id, **values))
        return data

    @route("GET", "/inspectors", roles=READERS, summary="The inspector library")
    def list_inspectors(self, request):
        with self.store.engine.connect() as conn:
            return {"items": [row.data for row in conn.execute(select(inspectors).order_by(inspectors.c.staff_id))]}

    # -- draws ------------------------------------------------------------------------------------
    @route("POST", "/inspections/draws", roles=SUPERVISOR, body=schemas.DRAW, status=201,
           summary="I-DRAW: draw targets from the register (filtered by the item) and two or more inspectors "
                   "each, none conflicted; the seed is recorded")
    def draw_inspections(self, request):
        data = request.body
        today = self.workdays.today()
        drawn_on = date.fromisoformat(data["drawn_on"]) if data.get("drawn_on") else today
        if drawn_on > today:
            raise RuleViolation("drawn_on is in the future")
        if ("sample_size" in data) == ("sample_ratio" in data):
            raise RuleViolation("I-DRAW: give exactly one of sample_size and sample_ratio")
        spec = data["item"]
        item = inspection.InspectionItem(**{k: frozenset(spec[k]) for k in
                                            ("categories", "sectors", "towns", "credit_risks", "statuses")
                                            if k in spec})
        seed = data.get("seed") or inspection.new_seed()
        with self.store.engine.connect() as conn:
            # Only the admitted targets are kept (the register may hold the whole district).
            candidates = [target for target in (inspection.Target(*row) for row in conn.execute(
                select(*(register_entities.c[name] for name in _TARGET_FIELDS)))) if item.admits(target)]
            roster = [_inspector(row.data) for row in conn.execute(select(inspectors).where(inspectors.c.active == 1))]
        ratio = Decimal(str(data["sample_ratio"])) if "sample_ratio" in data else None
        result = inspection.draw(seed=seed, targets=candidates, item=item, inspectors=roster,
                                 sample_size=data.get("sample_size"), sample_ratio=ratio,
                                 team_size=data["team_size"], on=drawn_on)
        with self.store.unit_of_work() as uow:
            draw_id = f"CJ-{drawn_on.year}-{uuid.uuid4().hex[:10]}"
            published = {"draw_id": draw_id, "item_name": spec["name"], **result.as_dict()}
            uow.execute(insert(inspection_draws).values(
                draw_id=draw_id, drawn_on=drawn_on, data=published,
                candidates=canonical_json([[getattr(t, f) for f in _TARGET_FIELDS] for t in candidates]).decode(),
                roster=canonical_json([_inspector_row(i) for i in roster]).decode("utf-8")))
            uow.publish("inspection.drawn", subject=draw_id, data={
                "draw_id": draw_id, "item": {"name": spec["name"], **item.as_dict()},
                **{k: published[k] for k in ("seed", "algorithm", "drawn_on", "eligible_count", "sample_size",
                                             "team_size", "candidates_digest", "roster_digest", "assignments")}})
        return 201, published

    @route("GET", "/inspections/draws/<draw_id>", roles=READERS,
           summary="A draw: seed, algorithm, digests, the targets and their inspectors, results so far")
    def get_draw(self, request, draw_id):
        with self.store.engine.connect() as conn:
            row = _draw_row(conn, draw_id)
            results = [r.data for r in conn.execute(select(inspection_results)
                                                    .where(inspection_results.c.draw_id == draw_id))]
        return {**row.data, "results": results}

    @route("GET", "/inspections/draws/<draw_id>/verification", roles=READERS,
           summary="I-DRAW: re-run the draw from its recorded seed, candidates and roster; says whether it matches")
    def verify_draw(self, request, draw_id):
        with self.store.engine.connect() as conn:
            row = _draw_row(conn, draw_id)
        targets = [inspection.Target(*t) for t in json.loads(row.candidates)]  # rows in _TARGET_FIELDS order
        roster = [_inspector(i) for i in json.loads(row.roster)]
        recorded = {k: v for k, v in row.data.items() if k not in ("draw_id", "item_name")}
        item = inspection.InspectionItem(**{k: frozenset(v) for k, v in recorded["item"].items()})
        valid = inspection.verify(recorded, targets=targets, item=item, inspectors=roster, on=row.drawn_on)
        return {"draw_id": draw_id, "valid": valid, "algorithm": recorded["algorithm"], "seed": recorded["seed"],
                "candidates": len(targets), "candidates_digest": recorded["candidates_digest"]}

    # -- results --------------------------------------------------------------------------------------
    @route("POST", "/inspections/<draw_id>/results", roles=OFFICERS, body=schemas.INSPECTION_RESULT, status=201,
           second_officer=True,
           summary="I-DRAW: record one target's result (by two of its drawn inspectors); published at once, "
                   "due within 20 WD; a suspected violation becomes a clue")
    def record_result(self, request, draw_id):
        data = request.body
        inspected_on = date.fromisoformat(data["inspected_on"])
        staff = self._officers(request, inspected_on)
        with self.store.unit_of_work() as uow:
            row = _draw_row(uow.connection, draw_id)
            team = next((a for a in row.data["assignments"] if a["uscc"] == data["uscc"]), None)
            if team is None:
                raise NotFound(f"{data['uscc']} was not drawn in {draw_id}")
            strangers = [s for s in staff if s not in team["inspectors"]]
            if strangers:
                raise PermissionDenied(f"I-DRAW: {', '.join(strangers)} was not drawn to inspect {data['uscc']} "
                                       f"(the team is {', '.join(team['inspectors'])})")
            if inspected_on < row.drawn_on or inspected_on > self.workdays.today():
                raise RuleViolation(f"inspected_on must lie between the draw ({row.drawn_on}) and today")
            if uow.execute(select(inspection_results.c.uscc).where(inspection_results.c.draw_id == draw_id,
                                                                   inspection_results.c.uscc == data["uscc"])).first():
                raise Conflict(f"the result for {data['uscc']} in {draw_id} is already recorded")
            result = {"draw_id": draw_id, "uscc": data["uscc"], "name": team["name"], "outcome": data["outcome"],
                      "inspected_on": data["inspected_on"], "inspectors": staff,
                      "publication_due": inspection.results_publication_due(inspected_on, self.workdays).isoformat(),
                      **({"findings": data["findings"]} if data.get("findings") else {})}
            if data["outcome"] == "violation_suspected":
                clue = self._new_clue(uow, {
                    "source": "inspection", "received_on": data["inspected_on"],
                    "subject": {"uscc": data["uscc"], "name": team["name"], "kind": _party_kind(uow, data["uscc"])},
                    "summary": f"双随机抽查（{draw_id}）发现涉嫌违法：{data.get('findings') or '见检查记录'}",
                    "category": data.get("category", "unspecified")}, actor=staff[0])
                result["clue_id"] = clue["clue_id"]
            uow.execute(insert(inspection_results).values(draw_id=draw_id, uscc=data["uscc"],
                                                          inspected_on=inspected_on, data=result))
            uow.publish("inspection.result_recorded", subject=draw_id, data=result)
        return 201, result

    @route("GET", "/public/inspection-results", roles=PUBLIC,
           query={"limit": {"type": "integer"}, "cursor": {"type": "string"}},
           summary="双随机、一公开: the published results of random inspections (no token)")
    def public_inspection_results(self, request):
        limit = page_limit(request.args)
        query = select(inspection_results).order_by(inspection_results.c.inspected_on.desc(),
                                                    inspection_results.c.draw_id, inspection_results.c.uscc)
        cursor = request.args.get("cursor")
        offset = int(cursor) if cursor and cursor.isdigit() else 0
        with self.store.engine.connect() as conn:
            rows = conn.execute(query.offset(offset).limit(limit)).all()
            total = conn.execute(select(func.count()).select_from(inspection_results)).scalar()
        items = [{k: r.data[k] for k in ("draw_id", "uscc", "name", "outcome", "inspected_on")} for r in rows]
        return {"items": items, "total": total,
                "next_cursor": str(offset + limit) if offset + limit < total else None}


def _draw_row(connection, draw_id: str):
    row = connection.execute(select(inspection_draws).where(inspection_draws.c.draw_id == draw_id)).first()
    if row is None:
        raise NotFound(f"no draw {draw_id}")
    return row


def _inspector(data: dict[str, Any]) -> inspection.Inspector:
    expires = data.get("cert_expires")
    return inspection.Inspector(staff_id=data["staff_id"], name=data["name"], conflicts=frozenset(data["conflicts"]),
                                cert_expires=date.fromisoformat(expires) if expires else None)


def _inspector_row(inspector: inspection.Inspector) -> dict[str, Any]:
    return {"staff_id": inspector.staff_id, "name": inspector.name, "conflicts": sorted(inspector.conflicts),
            "cert_expires": inspector.cert_expires.isoformat() if inspector.cert_expires else None}


def _party_kind(uow, uscc: str) -> str:
    row = uow.execute(select(register_entities.c.category).where(register_entities.c.uscc == uscc)).first()
    return "individual_business" if row is not None and row.category == "individual_business" else "organisation"
