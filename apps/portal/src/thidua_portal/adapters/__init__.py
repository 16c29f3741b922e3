"""The portal's own database: accounts, one-time links and sessions (SQLite by default, PostgreSQL in production).
What lets a person sign in stays here, never in the event log."""
