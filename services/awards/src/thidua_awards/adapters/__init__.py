"""SQLAlchemy tables, the repository, and the replicas of units, people, campaigns and rankings."""
