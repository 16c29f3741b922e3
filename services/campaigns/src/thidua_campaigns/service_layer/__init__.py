"""Use cases of the campaigns service."""
