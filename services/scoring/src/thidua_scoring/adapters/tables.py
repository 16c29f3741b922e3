"""The scoring service's tables (its own database), with its replicas of the registry and of campaigns."""

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from thidua_shared.campaigns_replica import define_campaigns_table
from thidua_shared.db import new_metadata
from thidua_shared.document_register import define_documents_table
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.registry_replica import RegistryReplicaTables

metadata = new_metadata()
messaging = MessagingTables.define(metadata)
registry = RegistryReplicaTables.define(metadata)

# --- results ------------------------------------------------------------------------------------
submissions = Table(
    "submissions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("node", String(32), nullable=False),
    Column("campaign_id", String(36), nullable=False),
    Column("unit_id", String(36), nullable=False, index=True),
    Column("period", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("self_total", Integer, nullable=False),  # points × 10^4: exact on every database
    Column("snapshot", JSON, nullable=False),  # the SubmissionSnapshot of the latest version
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("campaign_id", "unit_id", "period", name="uq_submissions_campaign_unit_period"),
)

# Every version a unit submitted, kept and visible: a revision never erases what came before.
submission_versions = Table(
    "submission_versions",
    metadata,
    Column("submission_id", String(36), ForeignKey("submissions.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("snapshot", JSON, nullable=False),
    Column("reason", Text, nullable=True),
    Column("submitted_by", String(255), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
)

# Evidence files uploaded (stored by content in the file store), and by whom: a submission may cite them.
evidence = define_documents_table(metadata, "evidence")

# --- review rounds -----------------------------------------------------------------------------------
rounds = Table(
    "review_rounds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("node", String(32), nullable=False),
    Column("campaign_id", String(36), nullable=False, index=True),
    Column("period", String(20), nullable=False),
    Column("cluster_id", String(36), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("snapshot", JSON, nullable=False),  # the RoundSnapshot
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
)

round_members = Table(
    "round_members",
    metadata,
    Column("round_id", String(36), ForeignKey("review_rounds.id"), primary_key=True),
    Column("unit_id", String(36), primary_key=True),
    Index("ix_round_members_unit_id", "unit_id"),
)

assignments = Table(
    "review_assignments",
    metadata,
    Column("round_id", String(36), ForeignKey("review_rounds.id"), primary_key=True),
    Column("reviewer_unit_id", String(36), primary_key=True),
    Column("unit_id", String(36), primary_key=True),
)

conflicts = Table(
    "review_conflicts",
    metadata,
    Column("round_id", String(36), ForeignKey("review_rounds.id"), primary_key=True),
    Column("reviewer_unit_id", String(36), primary_key=True),
    Column("unit_id", String(36), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("automatic", Boolean, nullable=False),
    Column("declared_by", String(255), nullable=False),
    Column("declared_at", DateTime(timezone=True), nullable=False),
)

reviews = Table(
    "reviews",
    metadata,
    Column("round_id", String(36), ForeignKey("review_rounds.id"), primary_key=True),
    Column("reviewer_unit_id", String(36), primary_key=True),
    Column("unit_id", String(36), primary_key=True),
    Column("indicator_code", String(20), primary_key=True),
    Column("stage", Integer, primary_key=True),
    Column("points", Integer, nullable=False),  # × 10^4: exact on every database
    Column("comment", Text, nullable=True),
    Column("reviewed_by", String(255), nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
)

explanations = Table(
    "explanations",
    metadata,
    Column("round_id", String(36), ForeignKey("review_rounds.id"), primary_key=True),
    Column("unit_id", String(36), primary_key=True),
    Column("indicator_code", String(20), primary_key=True),
    Column("text", Text, nullable=False),
    Column("explained_by", String(255), nullable=False),
    Column("explained_at", DateTime(timezone=True), nullable=False),
)

# Every handover of a round's writing from one node to another (the round's `node` is the current owner).
round_handovers = Table(
    "round_handovers",
    metadata,
    Column("round_id", String(36), ForeignKey("review_rounds.id"), primary_key=True),
    Column("position", Integer, primary_key=True),  # 1 for the first handover of the round
    Column("from_node", String(32), nullable=False),
    Column("to_node", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("state_digest", String(64), nullable=False),
    Column("handed_by", String(255), nullable=False),
    Column("handed_at", DateTime(timezone=True), nullable=False),
)

# A former owner asks for its round back (from its own node, once it heard of the handover); a handover
# consumes the requests of its round.
round_return_requests = Table(
    "round_return_requests",
    metadata,
    Column("round_id", String(36), ForeignKey("review_rounds.id"), primary_key=True),
    Column("node", String(32), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("requested_by", String(255), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
)

# What a closed round was computed from, and what it gave: recomputing the one gives the other's bytes.
round_results = Table(
    "round_results",
    metadata,
    Column("round_id", String(36), ForeignKey("review_rounds.id"), primary_key=True),
    Column("inputs", JSON, nullable=False),
    Column("inputs_digest", String(64), nullable=False),
    Column("table", JSON, nullable=False),
    Column("table_digest", String(64), nullable=False),
    Column("leader_unit_id", String(36), nullable=True),
)

# --- replicas of the campaigns service -------------------------------------------------------------
replica_campaigns = define_campaigns_table(metadata)

replica_registrations = Table(
    "replica_registrations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("campaign_id", String(36), nullable=False, index=True),
    Column("unit_id", String(36), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("snapshot", JSON, nullable=False),
)

# Live standings: each unit's latest self-score, from the scoring events of every node (a consumer).
standings = Table(
    "standings",
    metadata,
    Column("campaign_id", String(36), primary_key=True),
    Column("period", String(20), primary_key=True),
    Column("unit_id", String(36), primary_key=True),
    Column("node", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("self_total", Integer, nullable=False),  # points × 10^4
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
