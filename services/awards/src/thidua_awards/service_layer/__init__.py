"""Commands, access rules, use cases and the read side of awards."""
