"""Bearer tokens, roles and enforcement certificates (CONTRACT §2; O-TWO: an expired certificate
counts as none)."""
from __future__ import annotations

from datetime import date

import jwt
import pytest

from shared.http.auth import (
    AuthenticationFailed, NotAllowed, Principal, authenticate, authorize, mint_token,
)

TODAY = date(2026, 11, 25)


def officer(expires: str | None = "2026-11-25", cert_no: str | None = "44-0001") -> Principal:
    return authenticate("Bearer " + mint_token("O-1", ["officer"], cert_no=cert_no, cert_expires=expires))


def test_a_minted_token_authenticates_with_its_claims():
    principal = authenticate("Bearer " + mint_token("O-1", ["officer", "supervisor"], name="张三",
                                                    cert_no="44-0001", cert_expires="2027-06-30"))
    assert principal.staff_id == "O-1" and principal.name == "张三"
    assert principal.roles == {"officer", "supervisor"} and principal.cert_expires == date(2027, 6, 30)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer not.a.jwt"])
def test_missing_or_malformed_authorization_is_401(header):
    with pytest.raises(AuthenticationFailed):
        authenticate(header)


def test_a_forged_and_an_expired_token_are_401():
    forged = jwt.encode({"sub": "X", "roles": ["operator"], "exp": 2_000_000_000}, "another-secret-" * 3,
                        algorithm="HS256")
    with pytest.raises(AuthenticationFailed):
        authenticate("Bearer " + forged)
    with pytest.raises(AuthenticationFailed, match="expired"):
        authenticate("Bearer " + mint_token("X", ["operator"], ttl_seconds=-1))


def test_a_token_without_exp_or_with_roles_of_the_wrong_type_is_401():
    from shared.config import DEVELOPMENT_JWT_SECRET
    with pytest.raises(AuthenticationFailed):
        authenticate("Bearer " + jwt.encode({"sub": "X", "roles": ["operator"]}, DEVELOPMENT_JWT_SECRET,
                                            algorithm="HS256"))
    with pytest.raises(AuthenticationFailed):
        authenticate("Bearer " + mint_token("X", [], extra={"roles": "operator"}))


def test_a_role_not_allowed_is_403():
    with pytest.raises(NotAllowed, match="roles"):
        authorize(authenticate("Bearer " + mint_token("R-1", ["reviewer"])), frozenset({"officer"}), today=TODAY)


def test_o_two_a_certificate_is_valid_through_its_expiry_day_and_not_after():
    authorize(officer("2026-11-25"), frozenset({"officer"}), today=TODAY)  # expires today: still valid
    with pytest.raises(NotAllowed, match="执法证"):
        authorize(officer("2026-11-24"), frozenset({"officer"}), today=TODAY)  # expired yesterday
    with pytest.raises(NotAllowed):
        authorize(officer(None, None), frozenset({"officer"}), today=TODAY)  # no certificate at all


def test_a_non_enforcement_role_needs_no_certificate():
    reviewer = authenticate("Bearer " + mint_token("R-1", ["reviewer"]))
    authorize(reviewer, frozenset({"reviewer", "officer"}), today=TODAY)
