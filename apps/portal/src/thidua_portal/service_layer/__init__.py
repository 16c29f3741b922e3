"""The portal's use cases: accounts, one-time links, signing in and out."""
