"""What the campaigns service consumes: the registry's events, for its read replica of units and clusters."""

from thidua_shared.registry_replica import registry_replica_consumer

from thidua_campaigns.adapters.tables import registry

CONSUMERS = [registry_replica_consumer("campaigns", registry)]
