"""The node's own scoring events written back into its tables (`audit replay`), by the same writers that
copy other nodes' rounds (`other_nodes.py`): an owner's events say all its round holds, wherever they are read."""

from __future__ import annotations

from typing import Any

from thidua_shared.events import scoring as ev
from thidua_shared.events.catalog import Event
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.replay import own_event_writers

from thidua_scoring.adapters.repository import ScoringRepository
from thidua_scoring.service_layer import other_nodes


async def _round_opened(repo: ScoringRepository, event: Event[ev.RoundOpened]) -> None:
    await repo.add_round(event.payload.round, at=event.occurred_at)


def own_events(node: str, centre: str) -> ConsumerSpec:
    async def handed_over(repo: ScoringRepository, event: Event[Any]) -> None:
        await other_nodes.round_handed_over(repo, event, node, centre)

    async def asked_back(repo: ScoringRepository, event: Event[Any]) -> None:
        await other_nodes.return_requested(repo, event, centre)

    writers = {
        "scoring.submission_received": other_nodes.submission, "scoring.submission_revised": other_nodes.submission,
        "scoring.round_opened": _round_opened, **other_nodes.ROUND_WRITERS,
        "scoring.round_handed_over": handed_over, "scoring.round_return_requested": asked_back,
    }
    return own_event_writers("scoring", ScoringRepository, writers)


NOT_IN_LOG = {
    "evidence": "tệp minh chứng lưu theo nội dung; sự kiện chỉ mang mã băm SHA-256 của tệp / "
                "evidence files are stored by content; events carry only their SHA-256",
}
