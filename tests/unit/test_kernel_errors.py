from __future__ import annotations

import pytest

from workhub.kernel.errors import (
    AppError,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
    ValidationFailed,
    _field_name,
)
from workhub.kernel.i18n import all_messages
from workhub.kernel.middleware import safe_request_id


@pytest.mark.parametrize(
    ("key", "message", "expected"),
    [
        ("key", "Expected `str`, got `int`", "key"),
        ("$.items[0].title", "Expected `str`, got `int`", "items[0].title"),
        ("data", "Object missing required field `key`", "key"),
        ("$", "Object missing required field `key`", "key"),
        ("$.owner", "Object missing required field `email`", "owner.email"),
        ("limit", "Expected `int` >= 1", "limit"),
        (None, "Something about the body", "body"),
        ("data", "Expected `object`, got `array`", "body"),
    ],
)
def test_validation_errors_name_the_field(key: str | None, message: str, expected: str) -> None:
    assert _field_name(key, message) == expected


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (ValidationFailed, 422, "validation_error"),
        (Unauthorized, 401, "unauthorized"),
        (Forbidden, 403, "forbidden"),
        (NotFound, 404, "not_found"),
        (Conflict, 409, "conflict"),
        (RateLimited, 429, "rate_limited"),
    ],
)
def test_error_classes_have_a_status_a_code_and_a_translated_title(
    cls: type[AppError], status: int, code: str
) -> None:
    error = cls()
    assert (error.status, error.code) == (status, code)
    assert set(all_messages()[error.message_key]) >= {"ru", "en"}


def test_an_error_can_carry_its_own_code_and_fields() -> None:
    error = ValidationFailed.field("deadline", "must be in the future", code="deadline_in_past")
    assert error.code == "deadline_in_past"
    assert error.errors == [FieldError(field="deadline", message="must be in the future")]
    assert Conflict("stale", code="version_conflict", current={"version": 3}).current == {"version": 3}


@pytest.mark.parametrize("value", ["abc", "A-b_c.d:e", "x" * 128, "0f8fad5b-d9cb-469f-a165-70867728950e"])
def test_safe_request_ids_are_kept(value: str) -> None:
    assert safe_request_id(value) == value


@pytest.mark.parametrize("value", [None, "", "a b", "x" * 129, "a\r\nSet-Cookie: x", "<b>", "é"])
def test_unsafe_request_ids_are_replaced(value: str | None) -> None:
    made = safe_request_id(value)
    assert made != value
    assert len(made) == 32
    assert safe_request_id(value) != made  # a fresh one each time
