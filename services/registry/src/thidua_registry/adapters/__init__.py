"""SQLAlchemy tables and the repository of the registry."""
