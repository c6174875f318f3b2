"""Secrets at rest: what plugins keep per project (tokens, signing secrets) is encrypted.

The keys are the server's own (:class:`~workhub.kernel.keys.KeyRing`): each
sealed value names the key that sealed it, the signing key seals, and every
key still on the ring opens. After a key rotation ``workhub integrations
reencrypt`` seals every stored secret again with the new key, before the
old one leaves the ring. Encryption keys are derived from the signing keys
with HKDF (a separate purpose, so a token key never encrypts as-is), and
AES-GCM binds each value to the row it belongs to (associated data), so a
sealed value copied onto another project's row does not open.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from workhub.kernel.keys import KeyRing

__all__ = ("SealedSecret", "SecretBox", "UnreadableSecret")

_NONCE = 12
_PURPOSE = b"workhub project secrets v1"


class UnreadableSecret(Exception):
    """A sealed value whose key has left the ring, or that was altered or moved."""


class SealedSecret(tuple[str, bytes]):
    """``(key id, nonce + ciphertext)`` as stored."""

    __slots__ = ()

    @property
    def kid(self) -> str:
        """The id of the key that sealed it."""
        return self[0]

    @property
    def blob(self) -> bytes:
        """Nonce followed by ciphertext and tag."""
        return self[1]


def _derive(key: str) -> AESGCM:
    material = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(key.encode())
    return AESGCM(material)


class SecretBox:
    """Seals with the ring's signing key, opens with any key still on it."""

    def __init__(self, ring: KeyRing) -> None:
        self._ring = ring
        self._ciphers: dict[str, AESGCM] = {}

    def _cipher(self, kid: str) -> AESGCM:
        cipher = self._ciphers.get(kid)
        if cipher is None:
            key = self._ring.verifying_key(kid)
            if key is None:
                raise UnreadableSecret(f"the key {kid} that sealed this secret is no longer on the ring")
            cipher = self._ciphers[kid] = _derive(key)
        return cipher

    @property
    def current_kid(self) -> str:
        """The key id new values are sealed with."""
        return self._ring.signing_kid

    def seal(self, plaintext: bytes, context: str) -> SealedSecret:
        """Encrypt ``plaintext`` for the row named by ``context`` (e.g. ``plugin:project id``)."""
        nonce = os.urandom(_NONCE)
        blob = nonce + self._cipher(self.current_kid).encrypt(nonce, plaintext, context.encode())
        return SealedSecret((self.current_kid, blob))

    def open(self, sealed: SealedSecret, context: str) -> bytes:
        """Decrypt a value sealed for ``context``; :class:`UnreadableSecret` when it cannot be."""
        blob = sealed.blob
        try:
            return self._cipher(sealed.kid).decrypt(blob[:_NONCE], blob[_NONCE:], context.encode())
        except InvalidTag as exc:
            raise UnreadableSecret("the secret was altered or belongs to another row") from exc
