"""Messaging: streams, the transactional outbox and its relay, verified idempotent consumers,
replicas that never go back in time, NATS identities and permissions, the AsyncAPI document."""
