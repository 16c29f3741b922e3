"""The system's contract of who publishes and who consumes what, beside the event catalog.

Every service publishes only its own events (`thidua.events.<node>.<service>.>`). What it
consumes is declared here, once: each durable consumer's name, the service whose chains
it reads, and the event types it handles. Three things are built from this one table:
- each service's runtime checks that its handlers match its declared subscriptions;
- the launcher gives each service NATS permissions for exactly these consumers;
- the AsyncAPI document says, for every subject, who publishes and who consumes it.
"""

from __future__ import annotations

from dataclasses import dataclass

REGISTRY_UNIT_EVENTS = (
    "registry.unit_registered", "registry.unit_updated", "registry.unit_merged", "registry.unit_dissolved",
)
# Every service's platform replica: access tokens and the node keys the centre registered.
TOKEN_EVENTS = ("registry.access_token_issued", "registry.access_token_revoked", "registry.node_key_registered")
# What thidua_shared.registry_replica keeps: units (mergers included), clusters, members and leaders per year.
REGISTRY_REPLICA_EVENTS = (
    *REGISTRY_UNIT_EVENTS, "registry.cluster_formed", "registry.cluster_membership_changed", "registry.cluster_leader_elected",
)
CAMPAIGN_EVENTS = (
    "campaigns.campaign_drafted", "campaigns.campaign_launched", "campaigns.campaign_revised",
    "campaigns.campaign_closed", "campaigns.campaign_cancelled",
)
# What a scoring node copies of the other nodes' scoring: reports, and every step of their rounds.
OTHER_NODES_SCORING_EVENTS = (
    "scoring.submission_received", "scoring.submission_revised", "scoring.round_opened", "scoring.reviewer_assigned",
    "scoring.conflict_declared", "scoring.review_submitted", "scoring.explanation_submitted", "scoring.review_closed",
    "scoring.ranking_published", "scoring.round_handed_over", "scoring.round_return_requested",
)


@dataclass(frozen=True)
class Subscription:
    """A durable consumer as the contract declares it."""

    name: str
    source: str  # the service whose chains (on every node) it reads
    event_types: tuple[str, ...]


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    port: int
    description: str
    subscriptions: tuple[Subscription, ...] = ()
    # Every service keeps its own copy of the access tokens, but the registry, which issues them.
    replicates_tokens: bool = True

    @property
    def all_subscriptions(self) -> tuple[Subscription, ...]:
        tokens = (Subscription(f"{self.name}-tokens", "registry", TOKEN_EVENTS),) if self.replicates_tokens else ()
        return (*self.subscriptions, *tokens)


SERVICES: dict[str, ServiceInfo] = {
    "registry": ServiceInfo(
        "registry", 8101, "Sổ đăng ký: đơn vị, cụm/khối, cá nhân, mã truy cập / units, clusters, people, tokens",
        replicates_tokens=False,
    ),
    "campaigns": ServiceInfo(
        "campaigns", 8102, "Phong trào, chỉ tiêu, đăng ký, giao ước / campaigns, indicators, registrations, pledges",
        subscriptions=(
            Subscription("campaigns-registry-replica", "registry", REGISTRY_REPLICA_EVENTS),
        ),
    ),
    "scoring": ServiceInfo(
        "scoring", 8103, "Chấm điểm, bảng điểm, xếp hạng / results, cross-scoring, score tables, rankings",
        subscriptions=(
            Subscription("scoring-registry-replica", "registry", REGISTRY_REPLICA_EVENTS),
            Subscription("scoring-campaigns-replica", "campaigns", (
                *CAMPAIGN_EVENTS,
                "campaigns.registration_submitted", "campaigns.registration_amended", "campaigns.registration_withdrawn",
            )),
            Subscription("scoring-standings", "scoring", ("scoring.submission_received", "scoring.submission_revised")),
            # Other nodes' reports and rounds, read-only here, written by the node that owns each round.
            Subscription("scoring-rounds-replica", "scoring", OTHER_NODES_SCORING_EVENTS),
        ),
    ),
    "awards": ServiceInfo(
        "awards", 8104, "Khen thưởng: đề nghị, hồ sơ, bỏ phiếu kín, công khai, quyết định / nominations, ballots, decisions",
        subscriptions=(
            Subscription("awards-registry-replica", "registry", REGISTRY_REPLICA_EVENTS),
            Subscription("awards-people", "registry", ("registry.person_registered", "registry.person_updated")),
            Subscription("awards-campaigns-replica", "campaigns", CAMPAIGN_EVENTS),
            Subscription("awards-rankings", "scoring", ("scoring.ranking_published",)),
        ),
    ),
}

# The web portal: no events of its own, no NATS identity; every node (centre and provinces) runs it in front of
# its services, the one origin a browser talks to.
PORTAL = "portal"
PORTAL_PORT = 8100

# --- nodes: the centre and the provinces -------------------------------------------------------------
# The centre runs every service; a provincial node runs scoring only, on its own leaf nats-server and
# database, and keeps working while its link to the centre is down.
CENTRE_NODE = "vn"
PROVINCIAL_SERVICES = ("scoring",)
# What comes down to a province: the centre's chains these services' replicas are built from (scoring:
# the centre's own rounds, read-only, and those it took over or hands back to the province).
SERVICES_SENT_DOWN = ("registry", "campaigns", "scoring")
# The identity a province's leaf nats-server connects to the centre with (its own seed on each node).
LINK_IDENTITY = "link"

# Identities that are not services: the launcher's (declares streams) and the tools' (read the log).
ADMIN_IDENTITY = "admin"
TOOLS_IDENTITY = "cli"


def service(name: str) -> ServiceInfo:
    return SERVICES[name]
