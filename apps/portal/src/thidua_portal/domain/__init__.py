"""The portal's own rules, pure (no I/O): passwords, how wrong ones back off. Nothing here enters the event log."""
