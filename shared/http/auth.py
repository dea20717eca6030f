"""JWT bearer tokens (CONTRACT §2): who is calling, with which roles and enforcement certificate.

Tokens are HS256 with ``JWT_SECRET``, or EdDSA when ``JWT_PUBLIC_KEY`` (PEM) is set. Claims:
``sub`` (staff id), ``name``, ``roles``, and for officers ``cert_no`` and ``cert_expires``
(their enforcement certificate, 执法证, an ISO date), ``exp``.

``python -m shared.http.auth --sub O-1001 --name 张三 --roles officer --cert-no 44030012
--cert-expires 2027-12-31`` mints a token for local use.
"""
from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from datetime import date, datetime

import jwt

from shared.calendar import SHANGHAI
from shared.config import DEVELOPMENT_JWT_SECRET

ROLES = ("registrar", "officer", "supervisor", "reviewer", "ip_officer", "operator")
CERTIFIED_ROLES = ("officer", "supervisor")


class AuthenticationFailed(Exception):
    """No token, or a token that is not valid: 401."""


class NotAllowed(Exception):
    """A valid token that may not do this: 403."""


@dataclass(frozen=True)
class Principal:
    staff_id: str
    name: str
    roles: frozenset[str]
    cert_no: str | None = None
    cert_expires: date | None = None

    def has_valid_certificate(self, on: date) -> bool:
        """O-TWO: an enforcement certificate counts only while it has not expired."""
        return bool(self.cert_no) and self.cert_expires is not None and self.cert_expires >= on


def _verification_keys() -> tuple[str, list[str]]:
    public_key = os.environ.get("JWT_PUBLIC_KEY")
    if public_key:
        return public_key, ["EdDSA"]
    return os.environ.get("JWT_SECRET", DEVELOPMENT_JWT_SECRET), ["HS256"]


def authenticate(authorization: str | None) -> Principal:
    if not authorization:
        raise AuthenticationFailed("an Authorization: Bearer token is required")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("the Authorization header must be 'Bearer <token>'")
    key, algorithms = _verification_keys()
    try:
        claims = jwt.decode(token.strip(), key, algorithms=algorithms,
                            options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("the token has expired") from None
    except jwt.PyJWTError as exc:
        raise AuthenticationFailed(f"the token is not valid: {exc}") from None
    roles = claims.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise AuthenticationFailed("the token's roles claim must be a list of strings")
    cert_expires = None
    if claims.get("cert_expires"):
        try:
            cert_expires = date.fromisoformat(str(claims["cert_expires"]))
        except ValueError:
            raise AuthenticationFailed("the token's cert_expires is not an ISO date") from None
    return Principal(staff_id=str(claims["sub"]), name=str(claims.get("name", "")),
                     roles=frozenset(roles), cert_no=claims.get("cert_no"), cert_expires=cert_expires)


def authorize(principal: Principal, allowed_roles: frozenset[str], *, today: date | None = None) -> None:
    """Raise :class:`NotAllowed` unless the principal has an allowed role (and, for an enforcement
    role, a valid certificate: an expired 执法证 counts as none)."""
    granted = principal.roles & allowed_roles
    if not granted:
        raise NotAllowed(f"this action needs one of the roles {sorted(allowed_roles)}; "
                         f"the token has {sorted(principal.roles)}")
    if granted <= set(CERTIFIED_ROLES):
        on = today or datetime.now(SHANGHAI).date()
        if not principal.has_valid_certificate(on):
            raise NotAllowed("an enforcement certificate (执法证) valid today is required; "
                             f"certificate {principal.cert_no or 'none'} expires {principal.cert_expires or 'n/a'}")


def mint_token(sub: str, roles: list[str], *, name: str = "", cert_no: str | None = None,
               cert_expires: str | None = None, ttl_seconds: int = 8 * 3600, secret: str | None = None,
               extra: dict | None = None) -> str:
    claims = {"sub": sub, "name": name, "roles": roles, "exp": int(time.time()) + ttl_seconds}
    if cert_no:
        claims["cert_no"] = cert_no
    if cert_expires:
        claims["cert_expires"] = cert_expires
    claims.update(extra or {})
    return jwt.encode(claims, secret or os.environ.get("JWT_SECRET", DEVELOPMENT_JWT_SECRET), algorithm="HS256")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mint a development token (HS256, JWT_SECRET).")
    parser.add_argument("--sub", required=True, help="staff id")
    parser.add_argument("--name", default="")
    parser.add_argument("--roles", required=True, help="comma-separated: " + ",".join(ROLES))
    parser.add_argument("--cert-no")
    parser.add_argument("--cert-expires", help="ISO date of the enforcement certificate's expiry")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="seconds")
    args = parser.parse_args(argv)
    print(mint_token(args.sub, [r for r in args.roles.split(",") if r], name=args.name, cert_no=args.cert_no,
                     cert_expires=args.cert_expires, ttl_seconds=args.ttl))


if __name__ == "__main__":
    main()
