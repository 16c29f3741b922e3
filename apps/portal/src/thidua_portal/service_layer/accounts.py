"""Accounts: the first national administrator's one-time link, setting a password through a link, signing in
(with the back-off of wrong passwords), sessions. Tokens (a link's, a session's) are random, shown once, and
stored only as their SHA-256; the password only as its Argon2id hash. A refusal never says whether a login
exists."""

from __future__ import annotations

import asyncio
import secrets
import unicodedata
from datetime import datetime, timedelta

from thidua_shared.access.tokens import hash_token
from thidua_shared.db import Database
from thidua_shared.errors import Invalid, Unauthorized
from thidua_shared.ids import new_id

from thidua_portal.adapters.store import Account, AccountStore
from thidua_portal.domain import passwords, throttle

FIRST_ADMIN_LOGIN = "quantri"
LINK_LIFETIME = timedelta(hours=24)
SESSION_LIFETIME = timedelta(hours=12)  # a working day; then sign in again


def login_key(login: str) -> str:
    """What a login is compared as: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", login).strip().lower()


async def first_admin_link(db: Database, now: datetime) -> str | None:
    """On a new node: the national administrator's account and a one-time link's token to set its password
    (a fresh one at each start until it is set); None once any account has a password."""
    async with db.sessions() as session, session.begin():
        store = AccountStore(session)
        admin = await store.by_login(FIRST_ADMIN_LOGIN)
        if admin is None:
            if await store.count() > 0:
                return None
            await store.add(new_id(), FIRST_ADMIN_LOGIN, "Quản trị quốc gia", now)
            admin = await store.by_login(FIRST_ADMIN_LOGIN)
        assert admin is not None
        if admin.password_hash is not None:
            return None
        token = secrets.token_urlsafe(32)
        await store.add_link(hash_token(token), admin.id, now + LINK_LIFETIME)
    return token


async def set_password_by_link(db: Database, token: str, password: str, now: datetime) -> Account:
    """The person behind a one-time link chooses a password; the link then works no more."""
    async with db.sessions() as session, session.begin():
        store = AccountStore(session)
        link = await store.link(hash_token(token))
        if link is None or link.used_at is not None or link.expires_at <= now:
            raise Invalid("setup_link_invalid")
        account = await store.by_id(link.account_id)
        assert account is not None
        refused = passwords.refusal(password, second_factor=False, personal=[account.login, account.full_name])
        if refused is not None:
            raise Invalid(refused.code, **refused.params)
        if not await store.use_link(hash_token(token), now):
            raise Invalid("setup_link_invalid")
        await store.set_password_hash(account.id, await asyncio.to_thread(passwords.hash_password, password), now)
    return account


async def sign_in(db: Database, login: str, password: str, now: datetime) -> tuple[Account, str]:
    """The account and a new session's token, or a refusal that names no account: "wrong login or password",
    or how long to wait after too many wrong ones. A wrong password is counted in a transaction of its own,
    committed before the refusal is raised."""
    async with db.sessions() as session, session.begin():
        store = AccountStore(session)
        account = await store.by_login(login_key(login))
        if account is None or account.password_hash is None or account.disabled_at is not None:
            await asyncio.to_thread(passwords.verify, DUMMY_HASH, password)  # as slow as a real check: the time names no account
            raise Unauthorized("sign_in_failed")
        allowed, left = throttle.may_try(account.attempts, now)
        if not allowed:
            raise Unauthorized("sign_in_wait", seconds=max(1, int(left.total_seconds())))
        right = await asyncio.to_thread(passwords.verify, account.password_hash, password)  # 64 MiB, ~0.1 s: off the event loop
        if right:
            await store.save_attempts(account.id, throttle.after_success())
            if passwords.needs_rehash(account.password_hash):
                await store.set_password_hash(account.id, await asyncio.to_thread(passwords.hash_password, password), now)
            token = secrets.token_urlsafe(32)  # a new session at each sign-in: nothing chosen before it survives
            await store.add_session(hash_token(token), account.id, now, now + SESSION_LIFETIME)
            return account, token
        await store.save_attempts(account.id, throttle.after_failure(account.attempts, now))
    raise Unauthorized("sign_in_failed")


async def session_account(db: Database, token: str, now: datetime) -> Account | None:
    async with db.sessions() as session:
        return await AccountStore(session).session_account(hash_token(token), now)


async def sign_out(db: Database, token: str, now: datetime) -> None:
    async with db.sessions() as session, session.begin():
        await AccountStore(session).end_session(hash_token(token), now)


DUMMY_HASH = passwords.hash_password(secrets.token_urlsafe(24))
