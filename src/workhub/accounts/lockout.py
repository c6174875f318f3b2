"""Wrong-password lockout that a stranger cannot turn against the account's owner.

Failures are counted three ways, all in Redis, none revealing whether an
account exists:

- per account *and* address: ``lockout_threshold`` (10) wrong passwords in a
  row lock that address out of that account for ``lockout_seconds`` (15 min);
  the owner signing in from elsewhere is not affected;
- per address: ``lockout_address_threshold`` (50) failures across any
  accounts in that window lock the address out of every account (a password
  sprayer);
- per account from everywhere: ``lockout_account_threshold`` (100) failures
  in ``lockout_account_seconds`` (an hour) lock the account, but only for
  addresses it was never signed in from: an address with a successful
  sign-in in the last 30 days (kept as a hash) still gets in.

A right password clears the account-and-address count and remembers the
address as known. Addresses are stored hashed.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from workhub.kernel.errors import RateLimited

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from workhub.settings import Settings

__all__ = ("KNOWN_SECONDS", "Lockout", "address_tag")

KNOWN_SECONDS = 30 * 24 * 3600
"""How long an address stays known after a successful sign-in from it."""


def address_tag(ip: str | None) -> str:
    """A short hash of a client address (addresses themselves are not kept)."""
    return hashlib.sha256(f"workhub-address:{ip or ''}".encode()).hexdigest()[:20]


class Lockout:
    """The lockout counters of one sign-in attempt: ``email`` (normalised) from ``ip``."""

    def __init__(self, redis: Redis, settings: Settings, email: str, ip: str | None) -> None:
        self.redis = redis
        self.settings = settings
        address = address_tag(ip)
        self.pair_key = f"wh:fail:{email}:{address}"
        self.address_key = f"wh:fail-ip:{address}"
        self.account_key = f"wh:fail-all:{email}"
        self.known_key = f"wh:known:{email}"
        self.address = address

    async def check(self) -> bool:
        """Refuse (429 ``account_locked``) a locked attempt; returns whether the address is known to the account."""
        pipe = self.redis.pipeline(transaction=False)
        for key in (self.pair_key, self.address_key, self.account_key):
            pipe.get(key)
            pipe.ttl(key)
        pipe.sismember(self.known_key, self.address)
        pair, pair_ttl, address, address_ttl, account, account_ttl, known = await pipe.execute()
        s = self.settings
        if int(pair or 0) >= s.lockout_threshold:
            self._locked(pair_ttl)
        if int(address or 0) >= s.lockout_address_threshold:
            self._locked(address_ttl)
        if not known and int(account or 0) >= s.lockout_account_threshold:
            self._locked(account_ttl)
        return bool(known)

    @staticmethod
    def _locked(ttl: int) -> None:
        raise RateLimited(
            "Too many wrong passwords; try again later.",
            code="account_locked",
            headers={"Retry-After": str(max(1, int(ttl)))},
        )

    async def failed(self) -> None:
        """Count one wrong password (or unknown email, or deactivated account) on all three counters."""
        s = self.settings
        pipe = self.redis.pipeline(transaction=False)
        for key, seconds in (
            (self.pair_key, s.lockout_seconds),
            (self.address_key, s.lockout_seconds),
            (self.account_key, s.lockout_account_seconds),
        ):
            pipe.incr(key)
            pipe.expire(key, seconds)  # each failure extends the window (Redis 6.2 has no EXPIRE NX)
        await pipe.execute()

    async def succeeded(self) -> None:
        """The owner got in from here: forget this pair's failures and remember the address."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(self.pair_key)
        pipe.sadd(self.known_key, self.address)
        pipe.expire(self.known_key, KNOWN_SECONDS)
        await pipe.execute()
