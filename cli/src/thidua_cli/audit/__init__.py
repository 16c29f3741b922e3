"""The audit tools: read a node's log, verify every chain, and (to come) the transparency log's proofs,
replay and history. `read_stream` and `verify_stream` are kept here for the tests and tools that use them."""

from thidua_cli.audit.stream import iter_stored, read_stream, verify_stream
from thidua_cli.audit.verify import ChainReport, LogVerifier, StoredEvent

__all__ = ["ChainReport", "LogVerifier", "StoredEvent", "iter_stored", "read_stream", "verify_stream"]
