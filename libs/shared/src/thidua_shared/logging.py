"""structlog set-up: readable in a terminal, JSON otherwise.

Handlers bind `event_id` and `correlation_id` with `bound_to_event`, so every
line written while an event is processed names it.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
from collections.abc import Iterator
from uuid import UUID

import structlog

from thidua_shared.settings import Settings


# Libraries that log their every step at INFO: WeasyPrint ("Step 1 - Fetching and parsing HTML…"), fontTools
# subsetting the certificate's font, httpx and httpcore each request.
CHATTY_LIBRARIES = ("weasyprint", "weasyprint.progress", "fontTools", "httpx", "httpcore")


def configure_logging(settings: Settings, service: str | None = None) -> None:
    use_json = settings.log_format == "json" or (settings.log_format == "auto" and not sys.stderr.isatty())
    renderer = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(message)s")
    for chatty in CHATTY_LIBRARIES:  # their progress lines say nothing an operator acts on
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(node=settings.node, **({"service": service} if service else {}))


# The correlation id of the work in hand: set per HTTP request (or from the event being
# handled), used by log lines and as the default correlation id of recorded events.
current_correlation_id: contextvars.ContextVar[UUID | None] = contextvars.ContextVar("correlation_id", default=None)


@contextlib.contextmanager
def bound_to_request(correlation_id: UUID) -> Iterator[None]:
    token = current_correlation_id.set(correlation_id)
    try:
        with structlog.contextvars.bound_contextvars(correlation_id=str(correlation_id)):
            yield
    finally:
        current_correlation_id.reset(token)


@contextlib.contextmanager
def bound_to_event(event_id: object, correlation_id: object) -> Iterator[None]:
    """Bind the event being served to every log line inside the block; events recorded
    while handling it share its correlation id."""
    token = current_correlation_id.set(correlation_id if isinstance(correlation_id, UUID) else UUID(str(correlation_id)))
    try:
        with structlog.contextvars.bound_contextvars(event_id=str(event_id), correlation_id=str(correlation_id)):
            yield
    finally:
        current_correlation_id.reset(token)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
