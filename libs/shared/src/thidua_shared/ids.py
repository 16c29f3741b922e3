"""Ids of the things services create (units, campaigns, rounds ...): random UUIDs, as text."""

from __future__ import annotations

import uuid


def new_id() -> str:
    return str(uuid.uuid4())
