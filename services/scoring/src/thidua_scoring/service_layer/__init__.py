"""Use cases of scoring (services.py), the read side (queries.py), access rules, commands."""
