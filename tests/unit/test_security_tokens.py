from __future__ import annotations

import time
from uuid import uuid4

import jwt
import pytest

from workhub.kernel.errors import Unauthorized
from workhub.kernel.permissions import SystemAction, system_allowed
from workhub.kernel.security import TokenService, hash_password, hash_token, verify_password
from workhub.settings import Settings

SECRET = "unit-test-secret-0123456789abcdef-0123456789"


def service(**overrides: object) -> TokenService:
    settings = Settings(secret_key=SECRET, **overrides)  # type: ignore[arg-type]
    return TokenService(settings, redis=None)  # type: ignore[arg-type]  # decoding needs no Redis


def test_passwords_hash_with_argon2id_and_verify() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse batterY")
    assert not verify_password(None, "anything at all")  # no account: a failed check, not an error
    assert not verify_password("not-a-hash", "anything at all")


def test_refresh_tokens_are_stored_as_sha256() -> None:
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_access_tokens_carry_subject_role_and_a_unique_id() -> None:
    tokens = service()
    user_id = uuid4()
    first, ttl = tokens.issue(user_id, "admin", "ru")
    second, _ = tokens.issue(user_id, "admin", "ru")
    assert ttl == 15 * 60
    user, issued_at = tokens.decode(first)
    assert user.id == user_id
    assert user.role == "admin"
    assert user.is_admin
    assert user.locale == "ru"
    assert abs(issued_at - time.time()) < 5
    assert user.exp - int(issued_at) == ttl
    assert user.jti != tokens.decode(second)[0].jti


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"exp": -10}, "token_expired"),
        ({"jti": None}, "token_invalid"),
        ({"sub": "not-a-uuid"}, "token_invalid"),
    ],
)
def test_bad_access_tokens_are_refused(claims: dict[str, object], code: str) -> None:
    now = int(time.time())
    payload: dict[str, object] = {"sub": str(uuid4()), "role": "manager", "jti": "j" * 32, "exp": now + 60}
    for key, value in claims.items():
        if value is None:
            payload.pop(key)
        elif key == "exp":
            payload[key] = now + int(value)  # type: ignore[call-overload]
        else:
            payload[key] = value
    token = jwt.encode(payload, SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized) as err:
        service().decode(token)
    assert err.value.code == code


def test_tokens_signed_with_another_key_or_algorithm_are_refused() -> None:
    payload = {"sub": str(uuid4()), "role": "admin", "jti": "j" * 32, "exp": int(time.time()) + 60}
    for token in (
        jwt.encode(payload, "some-other-secret-0123456789abcdef-012345", algorithm="HS256"),
        jwt.encode(payload, None, algorithm="none"),  # type: ignore[arg-type]
    ):
        with pytest.raises(Unauthorized) as err:
            service().decode(token)
        assert err.value.code == "token_invalid"


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = service()
    token, ttl = tokens.issue(uuid4(), "manager")
    assert tokens.decode(token)[0].exp > time.time()  # verified once, now remembered
    later = time.time() + ttl + 1
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(Unauthorized) as refused:
        tokens.decode(token)
    assert refused.value.code == "token_expired"


def test_a_token_signed_with_another_key_is_refused_even_after_a_good_one() -> None:
    tokens = service()
    good, _ = tokens.issue(uuid4(), "manager")
    tokens.decode(good)
    forged = jwt.encode(
        {"sub": str(uuid4()), "role": "admin", "jti": "j" * 32, "exp": int(time.time()) + 60},
        "another-secret-0123456789abcdef-0123456789",
        algorithm="HS256",
    )
    with pytest.raises(Unauthorized) as refused:
        tokens.decode(forged)
    assert refused.value.code == "token_invalid"


@pytest.mark.parametrize(
    ("claim", "role"),
    [("admin", "admin"), ("lead", "lead"), ("manager", "manager"), ("member", "manager"), (None, "manager")],
)
def test_a_token_issued_before_leads_and_managers_reads_as_a_manager(claim: str | None, role: str) -> None:
    """A ``member`` token from before the roles' migration is a manager's: it creates no project."""
    payload: dict[str, object] = {"sub": str(uuid4()), "jti": "j" * 32, "exp": int(time.time()) + 60}
    if claim is not None:
        payload["role"] = claim
    user, _ = service().decode(jwt.encode(payload, SECRET, algorithm="HS256"))
    assert user.role == role
    assert system_allowed(user.role, SystemAction.PROJECT_CREATE) is (role != "manager")
    assert system_allowed(user.role, SystemAction.ADMINISTER) is (role == "admin")
