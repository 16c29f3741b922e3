"""A service's read replica of the registry: units (with mergers), clusters and blocks, their
members and leaders per year, built from the registry's events only.

A service that needs it defines the tables on its metadata (`RegistryReplicaTables.define`),
adds `MIGRATIONS` to its runtime (`ServiceRuntime(extra_migrations=[MIGRATIONS])`), consumes
with `registry_replica_consumer`, and reads through `RegistryReplicaReader`. No service calls
the registry, ever.
"""

from pathlib import Path

from thidua_shared.registry_replica.projections import registry_replica_consumer
from thidua_shared.registry_replica.reader import ClusterView, RegistryReplicaReader, UnitView, load_cluster, load_unit
from thidua_shared.registry_replica.tables import RegistryReplicaTables

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"

__all__ = [
    "MIGRATIONS", "ClusterView", "RegistryReplicaReader", "RegistryReplicaTables", "UnitView", "load_cluster", "load_unit",
    "registry_replica_consumer",
]
