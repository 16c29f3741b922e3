"""The campaigns service's tables, including its read replicas of the registry (built from events only)."""

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, UniqueConstraint

from thidua_shared.db import new_metadata
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.registry_replica import RegistryReplicaTables

metadata = new_metadata()
messaging = MessagingTables.define(metadata)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("issuer_unit_id", String(36), nullable=False, index=True),
    Column("title", String(500), nullable=False),
    Column("search_title", String(500), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("parent_id", String(36), nullable=True, index=True),
    Column("year_from", Integer, nullable=True),
    Column("year_to", Integer, nullable=True),
    Column("snapshot", JSON, nullable=False),  # the CampaignSnapshot, indicators included
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

registrations = Table(
    "registrations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("campaign_id", String(36), nullable=False, index=True),
    Column("unit_id", String(36), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

pledges = Table(
    "pledges",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("cluster_id", String(36), nullable=False),
    Column("year", Integer, nullable=False),
    Column("campaign_id", String(36), nullable=True),
    Column("title", String(500), nullable=False),
    Column("text", String, nullable=False),
    Column("members", JSON, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("cluster_id", "year", name="uq_pledges_cluster_year"),
)

pledge_signatures = Table(
    "pledge_signatures",
    metadata,
    Column("pledge_id", String(36), primary_key=True),
    Column("unit_id", String(36), primary_key=True),
    Column("signed_by", String(255), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
)

# --- the read replica of the registry (thidua_shared.registry_replica) ---------------
registry = RegistryReplicaTables.define(metadata)
