"""Other nodes' reports and rounds, copied read-only from their events.

A round is written by exactly one node: the one that opened it, or the one the centre handed it
over to. Every other node keeps a copy built from the owner's events, so that the centre reads a
province's rounds (and can take over one whose node is lost) and a province reads the centre's
(and gets back a round the centre handed back, with what the centre wrote meanwhile).

- This node's own events are skipped: its use cases wrote them already.
- An event about a round this node never saw opened is skipped: it belongs to a chain whose start
  never came here (a round of another province that the centre took over).
- An event written by a node that no longer owns the round (it wrote after the handover, before it
  heard of it) is dead-lettered with the owner named: the state handed over is what counts.

Each event is applied once (the consumer's inbox), in its chain's order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from thidua_shared.errors import Conflict
from thidua_shared.events import scoring as ev
from thidua_shared.events.catalog import Event
from thidua_shared.logging import get_logger
from thidua_shared.messaging.consumer import ConsumerSpec, Handler, RejectEvent

from thidua_scoring.adapters.repository import HandoverRow, ReviewRow, RoundResult, ScoringRepository
from thidua_scoring.domain import engine, model
from thidua_scoring.domain.fixed import points_int
from thidua_scoring.service_layer.services import load_campaign, round_inputs

log = get_logger(__name__)

CONSUMER = "scoring-rounds-replica"
Apply = Callable[[ScoringRepository, Event[Any]], Awaitable[None]]


async def _copying(repo: ScoringRepository, event: Event[Any], round_id: str) -> bool:
    """True if the event's node owns the round here (its position is noted); False if the round is unknown here."""
    round_ = await repo.round(round_id)
    if round_ is None:
        log.info("scoring.round_not_copied", round=round_id, node=event.envelope.node)
        return False
    if round_.node != event.envelope.node:
        raise RejectEvent(
            f"Vòng chấm {round_id} do nút «{round_.node}» quản lý (đã bàn giao): không áp dụng điều nút «{event.envelope.node}» ghi. / "
            f"Round {round_id} belongs to node '{round_.node}' (handed over): what node '{event.envelope.node}' wrote is not applied."
        )
    await repo.note_copied(round_id, event)
    return True


# --- what each event writes into a round (as its owner wrote it) --------------------------------------
async def _assigned(repo: ScoringRepository, event: Event[ev.ReviewerAssigned]) -> None:
    p = event.payload
    if (p.reviewer_unit_id, p.unit_id) not in await repo.assignments(p.round_id):
        await repo.add_assignments(p.round_id, [(p.reviewer_unit_id, p.unit_id)])


async def _conflict(repo: ScoringRepository, event: Event[ev.ConflictDeclared]) -> None:
    p = event.payload
    await repo.add_conflict(p.round_id, p.reviewer_unit_id, p.unit_id, p.reason, p.automatic, event.actor.name, at=event.occurred_at)


async def _reviewed(repo: ScoringRepository, event: Event[ev.ReviewSubmitted]) -> None:
    p = event.payload
    rows = [ReviewRow(p.reviewer_unit_id, p.unit_id, s.indicator_code, p.stage, points_int(s.points), s.comment) for s in p.scores]
    await repo.add_reviews(p.round_id, rows, event.actor.name, at=event.occurred_at)


async def _explained(repo: ScoringRepository, event: Event[ev.ExplanationSubmitted]) -> None:
    p = event.payload
    await repo.add_explanation(p.round_id, p.unit_id, p.indicator_code, p.text, event.actor.name, at=event.occurred_at)


async def _closed(repo: ScoringRepository, event: Event[ev.ReviewClosed]) -> None:
    await repo.mark_closed(event.payload.round_id, event.occurred_at, event.payload.closed_with_missing)


async def _ranked(repo: ScoringRepository, event: Event[ev.RankingPublished]) -> None:
    """The table as the owner published it, beside the inputs as this node holds them: the same
    digest when the copy is whole, so that `scoring recompute` works here too."""
    p = event.payload
    round_ = await repo.round(p.round_id)
    if round_ is None or await repo.result(p.round_id) is not None:
        return
    inputs = engine.inputs_document(await round_inputs(repo, round_, await load_campaign(repo, p.campaign_id)))
    digest = engine.digest(inputs)
    if digest != p.inputs_digest:
        log.warning("scoring.copied_round_differs", round=p.round_id, node=event.envelope.node)
    table = {"rows": [row.model_dump(mode="json") for row in p.rows], "leader_unit_id": p.leader_unit_id, "open_ties": p.open_ties}
    await repo.add_result(p.round_id, RoundResult(inputs, digest, table, p.table_digest, p.leader_unit_id))


ROUND_WRITERS: dict[str, Apply] = {
    "scoring.reviewer_assigned": _assigned,
    "scoring.conflict_declared": _conflict,
    "scoring.review_submitted": _reviewed,
    "scoring.explanation_submitted": _explained,
    "scoring.review_closed": _closed,
    "scoring.ranking_published": _ranked,
}


def _copy(writer: Apply) -> Apply:
    async def copy(repo: ScoringRepository, event: Event[Any]) -> None:
        if await _copying(repo, event, event.payload.round_id):
            await writer(repo, event)
    return copy


async def submission(repo: ScoringRepository, event: Event[Any]) -> None:
    snapshot = event.payload.submission
    reason = getattr(event.payload, "reason", None)
    if not await repo.copy_submission(snapshot, event.actor.name, reason, points_int(snapshot.self_total), event.occurred_at):
        # The unit reported the same period on two nodes (one of them cut off): both reports stay in
        # their nodes' logs; this node keeps its own.
        log.warning("scoring.report_on_two_nodes", unit=snapshot.unit_id, campaign=snapshot.campaign_id, node=snapshot.node)


async def _round_opened(repo: ScoringRepository, event: Event[ev.RoundOpened]) -> None:
    if await repo.round(event.payload.round.id) is None:
        await repo.add_round(event.payload.round, at=event.occurred_at)
        await repo.note_copied(event.payload.round.id, event)


async def round_handed_over(repo: ScoringRepository, event: Event[ev.RoundHandedOver], node: str, centre: str) -> None:
    """Only the centre hands rounds over; from then on only the new owner's writes are applied here. The
    former owner goes back to the state handed over: its own writes the centre had not received are undone."""
    p = event.payload
    if event.envelope.node != centre:
        raise RejectEvent(f"Chỉ trung tâm «{centre}» bàn giao vòng chấm. / Only the centre '{centre}' hands rounds over.")
    round_ = await repo.round(p.round_id)
    if round_ is None:
        return
    if round_.node != p.from_node:
        raise RejectEvent(f"Vòng chấm {p.round_id} do nút «{round_.node}» quản lý, không phải «{p.from_node}». / "
                          f"Round {p.round_id} belongs to node '{round_.node}', not '{p.from_node}'.")
    if p.from_node == node and p.taken_up_to is not None:
        await _rebuild(repo, p.round_id, p.taken_up_to)
    await repo.hand_over(round_, HandoverRow(p.from_node, p.to_node, p.reason, p.state_digest, event.actor.name, event.occurred_at))


async def _rebuild(repo: ScoringRepository, round_id: str, taken_up_to: int) -> None:
    """The round as this node had written it up to the event the centre took it at, and nothing after."""
    own = await repo.own_events(list(ROUND_WRITERS), round_id)
    undone = [e.envelope.sequence for e in own if e.envelope.sequence > taken_up_to]
    if not undone:
        return
    log.warning("scoring.writes_after_handover_undone", round=round_id, events=len(undone), first=undone[0])
    await repo.clear_round(round_id)
    for event in own:
        if event.envelope.sequence <= taken_up_to:
            await ROUND_WRITERS[event.type](repo, event)


async def return_requested(repo: ScoringRepository, event: Event[ev.RoundReturnRequested], centre: str) -> None:
    """At the centre: a former owner asks for its round back (every write it made before is applied or refused)."""
    round_ = await repo.round(event.payload.round_id)
    if round_ is None:
        return
    asker = event.envelope.node
    try:  # the rule the province's own node applied when it asked
        model.check_return_request(round_, asker, centre, await repo.former_owners(round_.id))
    except Conflict as refused:
        raise RejectEvent(f"{refused.message('vi')} / {refused.message('en')}") from refused
    await repo.request_return(round_.id, asker, event.payload.reason, event.actor.name, event.occurred_at)


APPLY: dict[str, Apply] = {
    "scoring.submission_received": submission,
    "scoring.submission_revised": submission,
    "scoring.round_opened": _round_opened,
    **{event_type: _copy(writer) for event_type, writer in ROUND_WRITERS.items()},
}


def _handler(apply: Apply, node: str) -> Handler:
    async def handle(session: Any, event: Event[Any]) -> None:  # the consumer's transaction
        if event.envelope.node != node:  # this node's own use cases wrote its own events
            await apply(ScoringRepository(session), event)
    return handle


def other_nodes_consumer(node: str, centre: str) -> ConsumerSpec:
    """Copies of the other nodes' reports and rounds on node `node`; `centre` is the node that hands rounds over."""
    async def handed_over(repo: ScoringRepository, event: Event[Any]) -> None:
        await round_handed_over(repo, event, node, centre)

    async def asked_back(repo: ScoringRepository, event: Event[Any]) -> None:
        await return_requested(repo, event, centre)
    every = {**APPLY, "scoring.round_handed_over": handed_over, "scoring.round_return_requested": asked_back}
    handlers = {t: _handler(apply, node) for t, apply in every.items()}
    return ConsumerSpec(name=CONSUMER, source="scoring", handlers=handlers)
