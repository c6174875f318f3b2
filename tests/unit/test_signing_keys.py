"""Signing keys: what a key must be, the embedded default's key file, rotation by key id."""

from __future__ import annotations

import stat
from pathlib import Path
from uuid import uuid4

import jwt
import msgspec
import pytest

from workhub.cli_support import resolve_keys
from workhub.kernel.errors import Unauthorized
from workhub.kernel.keys import (
    KEY_FILE,
    InsecureKeyError,
    check_secret_key,
    ensure_key_file,
    key_id,
    new_secret_key,
    read_key_file,
    rotate_key_file,
)
from workhub.kernel.security import TokenService
from workhub.settings import Settings

PUBLISHED = "dev-secret-change-me-0123456789abcdef"
"""The key earlier versions signed with, written in their source."""


def tokens(signing: str, previous: list[str] | None = None) -> TokenService:
    settings = Settings(secret_key=signing, previous_secret_keys=",".join(previous or []) or None)
    return TokenService(settings, redis=None)  # type: ignore[arg-type]  # decoding needs no Redis


@pytest.mark.parametrize(
    ("key", "why"),
    [
        (None, "is not set"),
        ("", "is not set"),
        (PUBLISHED, "published in WorkHub's source"),
        ("short-but-random-Zq8", "at least 32 random bytes"),
        ("ab" * 32, "at least 32 random bytes"),  # long, but a pattern
    ],
)
def test_a_key_that_anyone_could_know_or_guess_is_refused(key: str | None, why: str) -> None:
    with pytest.raises(InsecureKeyError, match=why):
        check_secret_key(key)
    with pytest.raises(InsecureKeyError):
        TokenService(Settings(secret_key=key), redis=None)  # type: ignore[arg-type]


def test_a_fresh_random_key_is_accepted_and_named_without_revealing_it() -> None:
    key = new_secret_key()
    assert check_secret_key(key) == key
    assert len(key_id(key)) == 16 and key_id(key) not in key
    assert key_id(key) != key_id(new_secret_key())


def test_the_embedded_key_file_is_made_once_private_and_kept(tmp_path: Path) -> None:
    first = ensure_key_file(tmp_path)
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 1 and check_secret_key(first[0])
    assert ensure_key_file(tmp_path) == first  # a restart signs with the same key
    path.chmod(0o644)
    ensure_key_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_key_file(tmp_path / "other") != first  # each installation its own


def test_rotation_signs_with_a_new_key_and_still_verifies_tokens_of_the_old_one(tmp_path: Path) -> None:
    [old] = ensure_key_file(tmp_path)
    before = tokens(old)
    user = uuid4()
    old_token, _ = before.issue(user, "manager")
    assert jwt.get_unverified_header(old_token)["kid"] == key_id(old)

    new, *kept = rotate_key_file(tmp_path)
    assert kept == [old] and read_key_file(tmp_path / KEY_FILE) == [new, old]
    after = tokens(new, kept)
    assert after.decode(old_token)[0].id == user
    new_token, _ = after.issue(user, "manager")
    assert jwt.get_unverified_header(new_token)["kid"] == key_id(new)
    # Two more rotations and the first key is gone: its tokens stop verifying.
    rotate_key_file(tmp_path)
    latest, *still = rotate_key_file(tmp_path)
    assert old not in still
    with pytest.raises(Unauthorized):
        tokens(latest, still).decode(old_token)


def test_a_token_signed_with_the_published_key_is_refused() -> None:
    forged = jwt.encode(
        {"sub": str(uuid4()), "role": "admin", "jti": "f" * 32, "exp": 2**31 - 1, "iat": 0},
        PUBLISHED,
        algorithm="HS256",
    )
    with pytest.raises(Unauthorized):
        tokens(new_secret_key()).decode(forged)


def test_embedded_default_uses_its_key_file_and_the_environment_overrides_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path))
    resolved = resolve_keys(settings)
    assert resolved.secret_key == read_key_file(tmp_path / KEY_FILE)[0]
    given = new_secret_key()
    assert resolve_keys(msgspec.structs.replace(settings, secret_key=given)).secret_key == given


def test_a_server_on_an_external_database_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    external = Settings(data_dir=str(tmp_path), database_url="postgresql+asyncpg://db.internal/workhub")
    with pytest.raises(InsecureKeyError, match="WORKHUB_SECRET_KEY is not set"):
        resolve_keys(external)
    assert not (tmp_path / KEY_FILE).exists()
    with pytest.raises(InsecureKeyError, match="published"):
        resolve_keys(msgspec.structs.replace(external, secret_key=PUBLISHED))


def test_the_rotate_command_puts_a_new_key_first_for_the_embedded_default_only(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from workhub.cli import main

    [old] = ensure_key_file(tmp_path)
    embedded = {"WORKHUB_DATA_DIR": str(tmp_path), "WORKHUB_DATABASE_URL": None, "WORKHUB_SECRET_KEY": None}
    result = CliRunner().invoke(main, ["rotate-secret-key"], env=embedded)
    assert result.exit_code == 0, result.output
    assert "1 kept for verifying" in result.output
    new, kept = read_key_file(tmp_path / KEY_FILE)
    assert kept == old and new != old

    external = {**embedded, "WORKHUB_DATABASE_URL": "postgresql+asyncpg://db.internal/workhub"}
    refused = CliRunner().invoke(main, ["rotate-secret-key"], env=external)
    assert refused.exit_code == 1 and "WORKHUB_PREVIOUS_SECRET_KEYS" in refused.output
