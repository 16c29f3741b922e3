"""SQLAlchemy tables, the repository, and the replicas of campaigns and registrations."""
