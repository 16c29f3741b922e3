"""The awards service's tables (its own database), with its replicas of units, people, campaigns
and published rankings."""

from sqlalchemy import (
    JSON, Boolean, Column, ColumnElement, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint, false, select,
)

from thidua_shared.campaigns_replica import define_campaigns_table
from thidua_shared.db import new_metadata
from thidua_shared.document_register import define_documents_table
from thidua_shared.messaging.tables import MessagingTables
from thidua_shared.registry_replica import RegistryReplicaTables

metadata = new_metadata()
messaging = MessagingTables.define(metadata)
registry = RegistryReplicaTables.define(metadata)
replica_campaigns = define_campaigns_table(metadata)

# --- replicas -------------------------------------------------------------------------------------
replica_people = Table(
    "replica_people",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_id", String(36), nullable=False, index=True),
    Column("full_name", String(255), nullable=False),
    Column("position", String(255), nullable=True),
)

# Published rankings (scoring.ranking_published): who leads which cluster in which year.
replica_rankings = Table(
    "replica_rankings",
    metadata,
    Column("round_id", String(36), primary_key=True),
    Column("node", String(32), nullable=False),
    Column("campaign_id", String(36), nullable=False),
    Column("cluster_id", String(36), nullable=False, index=True),
    Column("period", String(20), nullable=False),
    Column("year", Integer, nullable=False, index=True),
    Column("leader_unit_id", String(36), nullable=True, index=True),
    Column("open_ties", JSON, nullable=False),
    Column("rows", JSON, nullable=False),  # [{unit_id, rank, total}]
    Column("table_digest", String(64), nullable=False),
)

# --- records eligibility is judged on ----------------------------------------------------------------
initiatives = Table(
    "initiatives",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_id", String(36), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("level", String(20), nullable=False),
    Column("year", Integer, nullable=False),
    Column("recognised_by", String(255), nullable=True),
    Column("document_number", String(100), nullable=True),
    Column("claimed", Boolean, nullable=False, server_default=false()),  # the unit's own word, not yet confirmed above it
)

task_ratings = Table(
    "task_ratings",
    metadata,
    Column("subject_id", String(36), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("subject_kind", String(10), nullable=False),
    Column("rating", String(20), nullable=False),
    Column("claimed", Boolean, nullable=False, server_default=false()),
)

disciplines = Table(
    "disciplines",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_id", String(36), nullable=False, index=True),
    Column("level", String(20), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("reason", Text, nullable=False),
)

# Every award a subject holds: decided here, or typed in from the years before (history).
award_history = Table(
    "award_history",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_id", String(36), nullable=False, index=True),
    Column("award_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("decision_id", String(36), nullable=True),
    Column("decision_number", String(100), nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("nomination_id", String(36), nullable=True),
    Column("source", String(10), nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("revoked_reason", Text, nullable=True),
    Index("ix_award_history_award_year", "award_code", "year"),
)

# --- nominations and their dossiers -------------------------------------------------------------------------
documents = define_documents_table(metadata, "documents")

nominations = Table(
    "nominations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("node", String(32), nullable=False),
    Column("award_code", String(64), nullable=False),
    Column("ruleset_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_id", String(36), nullable=False, index=True),
    Column("subject_name", String(255), nullable=False),
    Column("proposer_unit_id", String(36), nullable=False, index=True),
    Column("to_unit_id", String(36), nullable=False, index=True),
    Column("campaign_id", String(36), nullable=True, index=True),
    Column("cluster_id", String(36), nullable=True),  # the cluster whose ranking it came from (quotas)
    Column("state", String(20), nullable=False),
    Column("eligible", Boolean, nullable=True),
    Column("snapshot", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_nominations_award_year", "award_code", "year"),
)

# Every step of a dossier: who, what, from which state to which, why. Never rewritten.
nomination_trail = Table(
    "nomination_trail",
    metadata,
    Column("nomination_id", String(36), ForeignKey("nominations.id"), primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("action", String(20), nullable=False),
    Column("from_state", String(20), nullable=True),
    Column("to_state", String(20), nullable=False),
    Column("actor_name", String(255), nullable=False),
    Column("actor_role", String(40), nullable=False),
    Column("reason", Text, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# --- secret ballots --------------------------------------------------------------------------------------
ballots = Table(
    "ballots",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("node", String(32), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("unit_id", String(36), nullable=False),
    Column("cluster_id", String(36), nullable=True, index=True),  # a cluster's ballot: found by cluster and year
    Column("year", Integer, nullable=False, index=True),
    Column("status", String(10), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("result", JSON, nullable=True),  # at close: tallies, quorum, the box's digest
    Column("tally", JSON, nullable=True),  # at the end of voting: the encrypted tally the tellers decrypt
)

ballot_questions = Table(
    "ballot_questions",
    metadata,
    Column("ballot_id", String(36), ForeignKey("ballots.id"), primary_key=True),
    Column("nomination_id", String(36), primary_key=True),
    Index("ix_ballot_questions_nomination_id", "nomination_id"),
)

# Who may vote, and whether they have: never with what they chose.
ballot_voters = Table(
    "ballot_voters",
    metadata,
    Column("ballot_id", String(36), ForeignKey("ballots.id"), primary_key=True),
    Column("voter", String(36), primary_key=True),
    Column("voted", Boolean, nullable=False),
)

# The box: one encrypted ballot a row, keyed by its receipt (its SHA-256), with no voter and no time.
# Nobody without k tellers' keys reads a choice in it; only the product of the whole box is decrypted.
ballot_box = Table(
    "ballot_box",
    metadata,
    Column("ballot_id", String(36), ForeignKey("ballots.id"), primary_key=True),
    Column("receipt", String(64), primary_key=True),
    Column("ballot", JSON, nullable=False),
)

# The tellers (Ban kiểm phiếu): their transport keys, each ballot's deals (the key's making) and counts
# (their shares of the tally's decryption). Everything here is public; the tellers' secrets never come.
teller_keys = Table(
    "teller_keys",
    metadata,
    Column("teller", String(36), primary_key=True),
    Column("public_key", String(64), nullable=False),
)



def _teller_turns(name: str, given: str) -> Table:
    """What each teller gave, once per ballot: its deal (a part of the key) or its count (a share of the decryption)."""
    return Table(name, metadata, Column("ballot_id", String(36), ForeignKey("ballots.id"), primary_key=True),
                 Column("teller_index", Integer, primary_key=True), Column("teller", String(36), nullable=False),
                 Column(given, JSON, nullable=False))


ballot_deals = _teller_turns("ballot_deals", "deal")
ballot_counts = _teller_turns("ballot_counts", "count")


def published_ballot_box(_: MetaData) -> ColumnElement[bool]:
    """The box rows `ballot_box_published` events carry (an open ballot's box is in no event yet)."""
    return ballot_box.c.ballot_id.in_(select(ballots.c.id).where(ballots.c.status.in_(("counting", "closed"))))


# --- public posting ----------------------------------------------------------------------------------------
postings = Table(
    "postings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("to_unit_id", String(36), nullable=False),
    Column("status", String(10), nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("snapshot", JSON, nullable=False),
)

posting_nominations = Table(
    "posting_nominations",
    metadata,
    Column("posting_id", String(36), ForeignKey("postings.id"), primary_key=True),
    Column("nomination_id", String(36), primary_key=True),
    Index("ix_posting_nominations_nomination_id", "nomination_id"),
)

posting_comments = Table(
    "posting_comments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("posting_id", String(36), ForeignKey("postings.id"), nullable=False, index=True),
    Column("nomination_id", String(36), nullable=True),
    Column("author", String(255), nullable=True),
    Column("text", Text, nullable=False),
    Column("answer", Text, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=True),
)

# --- decisions ---------------------------------------------------------------------------------------------
decisions = Table(
    "decisions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("node", String(32), nullable=False),
    Column("number", String(100), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("to_unit_id", String(36), nullable=False),
    Column("award_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("snapshot", JSON, nullable=False),
    UniqueConstraint("to_unit_id", "number", name="uq_decisions_unit_number"),
)
