"""Access control: bearer tokens (role + scope), and the replica of them every service keeps.

The registry issues and revokes tokens; every other service authenticates against its
own copy, kept from `registry.access_token_issued` / `_revoked` events by a consumer the
runtime adds (`replica.py`), so that no service calls the registry to check a token.
"""
