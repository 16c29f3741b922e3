"""The awards service's own events written back into its tables, as its use cases wrote them
(`audit replay`), through the same writers where a use case writes more than one row
(`write_step`, `write_decision`).

A ballot's box is the exception: while the ballot is open, its encrypted ballots are in no event
(`ballot_voted` says only who voted); `ballot_box_published` publishes the whole box at the end of
voting, so a counted ballot's box is rebuilt, an open one's is not (named in `NOT_IN_LOG`).
"""

from __future__ import annotations

from typing import Any

from thidua_shared.encrypted_ballot import receipt_of
from thidua_shared.events import awards as ev
from thidua_shared.events.catalog import Event
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.replay import own_event_writers

from thidua_awards.adapters.repository import AwardsRepository
from thidua_awards.adapters.tables import published_ballot_box
from thidua_awards.domain import ballots as box
from thidua_awards.service_layer.services import EVENTS, write_decision, write_step

# The step of the dossier each nomination event records (the trail's `action`).
ACTIONS = {event.event_type: action for action, event in EVENTS.items()} | {
    "awards.nomination_drafted": "draft", "awards.nomination_document_attached": "attach",
}


async def _initiative(repo: AwardsRepository, event: Event[ev.InitiativeRecorded]) -> None:
    await repo.add_initiatives([event.payload.initiative])


async def _rating(repo: AwardsRepository, event: Event[ev.TaskRatingRecorded]) -> None:
    await repo.save_ratings([event.payload.rating])


async def _confirmed(repo: AwardsRepository, event: Event[ev.ClaimConfirmed]) -> None:
    p = event.payload
    if p.kind == "initiative" and p.initiative_id:
        await repo.confirm_initiative(p.initiative_id)
    elif p.subject is not None and p.year is not None:
        await repo.confirm_rating(p.subject.id, p.year)


async def _discipline(repo: AwardsRepository, event: Event[ev.DisciplineRecorded]) -> None:
    await repo.add_disciplines([event.payload.discipline])


async def _past_award(repo: AwardsRepository, event: Event[ev.PastAwardRecorded]) -> None:
    await repo.add_awards([event.payload.award])


async def _nomination(repo: AwardsRepository, event: Event[Any]) -> None:
    nomination, held = event.payload.nomination, await repo.nomination(event.payload.nomination.id)
    cluster_id = None
    if held is None and nomination.ranking_round_id:  # proposed from a ranking: the cluster it came from counts for quotas
        ranking = await repo.ranking(nomination.ranking_round_id)
        cluster_id = ranking.cluster_id if ranking else None
    await write_step(repo, nomination, ACTIONS[event.type], held.state if held else None, event.payload.reason, event.actor, cluster_id)


async def _teller_key(repo: AwardsRepository, event: Event[ev.TellerKeyRegistered]) -> None:
    await repo.save_teller_key(event.payload.teller, event.payload.public_key)


async def _ballot_opened(repo: AwardsRepository, event: Event[ev.BallotOpened]) -> None:
    await repo.add_ballot(event.payload.ballot)


async def _dealt(repo: AwardsRepository, event: Event[ev.BallotDealt]) -> None:
    p = event.payload
    await repo.add_deal(p.ballot_id, p.teller, p.deal)
    found = await repo.ballot(p.ballot_id)
    if found is not None and p.public_key is not None:
        await repo.save_ballot(found[0].model_copy(update={"status": "open", "public_key": p.public_key}))


async def _voted(repo: AwardsRepository, event: Event[ev.BallotVoted]) -> None:
    await repo.mark_voted(event.payload.ballot_id, event.payload.voter)


async def _box_published(repo: AwardsRepository, event: Event[ev.BallotBoxPublished]) -> None:
    p = event.payload
    await repo.add_to_box(p.ballot_id, [(receipt_of(b), b) for b in p.ballots])


async def _counting(repo: AwardsRepository, event: Event[ev.BallotCounting]) -> None:
    found = await repo.ballot(event.payload.ballot_id)
    if found is not None:
        await repo.set_tally(event.payload.ballot_id, event.payload.model_dump(mode="json"))
        await repo.save_ballot(found[0].model_copy(update={"status": "counting"}))


async def _counted(repo: AwardsRepository, event: Event[ev.BallotCounted]) -> None:
    await repo.add_count(event.payload.ballot_id, event.payload.teller, event.payload.count)


async def _ballot_closed(repo: AwardsRepository, event: Event[ev.BallotClosed]) -> None:
    p = event.payload
    found = await repo.ballot(p.ballot_id)
    if found is None:
        return
    result = box.result(p.eligible, p.voted, p.quorum_met, p.box_digest, p.tallies)
    await repo.close_ballot(found[0].model_copy(update={"status": "closed"}), result)


async def _posting_opened(repo: AwardsRepository, event: Event[ev.PostingOpened]) -> None:
    await repo.add_posting(event.payload.posting)


async def _comment(repo: AwardsRepository, event: Event[ev.PostingCommentReceived]) -> None:
    p = event.payload
    await repo.add_comment(p.comment_id, p.posting_id, p.nomination_id, p.author, p.text)


async def _answer(repo: AwardsRepository, event: Event[ev.PostingCommentAnswered]) -> None:
    await repo.answer_comment(event.payload.comment_id, event.payload.answer)


async def _posting_closed(repo: AwardsRepository, event: Event[ev.PostingClosed]) -> None:
    posting = await repo.posting(event.payload.posting_id)
    if posting is not None:
        await repo.save_posting(posting.model_copy(update={"status": "closed"}))


async def _decided(repo: AwardsRepository, event: Event[ev.AwardDecided]) -> None:
    decision = event.payload.decision
    chosen = await repo.nominations_by_ids([r.nomination_id for r in decision.recipients])
    await write_decision(repo, decision, [chosen[r.nomination_id] for r in decision.recipients], event.actor)


async def _revoked(repo: AwardsRepository, event: Event[ev.AwardRevoked]) -> None:
    p = event.payload
    await repo.revoke_award(p.nomination_id, f"{p.revocation_number}: {p.reason}")


WRITERS = {
    "awards.initiative_recorded": _initiative, "awards.task_rating_recorded": _rating, "awards.claim_confirmed": _confirmed,
    "awards.discipline_recorded": _discipline, "awards.past_award_recorded": _past_award,
    **{event_type: _nomination for event_type in ACTIONS},
    "awards.teller_key_registered": _teller_key, "awards.ballot_opened": _ballot_opened, "awards.ballot_dealt": _dealt,
    "awards.ballot_voted": _voted, "awards.ballot_box_published": _box_published, "awards.ballot_counting": _counting,
    "awards.ballot_counted": _counted, "awards.ballot_closed": _ballot_closed,
    "awards.posting_opened": _posting_opened, "awards.posting_comment_received": _comment,
    "awards.posting_comment_answered": _answer, "awards.posting_closed": _posting_closed,
    "awards.award_decided": _decided, "awards.award_revoked": _revoked,
}


def own_events() -> ConsumerSpec:
    return own_event_writers("awards", AwardsRepository, WRITERS)


NOT_IN_LOG = {
    "documents": "tệp hồ sơ lưu theo nội dung; sự kiện của đề nghị mang mã băm SHA-256 của từng tệp / "
                 "dossier files are stored by content; a nomination's events carry each file's SHA-256",
    "ballot_box": "chỉ so hòm phiếu đã công bố: khi đang bỏ phiếu, phiếu (đã mã hoá) chưa có trong sự kiện nào / "
                  "published boxes only: while a ballot is open, its encrypted ballots are in no event yet",
}
# A box is published by `ballot_box_published` events at the end of voting: those are compared.
COMPARABLE_ROWS = {"ballot_box": published_ballot_box}
