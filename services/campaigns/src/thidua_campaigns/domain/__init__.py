"""Pure rules of campaigns: no I/O."""
