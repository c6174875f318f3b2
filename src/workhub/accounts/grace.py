"""The refresh grace window's store: the pair a rotation made, readable only with the token it replaced.

Two tabs refreshing at once present the same refresh token twice; the
second must get the first one's new pair rather than look like theft. The
pair is kept in Redis for the grace window only, encrypted (AES-GCM, from
the ``cryptography`` package) with a key derived (HKDF-SHA256) from the old
raw token: Redis, its backups and anyone reading them see ciphertext, and
the old token is stored nowhere (the database keeps its SHA-256 only).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import msgspec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from workhub.accounts import schemas

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ("keep_rotated_pair", "read_rotated_pair")

_INFO = b"workhub refresh grace v1"


def _cipher(raw_token: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(raw_token.encode())
    return AESGCM(key)


def _key(token_hash: str) -> str:
    return f"wh:refresh-grace:{token_hash}"


async def keep_rotated_pair(
    redis: Redis, raw_token: str, token_hash: str, pair: schemas.TokenPair, seconds: int
) -> None:
    """Keep ``pair`` for ``seconds``, sealed with the token it replaced."""
    nonce = os.urandom(12)
    sealed = nonce + _cipher(raw_token).encrypt(nonce, msgspec.json.encode(pair), token_hash.encode())
    await redis.set(_key(token_hash), sealed, ex=seconds)


async def read_rotated_pair(redis: Redis, raw_token: str, token_hash: str) -> schemas.TokenPair | None:
    """The pair the rotation of ``raw_token`` made, while the grace window lasts."""
    sealed = await redis.get(_key(token_hash))
    if not sealed or len(sealed) < 13:
        return None
    try:
        plain = _cipher(raw_token).decrypt(sealed[:12], sealed[12:], token_hash.encode())
    except Exception:
        return None
    return msgspec.json.decode(plain, type=schemas.TokenPair)
