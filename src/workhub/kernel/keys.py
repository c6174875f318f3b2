"""Signing keys: a ring of named keys, the embedded default's key file, and what makes a key acceptable.

Access tokens name the key that signed them (the JWT ``kid`` header), so a
key can be replaced without signing everyone out: the newest key signs,
older ones still verify until the tokens they signed have expired.

A server on the embedded default (no ``WORKHUB_DATABASE_URL``) keeps its keys
in ``<data_dir>/secret-keys`` (mode 0600, the signing key first), made with
random bytes on the first start. Any other server must be given
``WORKHUB_SECRET_KEY``; nothing falls back to a key written in the source.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = (
    "KEY_FILE",
    "MIN_KEY_BYTES",
    "InsecureKeyError",
    "KeyRing",
    "check_secret_key",
    "ensure_key_file",
    "key_id",
    "new_secret_key",
    "read_key_file",
    "rotate_key_file",
)

KEY_FILE = "secret-keys"
MIN_KEY_BYTES = 32
_MIN_DISTINCT = 12
"""A key of 32 bytes with fewer distinct characters than this is a pattern, not random."""
_KEPT_PREVIOUS = 2
"""Keys a rotation of the key file keeps for verifying (tokens live 15 minutes; two rotations' worth)."""
_KNOWN_PUBLIC = frozenset({"dev-secret-change-me-0123456789abcdef"})
"""Keys that were once written in the source: never accepted."""


class InsecureKeyError(ValueError):
    """A signing key is missing, too short or public; the server refuses to start."""


def new_secret_key() -> str:
    """A fresh key: 48 random bytes, URL-safe text."""
    return secrets.token_urlsafe(48)


def key_id(key: str) -> str:
    """A short public name for ``key`` (a hash prefix: it reveals nothing of the key)."""
    return hashlib.sha256(b"workhub-kid:" + key.encode()).hexdigest()[:16]


def check_secret_key(key: str | None, *, name: str = "WORKHUB_SECRET_KEY") -> str:
    """Return ``key`` if it can sign tokens; raise :class:`InsecureKeyError` saying why not."""
    hint = "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    if not key:
        raise InsecureKeyError(f"{name} is not set; a server on an external database needs one ({hint})")
    if key in _KNOWN_PUBLIC:
        raise InsecureKeyError(f"{name} is a key published in WorkHub's source; {hint}")
    if len(key.encode()) < MIN_KEY_BYTES or len(set(key)) < _MIN_DISTINCT:
        raise InsecureKeyError(
            f"{name} must be at least {MIN_KEY_BYTES} random bytes "
            f"(got {len(key.encode())} bytes, {len(set(key))} distinct characters); {hint}"
        )
    return key


class KeyRing:
    """The key that signs and every key that still verifies, by key id."""

    def __init__(self, signing: str, previous: Iterable[str] = ()) -> None:
        check_secret_key(signing)
        self.signing_key = signing
        self.signing_kid = key_id(signing)
        self._by_kid = {self.signing_kid: signing}
        for n, key in enumerate(previous, start=1):
            self._by_kid.setdefault(key_id(check_secret_key(key, name=f"previous key #{n}")), key)

    @classmethod
    def parse(cls, signing: str | None, previous: str | None) -> KeyRing:
        """A ring from the settings' text form (``previous`` comma-separated)."""
        return cls(check_secret_key(signing), [k.strip() for k in (previous or "").split(",") if k.strip()])

    def verifying_key(self, kid: str | None) -> str | None:
        """The key a token names; a token without a name is tried with the signing key."""
        return self.signing_key if kid is None else self._by_kid.get(kid)

    @property
    def kids(self) -> Sequence[str]:
        """Ids of every key that verifies, the signing key's first."""
        return list(self._by_kid)


def read_key_file(path: Path) -> list[str]:
    """The keys in a key file, the signing key first (empty lines ignored)."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_private(path: Path, keys: Sequence[str]) -> None:
    """Write ``keys`` readable by the owner only, replacing the file in one step."""
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{k}\n" for k in keys))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def ensure_key_file(data_dir: Path) -> list[str]:
    """The embedded default's keys, made on the first start; the file is kept at mode 0600."""
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _write_private(path, [new_secret_key()])
    elif path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    keys = read_key_file(path)
    for n, key in enumerate(keys):
        check_secret_key(key, name=f"{path} line {n + 1}")
    if not keys:
        raise InsecureKeyError(f"{path} holds no key; delete it to have a new one made")
    return keys


def rotate_key_file(data_dir: Path) -> list[str]:
    """Put a new signing key first; the previous ones stay for verifying (at most two)."""
    keys = ensure_key_file(data_dir)
    rotated = [new_secret_key(), *keys[:_KEPT_PREVIOUS]]
    _write_private(data_dir / KEY_FILE, rotated)
    return rotated
