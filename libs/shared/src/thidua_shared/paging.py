"""Pages of long lists: keyset cursors (stable under inserts, cheap at any depth) beside bounded offsets."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Generic, TypeVar

from thidua_shared.errors import Invalid

T = TypeVar("T")

MAX_OFFSET = 100_000  # deeper than this, use the cursor: an offset makes the database walk every row before it
MAX_CURSOR_LENGTH = 400


def encode_cursor(last_key: str) -> str:
    """An opaque cursor: the sort key of the last item of the page."""
    return base64.urlsafe_b64encode(last_key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("cursor_invalid") from None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None  # None on the last page
    total: int | None = None  # counted only when asked for
