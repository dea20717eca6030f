"""Domain errors: raised by pure domain code and services, translated to HTTP once (shared.http).

Domain code never formats an HTTP response; it raises one of these with a sentence an officer can
act on. Each maps to one status of CONTRACT §2.
"""
from __future__ import annotations


class DomainError(Exception):
    status = 422
    title = "Rule violated"

    def __init__(self, detail: str, **extensions):
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The request conflicts with the current state (e.g. an illegal transition)."""
    status = 409
    title = "Conflict with the current state"


class RuleViolation(DomainError):
    """Well-formed, but breaks a rule of DOMAIN.md (the detail names the rule id)."""
    status = 422
    title = "Rule violated"


class PermissionDenied(DomainError):
    """Authenticated, but not allowed (role, expired certificate, separation of duties)."""
    status = 403
    title = "Forbidden"
