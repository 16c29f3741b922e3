"""HTTP API and event subscribers of the campaigns service."""
