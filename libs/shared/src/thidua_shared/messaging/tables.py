"""Tables every service has: outbox, chain head, inbox, replica versions, and its copy of access tokens.

They are created by the platform's own migration branch (`thidua_shared/migrations`),
which the runtime applies beside each service's migrations: no service copies them.
"""

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
    replica_versions: Table
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
            Column("data", LargeBinary, nullable=False),  # the canonical content bytes: the message body
            Column("hash", String(64), nullable=False),
            Column("signature", String(120), nullable=False),
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
        # Where each read replica stands, per thing it copies: an older event never overwrites a newer one.
        replica_versions = Table(
            "replica_versions",
            metadata,
            Column("kind", String(60), primary_key=True),  # what is copied: "unit", "cluster_members", ...
            Column("key", String(120), primary_key=True),  # which one: a unit id, "<cluster id>:<year>", ...
            Column("chain", String(80), nullable=False),  # the chain of the event applied last
            Column("sequence", BigInteger, nullable=False),
            Column("occurred_at", DateTime(timezone=True), nullable=False),
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
        return cls(
            outbox=outbox, chain_head=chain_head, inbox=inbox, replica_versions=replica_versions, access_tokens=access_tokens
        )
