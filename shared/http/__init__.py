"""The HTTP toolkit every service uses: routes with roles and JSON Schema bodies, RFC 9457
problems, JWT auth, Idempotency-Key, and OpenAPI generated from the routes that exist."""
from shared.http.problems import Problem
from shared.http.routes import PUBLIC, route

__all__ = ["Problem", "PUBLIC", "route"]
