"""Use cases of the registry: load, check access, decide (domain), save and record events in one transaction."""
