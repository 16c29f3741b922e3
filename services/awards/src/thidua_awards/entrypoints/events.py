"""What the awards service consumes: the registry's units and clusters (with mergers) and people,
the campaigns, and the rankings every node's scoring publishes."""

from thidua_shared.registry_replica import registry_replica_consumer

from thidua_awards.adapters.replicas import campaigns_consumer, people_consumer, rankings_consumer
from thidua_awards.adapters.tables import registry

CONSUMERS = [registry_replica_consumer("awards", registry), people_consumer(), campaigns_consumer(), rankings_consumer()]
