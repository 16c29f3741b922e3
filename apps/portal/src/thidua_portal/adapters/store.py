"""All the SQL of the portal's accounts: one class over one session, so that a use case's reads and writes
commit together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from thidua_portal.adapters.tables import accounts, sessions, setup_links
from thidua_portal.domain.throttle import Attempts


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive times for what was stored in UTC; PostgreSQL gives them with their zone."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@dataclass(frozen=True)
class Account:
    id: str
    login: str
    full_name: str
    password_hash: str | None
    attempts: Attempts
    disabled_at: datetime | None


@dataclass(frozen=True)
class Link:
    account_id: str
    expires_at: datetime
    used_at: datetime | None


class AccountStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(accounts)) or 0)

    async def add(self, account_id: str, login: str, full_name: str, now: datetime) -> None:
        await self.session.execute(insert(accounts).values(id=account_id, login=login, full_name=full_name, failures=0, created_at=now))

    async def by_login(self, login: str) -> Account | None:
        return self._account((await self.session.execute(select(accounts).where(accounts.c.login == login))).first())

    async def by_id(self, account_id: str) -> Account | None:
        return self._account((await self.session.execute(select(accounts).where(accounts.c.id == account_id))).first())

    @staticmethod
    def _account(row) -> Account | None:  # type: ignore[no-untyped-def]
        if row is None:
            return None
        return Account(row.id, row.login, row.full_name, row.password_hash, Attempts(row.failures, aware(row.last_failure_at)),
                       aware(row.disabled_at))

    async def save_attempts(self, account_id: str, attempts: Attempts) -> None:
        await self.session.execute(update(accounts).where(accounts.c.id == account_id).values(
            failures=attempts.failures, last_failure_at=attempts.last_failure_at))

    async def set_password_hash(self, account_id: str, password_hash: str, now: datetime) -> None:
        await self.session.execute(update(accounts).where(accounts.c.id == account_id).values(
            password_hash=password_hash, password_changed_at=now, failures=0, last_failure_at=None))

    async def add_link(self, token_sha256: str, account_id: str, expires_at: datetime) -> None:
        await self.session.execute(insert(setup_links).values(token_sha256=token_sha256, account_id=account_id, expires_at=expires_at))

    async def link(self, token_sha256: str) -> Link | None:
        row = (await self.session.execute(select(setup_links).where(setup_links.c.token_sha256 == token_sha256))).first()
        return Link(row.account_id, aware(row.expires_at), aware(row.used_at)) if row else None

    async def use_link(self, token_sha256: str, now: datetime) -> bool:
        """Marks the link used; False if another request used it first (a link works once)."""
        done = await self.session.execute(update(setup_links).where(
            setup_links.c.token_sha256 == token_sha256, setup_links.c.used_at.is_(None)).values(used_at=now))
        return done.rowcount == 1

    async def add_session(self, id_sha256: str, account_id: str, now: datetime, expires_at: datetime) -> None:
        await self.session.execute(insert(sessions).values(id_sha256=id_sha256, account_id=account_id, created_at=now, expires_at=expires_at))

    async def session_account(self, id_sha256: str, now: datetime) -> Account | None:
        """The account of a session that has neither ended nor expired, nor belongs to a disabled account."""
        query = (select(accounts).join(sessions, sessions.c.account_id == accounts.c.id)
                 .where(sessions.c.id_sha256 == id_sha256, sessions.c.ended_at.is_(None), sessions.c.expires_at > now,
                        accounts.c.disabled_at.is_(None)))
        return self._account((await self.session.execute(query)).first())

    async def end_session(self, id_sha256: str, now: datetime) -> None:
        await self.session.execute(update(sessions).where(sessions.c.id_sha256 == id_sha256, sessions.c.ended_at.is_(None)).values(ended_at=now))
