"""Access control: bearer tokens held by a person with a role and a scope.

A token is random; only its SHA-256 is stored (and sent in events, so that
every service can keep its own copy). The scope is a unit: a scoped token
reaches that unit and its subtree, nothing else.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_shared.errors import Forbidden, Unauthorized
from thidua_shared.events.envelope import Actor
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.roles import Role

TOKEN_PREFIX = "tdt_"

# Roles that may hold a token without a scope (the whole federation).
UNSCOPED_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.AUDITOR, Role.COUNCIL_MEMBER})
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    token_id: str
    holder_name: str
    person_id: str | None
    role: Role
    scope_unit_id: str | None

    @property
    def actor(self) -> Actor:
        return Actor(id=self.person_id or f"token:{self.token_id}", role=self.role, name=self.holder_name, unit_id=self.scope_unit_id)

    def reaches(self, lineage: Sequence[str]) -> bool:
        """`lineage` is a unit followed by its ancestors up to the root."""
        return self.scope_unit_id is None or self.scope_unit_id in lineage

    def require_role(self, allowed: Iterable[Role]) -> None:
        if self.role not in set(allowed):
            raise Forbidden("forbidden_role", role=self.role.value)

    def ensure_writes(self) -> None:
        """Refuse a read-only role (auditors read everything and write nothing)."""
        if self.role in READ_ONLY_ROLES:
            raise Forbidden("forbidden_role", role=self.role.value)

    def require_reach(self, lineage: Sequence[str], unit_label: str) -> None:
        if not self.reaches(lineage):
            raise Forbidden("forbidden_scope", unit=unit_label)


async def principal_for_token(session: AsyncSession, tables: MessagingTables, token: str | None) -> Principal:
    if not token:
        raise Unauthorized("token_missing")
    tokens = tables.access_tokens
    row = (
        await session.execute(
            select(tokens).where(tokens.c.token_hash == hash_token(token), tokens.c.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        raise Unauthorized("token_invalid")
    return Principal(
        token_id=row.id,
        holder_name=row.holder_name,
        person_id=row.person_id,
        role=Role(row.role),
        scope_unit_id=row.scope_unit_id,
    )
