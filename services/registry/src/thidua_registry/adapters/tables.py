"""The registry's tables (its own database; no other service reads it)."""

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Table

from thidua_shared.db import new_metadata
from thidua_shared.messaging.tables import MessagingTables

metadata = new_metadata()
messaging = MessagingTables.define(metadata)

units = Table(
    "units",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("search_name", String(255), nullable=False, index=True),
    Column("search_text", String(400), nullable=False, server_default=""),  # code and name, folded: the search index covers it
    Column("kind", String(40), nullable=False, index=True),
    Column("parent_id", String(36), ForeignKey("units.id"), nullable=True, index=True),
    Column("province_code", String(16), nullable=True, index=True),
    Column("status", String(20), nullable=False, index=True),
    Column("successor_id", String(36), ForeignKey("units.id"), nullable=True),
    Column("status_date", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

clusters = Table(
    "clusters",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("search_name", String(255), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("owner_unit_id", String(36), ForeignKey("units.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

cluster_members = Table(
    "cluster_members",
    metadata,
    Column("cluster_id", String(36), ForeignKey("clusters.id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("unit_id", String(36), ForeignKey("units.id"), primary_key=True, index=True),
)

cluster_leaders = Table(
    "cluster_leaders",
    metadata,
    Column("cluster_id", String(36), ForeignKey("clusters.id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("leader_unit_id", String(36), ForeignKey("units.id"), nullable=False),
    Column("deputy_unit_id", String(36), ForeignKey("units.id"), nullable=True),
    Column("elected_on", Date, nullable=True),
)

people = Table(
    "people",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_id", String(36), ForeignKey("units.id"), nullable=False, index=True),
    Column("full_name", String(255), nullable=False),
    Column("search_name", String(255), nullable=False),
    Column("position", String(255), nullable=True),
    Column("national_id_digest", String(64), nullable=True, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_people_search_name_id", "search_name", "id"),  # people listed by name (migration 0002)
)
