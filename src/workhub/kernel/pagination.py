"""Opaque keyset cursors for ``limit``/``cursor`` pagination.

A cursor is the sort key of the last item returned, encoded so clients treat
it as opaque; a tampered cursor is a 422, never a 500.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import msgspec

from workhub.kernel.errors import ValidationFailed

__all__ = ("MAX_LIMIT", "decode_cursor", "encode_cursor")

MAX_LIMIT = 200


def encode_cursor(*values: Any) -> str:
    """Encode the sort key of the last row."""
    return base64.urlsafe_b64encode(msgspec.json.encode(values)).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """Decode a cursor made by :func:`encode_cursor` with ``arity`` values."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, msgspec.DecodeError, ValueError) as exc:
        raise ValidationFailed.field("cursor", "The cursor is not valid.", code="invalid_cursor") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise ValidationFailed.field("cursor", "The cursor is not valid.", code="invalid_cursor")
    return values
