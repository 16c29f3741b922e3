"""What the scoring service consumes: the registry's events (units, clusters, leaders), the campaigns'
(criteria, rules, registrations with pledged targets), every node's submissions (live standings), and the
other nodes' reports and rounds (read-only copies; a round handed over is written here from then on)."""

from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.registry_replica import registry_replica_consumer
from thidua_shared.settings import Settings

from thidua_scoring.adapters.replicas import campaigns_replica_consumer, standings_consumer
from thidua_scoring.adapters.tables import registry
from thidua_scoring.service_layer.other_nodes import other_nodes_consumer


def consumers(settings: Settings) -> list[ConsumerSpec]:
    return [registry_replica_consumer("scoring", registry), campaigns_replica_consumer(), standings_consumer(),
            other_nodes_consumer(settings.node, settings.centre_node)]
