"""``@route``: the one HTTP entrypoint of every service.

Each route declares, in one place, the roles it allows, its request body schema and its response
schema; the same declaration drives authentication, validation, the OpenAPI document and the
generic auth test that walks every route. Errors are RFC 9457 problems; client input never
yields a 5xx or a traceback.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any, Iterable

import eventlet
from eventlet.event import Event as GreenEvent
from jsonschema import Draft202012Validator, FormatChecker, validators
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from sqlalchemy import insert, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound as RouteNotFound
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from shared import metrics
from shared.errors import DomainError
from shared.http.auth import AuthenticationFailed, NotAllowed, Principal, authenticate, authorize
from shared.http.problems import Problem
from shared.store import FLOW_CONTEXT_KEY, FlowContext, Store

log = logging.getLogger(__name__)

PUBLIC = frozenset({"public"})
MAX_BODY_BYTES = 1_000_000
CORRELATION_HEADER = "X-Correlation-Id"
# A replayed key whose command committed this long ago without an answer: the process died in between.
ANSWER_LOST_AFTER = timedelta(seconds=15)
ANSWER_LOST_TYPE = "https://amr.jiedong.example/problems/answer-lost"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SECOND_OFFICER_HEADER = "X-Second-Officer"  # O-TWO: the second officer's own bearer token
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")


class ProblemWsgiApp(WsgiApp):
    """Unknown paths and wrong methods answer problem+json too, not werkzeug's HTML."""

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            response = provider.handle_request(request)
        except MethodNotAllowed as exc:
            response = Problem(405, f"{environ.get('REQUEST_METHOD')} is not allowed here",
                               headers={"Allow": ", ".join(exc.valid_methods or [])}).response()
        except RouteNotFound:
            response = Problem(404, f"no route {environ.get('PATH_INFO')}").response()
        except HTTPException as exc:
            response = Problem(exc.code or 400, exc.description or exc.name).response()
        except Exception:  # never a traceback to the client
            log.exception("unhandled error routing %s", environ.get("PATH_INFO"))
            response = Problem(500, "internal error; it has been logged").response()
        return response(environ, start_response)


class ProblemWebServer(WebServer):
    def get_wsgi_app(self):
        return ProblemWsgiApp(self)

    @property
    def bind_addr(self):
        from shared.config import load_settings
        config = self.container.config
        if "WEB_SERVER_ADDRESS" in config:
            host, _, port = config["WEB_SERVER_ADDRESS"].rpartition(":")
            return host, int(port)
        settings = load_settings(self.container.service_name)
        return settings.http_host, settings.http_port


# JSON Schema's "integer" admits 2.0; the domain code wants a Python int: only JSON integers pass.
BodyValidator = validators.extend(Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)))


def _nul_errors(value: Any, path: str = "") -> list[dict[str, str]]:
    """U+0000 in any string or key: PostgreSQL text cannot hold it (a 500 there), so a 422 everywhere."""
    if isinstance(value, str):
        return [{"path": path or "/", "message": "text may not contain U+0000"}] if "\x00" in value else []
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in _nul_errors(k, path + "/" + str(k)) + _nul_errors(v, path + "/" + str(k))]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _nul_errors(v, f"{path}/{i}")]
    return []


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def page_limit(args, *, default: int = 50, maximum: int = 200) -> int:
    """``?limit=`` of a paged list (CONTRACT §2), clamped to 1..maximum; not a number → 422."""
    from shared.errors import RuleViolation

    try:
        return min(max(int(args.get("limit", default)), 1), maximum)
    except ValueError:
        raise RuleViolation(f"limit must be an integer from 1 to {maximum}") from None


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity (Python's json accepts them by default)."""
    if not raw:
        raise Problem(400, "the request needs a JSON body")
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Problem(400, f"the body is not valid UTF-8 JSON: {exc}") from None


def _schema_errors(validator: Draft202012Validator, instance: Any) -> list[dict[str, str]]:
    return [
        {"path": "/" + "/".join(str(p) for p in error.absolute_path), "message": error.message[:500]}
        for error in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    ][:50]


class Route(HttpRequestHandler):
    """An HTTP route: method, path, allowed roles, request and response schemas."""

    server = ProblemWebServer()

    def __init__(self, method: str, url: str, *, roles: Iterable[str], body: dict | None = None,
                 response: dict | None = None, summary: str = "", status: int = 200,
                 query: dict | None = None, content_type: str = "application/json",
                 second_officer: bool = False, **kwargs):
        # A refusal (domain error, problem) is an answer, not a crash: nameko logs it as expected.
        kwargs.setdefault("expected_exceptions", (DomainError, Problem))
        super().__init__(method, url, **kwargs)
        self.roles = frozenset(roles)
        if not self.roles:
            raise ValueError(f"{method} {url}: declare the roles allowed (or PUBLIC)")
        self.body_schema = body
        self.response_schema = response
        self.query_schema = query
        self.summary = summary
        self.status = status
        self.content_type = content_type
        self.second_officer = second_officer
        self._validator = BodyValidator(body, format_checker=FormatChecker()) if body else None

    @property
    def is_public(self) -> bool:
        return self.roles == PUBLIC

    @property
    def template(self) -> str:
        return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", self.url)

    def get_url_rule(self):
        return Rule(self.url, methods=[self.method])

    def setup(self):
        super().setup()
        stores = [d for d in self.container.dependencies if isinstance(d, Store)]
        self.store = stores[0] if stores else None

    # -- the request ---------------------------------------------------------------------------
    def handle_request(self, request):
        started = time.perf_counter()
        try:
            response = self._handle(request)
        except Problem as problem:
            response = problem.response()
        except Exception as exc:  # e.g. the database down while reading an Idempotency-Key: 503, not 500
            if not isinstance(exc, (OperationalError, InterfaceError)):
                log.exception("unhandled error in %s %s", self.method, self.url)
            response = self._problem_from(exc).response()
        service = self.container.service_name
        metrics.HTTP_REQUESTS.labels(service, self.template, self.method, str(response.status_code)).inc()
        metrics.HTTP_SECONDS.labels(service, self.template, self.method).observe(time.perf_counter() - started)
        return response

    def _handle(self, request) -> Response:
        request.shallow = False
        principal = self._authenticate(request)
        request.principal = principal
        raw = request.get_data(cache=True)
        if len(raw) > MAX_BODY_BYTES:
            raise Problem(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        request.body = None
        inputs = {f"/{k}": v for k, v in getattr(request, "path_values", {}).items()}
        inputs.update({f"?{k}": v for k, vs in request.args.lists() for v in vs})
        nul = _nul_errors(inputs)
        if nul:
            raise Problem(422, "a path or query parameter contains U+0000", errors=nul)
        if self._validator is not None:
            request.body = parse_json(raw)
            errors = _schema_errors(self._validator, request.body) or _nul_errors(request.body)
            if errors:
                raise Problem(422, "the body does not match the schema of this route", errors=errors)
        idempotency = self._idempotency(request, principal, raw)
        if isinstance(idempotency, Response):
            return idempotency
        correlation = request.headers.get(CORRELATION_HEADER, "")[:100] or str(uuid.uuid4())
        context = FlowContext(correlation_id=correlation, causation_id=f"http:{uuid.uuid4()}",
                              idempotency=idempotency)
        args, kwargs = self.get_entrypoint_parameters(request)
        done = GreenEvent()
        self.container.spawn_worker(self, args, kwargs, context_data={FLOW_CONTEXT_KEY: context},
                                    handle_result=partial(self.handle_result, done))
        result, exc_info = done.wait()
        if exc_info is not None:
            raise self._problem_from(exc_info[1])
        response = self._response_from(result)
        response.headers[CORRELATION_HEADER] = correlation
        if idempotency is not None and response.status_code < 300:
            self._remember(idempotency, response)
        return response

    def handle_result(self, done, worker_ctx, result, exc_info):
        done.send((result, exc_info))
        return result, exc_info

    def _authenticate(self, request) -> Principal | None:
        if self.is_public:
            return None
        try:
            principal = authenticate(request.headers.get("Authorization"))
            authorize(principal, self.roles)
        except AuthenticationFailed as exc:
            raise Problem(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
        except NotAllowed as exc:
            raise Problem(403, str(exc)) from None
        request.officers = [principal]
        if self.second_officer:
            header = request.headers.get(SECOND_OFFICER_HEADER)
            if not header:
                raise Problem(403, f"O-TWO: this action needs two officers; send the second officer's token "
                                   f"as '{SECOND_OFFICER_HEADER}: Bearer <token>'")
            try:
                request.officers.append(authenticate(header))
            except AuthenticationFailed as exc:
                raise Problem(403, f"O-TWO: the second officer's token is not valid: {exc}") from None
        return principal

    @staticmethod
    def _problem_from(exc: BaseException) -> Problem:
        if isinstance(exc, Problem):
            return exc
        if isinstance(exc, DomainError):
            return Problem.from_domain(exc)
        if isinstance(exc, (OperationalError, InterfaceError)) or getattr(exc, "connection_invalidated", False):
            log.warning("database unavailable: %s", exc)
            return Problem(503, "the database is unavailable; retry shortly", headers={"Retry-After": "2"})
        log.error("unhandled %s in a route: %s", type(exc).__name__, exc)
        return Problem(500, "internal error; it has been logged")

    def _response_from(self, result: Any) -> Response:
        if isinstance(result, Response):
            return result
        status, headers, payload = self.status, {}, result
        if isinstance(result, tuple):
            if len(result) == 3:
                status, headers, payload = result
            else:
                status, payload = result
        return Response(json.dumps(payload, ensure_ascii=False, default=_json_default), status=status,
                        headers=headers, content_type="application/json; charset=utf-8")

    # -- Idempotency-Key -----------------------------------------------------------------------
    def _idempotency(self, request, principal: Principal | None, raw: bytes):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None or self.method != "POST" or self.store is None:
            return None
        if not _KEY_PATTERN.match(key):
            raise Problem(400, "Idempotency-Key must be 1-200 visible ASCII characters")
        who = principal.staff_id if principal else "anonymous"
        fingerprint = hashlib.sha256(f"{self.method} {request.path}\n".encode() + raw).hexdigest()
        table = self.store.tables["idempotency_keys"]
        with self.store.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.principal == who, table.c.key == key)).first()
        if row is None:
            return who, key, fingerprint
        if row.fingerprint != fingerprint:
            raise Problem(422, "this Idempotency-Key was already used for a different request")
        if row.status is None:
            created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=timezone.utc)
            if datetime.now(timezone.utc) - created < ANSWER_LOST_AFTER:
                raise Problem(409, "a request with this Idempotency-Key is still being processed")
            # Committed long ago and never answered: the service stopped between the two.
            applied = json.loads(row.body) if row.body else {}
            raise Problem(409, "this request was applied, but its answer was lost (the service stopped before "
                               "answering); read the resources it changed", type_=ANSWER_LOST_TYPE, applied=True,
                          subjects=applied.get("subjects", []), event_types=applied.get("event_types", []))
        return Response(row.body, status=row.status, content_type="application/json; charset=utf-8",
                        headers={"Idempotent-Replayed": "true"})

    def _remember(self, idempotency: tuple[str, str, str], response: Response) -> None:
        who, key, fingerprint = idempotency
        table = self.store.tables["idempotency_keys"]
        values = {"status": response.status_code, "body": response.get_data(as_text=True)}
        for attempt in range(8):  # the database restarting must not leave the answer unrecorded
            try:
                with self.store.engine.begin() as conn:
                    updated = conn.execute(update(table).where(table.c.principal == who, table.c.key == key)
                                           .values(**values)).rowcount
                    if not updated:  # the handler wrote nothing through a unit of work
                        conn.execute(insert(table).values(principal=who, key=key, fingerprint=fingerprint,
                                                          created_at=datetime.now(timezone.utc), **values))
                return
            except (OperationalError, InterfaceError) as exc:
                log.warning("could not record the answer to Idempotency-Key %s yet: %s", key, exc)
                eventlet.sleep(0.25 * 2 ** attempt)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


route = Route.decorator
