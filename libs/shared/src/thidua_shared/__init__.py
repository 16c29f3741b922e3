"""Thi Đua shared contracts and plumbing.

Everything the four services have in common lives here, so that each service
only holds its own domain: the event envelope and catalog (`events`), the
outbox relay and idempotent consumer (`messaging`), database helpers (`db`),
settings, logging, access control (`auth`), bilingual errors (`i18n`,
`errors`), the service runtime (`runtime`), the embedded launcher and the CLI.
"""
