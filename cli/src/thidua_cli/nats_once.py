"""How a tool connects to NATS: one try, quietly. A command asking a system that is down must say so at once;
nats-py's defaults retry for two minutes and print a traceback at every attempt."""

from __future__ import annotations

from typing import Any


async def _quiet(_error: Exception) -> None:
    """The connection's errors are the caller's to report, once."""


ONE_TRY: dict[str, Any] = {"connect_timeout": 3, "allow_reconnect": False, "max_reconnect_attempts": 1, "reconnect_time_wait": 0.2,
                           "error_cb": _quiet}
