"""Pure rules of the registry: no I/O."""
