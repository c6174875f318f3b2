"""Passwords, access tokens and the authentication middleware.

Access tokens are short-lived JWTs (``sub``, ``role``, ``jti``, ``loc``) so a
request is authenticated without a database read; each names the key that
signed it (``kid``, :mod:`workhub.kernel.keys`), so keys rotate without
signing anyone out; one Redis script checks
the token's ``jti`` against the deny list (logout) and the user's cut-off
time (deactivation, role change), and counts the per-user rate limit. The
requests a process authenticates at the same time share that script's round
trip (:class:`~workhub.kernel.script_batch.ScriptBatch`).
Refresh tokens are opaque random strings stored only as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import jwt
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from workhub.kernel.context import Actor, RequestContext, current_context, set_context
from workhub.kernel.errors import RateLimited, Unauthorized
from workhub.kernel.keys import KeyRing
from workhub.kernel.permissions import SystemRole, system_role
from workhub.kernel.script_batch import ScriptBatch

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from litestar.connection import ASGIConnection
    from redis.asyncio import Redis

    from workhub.settings import Settings

__all__ = (
    "AuthMiddleware",
    "CurrentUser",
    "TokenService",
    "configure_password_hashing",
    "hash_password",
    "hash_token",
    "new_token",
    "verify_password",
)

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_dummy_hash: str | None = None
"""A hash to check against when there is no account; made on first use, since hashing
takes 64 MiB for a moment and processes that never sign anyone in (the worker) skip it."""


def configure_password_hashing(*, fast: bool) -> None:
    """Use cheap argon2id parameters (tests only: still argon2id, a fraction of the cost)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    _dummy_hash = None


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; with no hash, spend the same time and fail (no user probing)."""
    global _dummy_hash
    if password_hash is None and _dummy_hash is None:
        _dummy_hash = _hasher.hash("workhub-timing-equaliser")
    try:
        return _hasher.verify(password_hash or _dummy_hash or "", password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token (refresh tokens, invitations, feed secrets)."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """SHA-256 hex of a token; tokens are stored only in this form."""
    return hashlib.sha256(token.encode()).hexdigest()


class CurrentUser(msgspec.Struct, frozen=True):
    """The authenticated caller, as the access token describes them."""

    id: UUID
    role: SystemRole
    jti: str
    exp: int
    locale: str = "en"

    @property
    def is_admin(self) -> bool:
        """True for the system administrator role."""
        return self.role == "admin"


_AUTH_CHECK = """
local out = {}
for i = 1, #KEYS, 4 do
  local count = redis.call('INCR', KEYS[i + 2])
  if count == 1 then redis.call('EXPIRE', KEYS[i + 2], 61) end
  out[#out + 1] = redis.call('EXISTS', KEYS[i])
  out[#out + 1] = redis.call('GET', KEYS[i + 1])
  out[#out + 1] = count
  out[#out + 1] = redis.call('GET', KEYS[i + 3])
end
return out
"""
"""Deny list, cut-off, the per-user request count and a changed language of each request in a batch (four keys each).

A missing cut-off or language comes back from ``GET`` as ``false``, so each request's values stay in place."""


_VERIFIED_CACHE_SIZE = 4096
"""Verified access tokens kept per process (about 2 MiB at most)."""


def _locale_key(user_id: UUID) -> str:
    return f"wh:locale:{user_id}"


class TokenService:
    """Issues and checks access tokens; keeps the deny list in Redis."""

    algorithm = "HS256"

    def __init__(self, settings: Settings, redis: Redis) -> None:
        self.settings = settings
        self.redis = redis
        self.keys = KeyRing.parse(settings.secret_key, settings.previous_secret_keys)  # refuses a weak key
        self._checks = ScriptBatch(redis, _AUTH_CHECK, keys_per_call=4, values_per_call=4)
        self._verified: dict[str, tuple[CurrentUser, float]] = {}
        self.on_denied: Callable[[CurrentUser], Awaitable[None]] | None = None
        """Called after a token is denied (the app closes the sockets it opened: kernel/realtime.py)."""

    def issue(self, user_id: UUID, role: str, locale: str = "en") -> tuple[str, int]:
        """A signed access token and its lifetime in seconds."""
        issued = time.time()  # fractional, so a cut-off in the same second is exact
        now = int(issued)
        ttl = self.settings.access_token_ttl
        claims = {
            "sub": str(user_id),
            "role": role,
            "loc": locale,
            "jti": uuid4().hex,
            "iat": issued,
            "exp": now + ttl,
        }
        token = jwt.encode(
            claims, self.keys.signing_key, algorithm=self.algorithm, headers={"kid": self.keys.signing_kid}
        )
        return token, ttl

    def decode(self, token: str) -> tuple[CurrentUser, float]:
        """Verify signature and expiry; returns the user and the token's ``iat``.

        A client sends the same token for up to 15 minutes, so verified
        tokens are remembered (a bounded cache); the expiry is checked on
        every call, and revocation is the Redis check of :meth:`authenticate`.
        """
        verified = self._verified.get(token)
        if verified is None:
            verified = self._verify(token)
            if len(self._verified) >= _VERIFIED_CACHE_SIZE:
                self._verified.pop(next(iter(self._verified)))  # the oldest entry
            self._verified[token] = verified
        user, issued_at = verified
        if user.exp <= time.time():
            raise Unauthorized("The access token has expired.", code="token_expired")
        return user, issued_at

    def _verify(self, token: str) -> tuple[CurrentUser, float]:
        """Check the signature and read the claims (expiry is checked by :meth:`decode`)."""
        try:
            key = self.keys.verifying_key(jwt.get_unverified_header(token).get("kid"))
            if key is None:  # signed by a key this server no longer has
                raise jwt.InvalidTokenError("unknown key id")
            claims = jwt.decode(
                token,
                key,
                algorithms=[self.algorithm],
                options={"require": ["exp", "sub", "jti"], "verify_exp": False},
            )
            user = CurrentUser(
                id=UUID(claims["sub"]),
                role=system_role(claims.get("role")),
                jti=claims["jti"],
                exp=int(claims["exp"]),
                locale=claims.get("loc", "en"),
            )
            issued_at = float(claims.get("iat", 0))
        except (jwt.InvalidTokenError, ValueError, KeyError, TypeError) as exc:
            raise Unauthorized("The access token is not valid.", code="token_invalid") from exc
        return user, issued_at

    async def deny(self, user: CurrentUser) -> None:
        """Refuse this access token until it would have expired anyway."""
        ttl = max(1, user.exp - int(time.time()))
        await self.redis.set(f"wh:deny:{user.jti}", b"1", ex=ttl)
        if self.on_denied is not None:
            await self.on_denied(user)

    async def cut_off(self, user_id: UUID) -> None:
        """Refuse every access token of ``user_id`` issued before now."""
        await self.redis.set(f"wh:cut:{user_id}", repr(time.time()), ex=self.settings.access_token_ttl + 60)

    async def authenticate(self, token: str) -> CurrentUser:
        """Decode, then check deny list, cut-off and the per-user rate in one (shared) Redis call."""
        user, issued_at = self.decode(token)
        window = int(time.time()) // 60
        keys = (
            f"wh:deny:{user.jti}",
            f"wh:cut:{user.id}",
            f"wh:rate:user:{user.id}:{window}",
            _locale_key(user.id),
        )
        denied, cut, count, locale = await self._checks.run(keys)
        if denied:
            raise Unauthorized("The access token was revoked.", code="token_revoked")
        if cut is not None and issued_at <= float(cut):
            raise Unauthorized("The access token was revoked.", code="token_revoked")
        if int(count) > self.settings.user_rate:
            retry = 60 - int(time.time()) % 60
            raise RateLimited(headers={"Retry-After": str(retry)})
        if locale is not None:
            changed = locale.decode() if isinstance(locale, bytes) else str(locale)
            if changed != user.locale:
                return msgspec.structs.replace(user, locale=changed)
        return user

    async def language_changed(self, user_id: UUID, locale: str) -> None:
        """The user chose another language: tokens issued before say the old one, so this overrides it until they expire."""
        await self.redis.set(_locale_key(user_id), locale, ex=self.settings.access_token_ttl + 60)


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Bearer authentication for every route not marked ``opt={"public": True}``."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Resolve the bearer token into a :class:`CurrentUser` and set the actor."""
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized(
                "Send an access token as 'Authorization: Bearer <token>'.", code="not_authenticated"
            )
        tokens: TokenService = connection.app.state.tokens
        user = await tokens.authenticate(token.strip())
        ctx = current_context()
        set_context(
            RequestContext(
                actor=Actor(kind="user", id=user.id),
                request_id=ctx.request_id,
                ip=ctx.ip,
                locale=user.locale,
            )
        )
        return AuthenticationResult(user=user, auth=token)
