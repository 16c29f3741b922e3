"""Tables every service has: outbox, chain head, inbox, and its copy of access tokens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    chain_head: Table
    inbox: Table
    access_tokens: Table

    @classmethod
    def define(cls, metadata: MetaData) -> "MessagingTables":
        outbox = Table(
            "outbox",
            metadata,
            # `position` is the event's sequence in this service's chain: the relay publishes in this order.
            Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
            Column("event_id", String(36), nullable=False, unique=True),
            Column("event_type", String(120), nullable=False),
            Column("subject", String(255), nullable=False),
            Column("data", LargeBinary, nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("published_at", DateTime(timezone=True), nullable=True, index=True),
        )
        chain_head = Table(
            "chain_head",
            metadata,
            Column("chain", String(80), primary_key=True),  # "<node>.<service>"
            Column("last_sequence", BigInteger, nullable=False),
            Column("last_hash", String(64), nullable=False),
        )
        inbox = Table(
            "inbox",
            metadata,
            Column("consumer", String(120), primary_key=True),
            Column("event_id", String(36), primary_key=True),
            Column("event_type", String(120), nullable=False),
            Column("processed_at", DateTime(timezone=True), nullable=False),
        )
        access_tokens = Table(
            "access_tokens",
            metadata,
            Column("id", String(36), primary_key=True),
            Column("token_hash", String(64), nullable=False, unique=True),
            Column("holder_name", String(255), nullable=False),
            Column("person_id", String(36), nullable=True),
            Column("role", String(40), nullable=False),
            Column("scope_unit_id", String(36), nullable=True),
            Column("issued_at", DateTime(timezone=True), nullable=False),
            Column("revoked_at", DateTime(timezone=True), nullable=True),
        )
        return cls(outbox=outbox, chain_head=chain_head, inbox=inbox, access_tokens=access_tokens)
