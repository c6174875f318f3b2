"""Secrets at rest: sealed with the signing key, opened with any key on the ring, bound to their row."""

from __future__ import annotations

import pytest

from workhub.kernel.keys import KeyRing, new_secret_key
from workhub.kernel.secretbox import SecretBox, UnreadableSecret


def test_a_sealed_secret_opens_for_its_row_only() -> None:
    box = SecretBox(KeyRing(new_secret_key()))
    sealed = box.seal(b"bot-token", "telegram:project-1")
    assert b"bot-token" not in sealed.blob
    assert sealed.kid == box.current_kid
    assert box.open(sealed, "telegram:project-1") == b"bot-token"
    with pytest.raises(UnreadableSecret):
        box.open(sealed, "telegram:project-2")  # copied onto another project's row


def test_after_a_rotation_old_secrets_open_and_new_ones_use_the_new_key() -> None:
    old, new = new_secret_key(), new_secret_key()
    sealed = SecretBox(KeyRing(old)).seal(b"x", "row")
    rotated = SecretBox(KeyRing(new, [old]))
    assert rotated.open(sealed, "row") == b"x"
    assert rotated.seal(b"x", "row").kid == rotated.current_kid != sealed.kid
    with pytest.raises(UnreadableSecret):
        SecretBox(KeyRing(new)).open(sealed, "row")  # the old key has left the ring


def test_a_tampered_secret_does_not_open() -> None:
    box = SecretBox(KeyRing(new_secret_key()))
    sealed = box.seal(b"secret", "row")
    tampered = type(sealed)((sealed.kid, sealed.blob[:-1] + bytes([sealed.blob[-1] ^ 1])))
    with pytest.raises(UnreadableSecret):
        box.open(tampered, "row")
