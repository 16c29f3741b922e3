"""Thi Đua's platform: what every service process is made of, and nothing else.

The event envelope and catalog (`events`), messaging (`messaging`: streams, outbox and relay,
verified idempotent consumers, replicas, NATS identities, AsyncAPI), the runtime and its HTTP
face (`runtime`, `http`), access tokens (`access`), database helpers and the platform's own
migrations (`db`, `migrations`), settings, logging, bilingual errors, and the pieces national
scale needs (`search`, `spreadsheets`, `files`, `jobs`, `paging`, `validation`). The `thidua`
command and the launcher are a client of the services and live in `cli/`.
"""
