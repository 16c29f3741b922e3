"""Registry service (Sổ đăng ký): units, clusters and blocks, people, access tokens.

Same inner shape as every service: `domain/` pure rules, `service_layer/` use
cases, `adapters/` tables and repository, `entrypoints/` HTTP (and event
subscribers where a service consumes events), `migrations/` Alembic.
"""
