"""How the outside reaches the registry: the HTTP API (the registry consumes no events yet)."""
