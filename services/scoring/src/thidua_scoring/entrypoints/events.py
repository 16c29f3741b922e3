"""What the scoring service consumes: the registry's events (units, clusters, leaders), the campaigns'
(criteria, rules, registrations with pledged targets), and every node's submissions (live standings)."""

from thidua_shared.registry_replica import registry_replica_consumer

from thidua_scoring.adapters.replicas import campaigns_replica_consumer, standings_consumer
from thidua_scoring.adapters.tables import registry

CONSUMERS = [registry_replica_consumer("scoring", registry), campaigns_replica_consumer(), standings_consumer()]
