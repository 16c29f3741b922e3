"""Campaigns service (Phong trào thi đua): campaigns with their indicators, registrations, pledges.

Same inner shape as every service: `domain/` pure rules, `service_layer/` use
cases, `adapters/` tables, repository and read replicas of the registry,
`entrypoints/` HTTP and event subscribers, `migrations/` Alembic.
"""
