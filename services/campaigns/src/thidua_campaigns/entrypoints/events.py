"""What the campaigns service consumes: the registry's events, for its read replicas."""

from thidua_campaigns.adapters.replicas import registry_replica_consumer

CONSUMERS = [registry_replica_consumer()]
