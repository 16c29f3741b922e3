"""Messaging plumbing: streams, the transactional outbox and its relay, the idempotent consumer."""
