"""The portal's own Alembic history (no platform branch: the portal has no outbox or inbox of events)."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent
