"""Tables, repository and read replicas of the campaigns service."""
