"""The portal's tables. Secrets are stored only as what cannot be turned back into them: a password as its
Argon2id hash, a link's or a session's token as its SHA-256 (the token itself lives only in the link or cookie)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table

from thidua_shared.db import new_metadata

metadata = new_metadata()

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("login", String(254), nullable=False, unique=True),  # NFC, lower case: what the person types to sign in
    Column("full_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=True),  # none until set through a one-time link
    Column("failures", Integer, nullable=False, default=0),  # consecutive wrong passwords (domain/throttle.py)
    Column("last_failure_at", DateTime(timezone=True), nullable=True),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=True),
)

# One-time links to set a password: the first national administrator's, printed by `up`; later, resets.
setup_links = Table(
    "setup_links",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
)
