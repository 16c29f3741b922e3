"""The whole catalog: importing this module registers every service's event payloads.

Kept apart from catalog.py, which the payload modules themselves import: a new service's
events module is added here.
"""

from thidua_shared.events import awards, campaigns, registry, scoring  # noqa: F401  (each registers its payloads on import)


def load_all() -> None:
    """Nothing more to do: importing this module filled the catalog. Called for readability at the use."""
