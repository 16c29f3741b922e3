"""Secret ballots, end to end: the tellers make the key, voters cast encrypted ballots, the tellers decrypt the tally.

keys ──(every teller dealt)──▶ open ──(close: time over or all voted)──▶ counting ──(threshold tellers counted)──▶ closed

The server checks every proof and stores what it is sent; it never holds a key that opens a ballot,
and nothing it writes (tables, WAL, events, logs) pairs a voter with a readable choice. See
`domain/ballots.py` and `thidua_shared.encrypted_ballot` for the scheme, the README for its limits.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from thidua_shared import encrypted_ballot as crypto
from thidua_shared.access.tokens import Principal
from thidua_shared.errors import Conflict, Forbidden, Invalid, NotFound
from thidua_shared.events import awards as ev
from thidua_shared.events.awards import BallotSnapshot, EncryptedBallot, NominationSnapshot
from thidua_shared.ids import new_id
from thidua_shared.messaging.unit_of_work import UnitOfWork
from thidua_shared.registry_replica import load_cluster, load_unit
from thidua_shared.roles import Role

from thidua_awards.adapters.repository import AwardsRepository
from thidua_awards.domain import ballots as rules
from thidua_awards.domain.rulesets import award_rule
from thidua_awards.service_layer import commands as cmd
from thidua_awards.service_layer.access import CLUSTER_VOTERS, ensure_office, manages_ballot, manages_cluster
from thidua_awards.service_layer.services import load_nominations

AwardsUnitOfWork = UnitOfWork[AwardsRepository]
BOX_PAGE = 200  # encrypted ballots read at a time when the box is multiplied and published
EVENT_BYTES = 512 * 1024  # a published part of the box stays well under the stream's message limit


async def load_ballot(repo: AwardsRepository, ballot_id: str) -> tuple[BallotSnapshot, dict | None]:
    found = await repo.ballot(ballot_id)
    if found is None:
        raise NotFound("ballot_not_found", ref=ballot_id)
    return found


def _proven(check, *args) -> None:  # type: ignore[no-untyped-def]
    """Runs a proof check; a proof that fails is the sender's error, with a reason, never a 500."""
    try:
        check(*args)
    except crypto.ProofFailed as error:
        raise Invalid("ballot_proof_failed") from error


# --- who acts -----------------------------------------------------------------------------------------------
async def acting_member(repo: AwardsRepository, principal: Principal, kind: str, unit_ref: str | None) -> str:
    """The voter or teller a request speaks for: a cluster's member unit, by its own reporter only (nobody above
    a unit casts its vote or holds its key); a council's member, in person."""
    if kind == "cluster":
        if unit_ref is None:
            raise Forbidden("ballot_not_voter")
        unit = await load_unit(repo, unit_ref)
        principal.require_role(CLUSTER_VOTERS)
        if principal.scope_unit_id != unit.id:
            raise Forbidden("ballot_vote_not_own", unit=unit.code)
        return unit.id
    if principal.role is not Role.COUNCIL_MEMBER or principal.person_id is None:
        raise Forbidden("ballot_not_voter")
    return principal.person_id


async def _teller(repo: AwardsRepository, principal: Principal, ballot: BallotSnapshot, unit_ref: str | None) -> tuple[str, int]:
    teller = await acting_member(repo, principal, ballot.kind, unit_ref)
    index = rules.teller_index(ballot, teller)
    if index is None:
        raise Forbidden("ballot_not_teller")
    return teller, index


# A teller's two turns: the ballot's state each is taken in, and the refusals when it is not that state or taken already.
TELLER_TURNS = {"deal": ("keys", "ballot_keys_made", "ballot_already_dealt"),
                "count": ("counting", "ballot_not_counting", "ballot_already_counted")}


async def _teller_turn(repo: AwardsRepository, principal: Principal, ballot_id: str, unit_ref: str | None, sent_index: int,
                       turn: str) -> tuple[BallotSnapshot, str, list]:  # type: ignore[type-arg]
    """That a teller's deal or count is theirs to give now: a teller of the ballot, at that step, once, under their own
    index. Returns the ballot, the teller and the deals or counts given so far."""
    ballot, _ = await load_ballot(repo, ballot_id)
    teller, index = await _teller(repo, principal, ballot, unit_ref)
    state, wrong_state, taken = TELLER_TURNS[turn]
    if ballot.status != state:
        raise Conflict(wrong_state)
    given = await (repo.deals(ballot.id) if turn == "deal" else repo.counts(ballot.id))
    if any(g.index == index for g in given):
        raise Conflict(taken)
    if sent_index != index:
        raise Invalid("ballot_teller_index", index=index)
    return ballot, teller, given


async def register_teller_key(uow: AwardsUnitOfWork, principal: Principal, command: cmd.RegisterTellerKey) -> str:
    """A teller's transport key, registered once: the key shares of the ballots they count are sealed to it."""
    async with uow:
        teller = await acting_member(uow.repo, principal, "cluster" if command.unit else "council", command.unit)
        await uow.repo.save_teller_key(teller, command.public_key)
        uow.record(ev.TellerKeyRegistered(teller=teller, public_key=command.public_key), aggregate_id=teller, actor=principal.actor)
        await uow.commit()
    return teller


# --- opening: the committee makes the key ---------------------------------------------------------------------
async def open_ballot(uow: AwardsUnitOfWork, principal: Principal, command: cmd.OpenBallot, now: datetime, node: str) -> BallotSnapshot:
    async with uow:
        repo = uow.repo
        nominations = await _nominations(repo, command.nominations)
        rule = award_rule(nominations[0].ruleset_id, nominations[0].award_code).vote.rule()
        opens_at = command.opens_at or now
        if command.closes_at <= opens_at:
            raise Invalid("ballot_window")
        if command.kind == "cluster":
            voters, unit_id, cluster_id, tellers = await _cluster_voters(repo, principal, command)
        else:
            voters, unit_id, cluster_id, tellers = await _council_voters(repo, principal, command, nominations[0].to_unit_id)
        threshold = command.threshold or rules.default_threshold(len(tellers))
        if threshold > len(tellers):
            raise Invalid("ballot_threshold", threshold=threshold, tellers=len(tellers))
        ballot = BallotSnapshot(id=new_id(), node=node, kind=command.kind, title=command.title, unit_id=unit_id,  # type: ignore[arg-type]
                                cluster_id=cluster_id, year=command.year, nominations=[n.id for n in nominations], voters=voters,
                                rule=rule, opens_at=opens_at, closes_at=command.closes_at, meeting_on=command.meeting_on,
                                tellers=tellers, threshold=threshold,
                                status="keys")
        await repo.add_ballot(ballot)
        uow.record(ev.BallotOpened(ballot=ballot), aggregate_id=ballot.id, actor=principal.actor)
        await uow.commit()
    return ballot


async def _nominations(repo: AwardsRepository, refs: list[str]) -> list[NominationSnapshot]:
    nominations = await load_nominations(repo, refs)
    codes = sorted({n.award_code for n in nominations})
    if len(codes) > 1:
        raise Invalid("ballot_mixed_awards", award=codes[0], other=codes[1])
    return nominations


async def _cluster_voters(repo: AwardsRepository, principal: Principal, command: cmd.OpenBallot) -> tuple[list[str], str, str, list[str]]:
    if command.cluster is None:
        raise Invalid("ballot_no_voters")
    cluster = await load_cluster(repo, command.cluster)
    if not await manages_cluster(repo, principal, cluster, command.year):
        raise Forbidden("leader_only", cluster=cluster.code)
    voters = sorted(await repo.cluster_members(cluster.id, command.year))
    tellers = []
    for ref in command.tellers:  # a committee of at most 15
        unit = await load_unit(repo, ref)
        if unit.id not in voters:
            raise Invalid("ballot_teller_not_voter", ref=unit.code)
        tellers.append(unit.id)
    return _nonempty(voters), cluster.owner_unit_id, cluster.id, sorted(set(tellers))


async def _council_voters(repo: AwardsRepository, principal: Principal, command: cmd.OpenBallot, to_unit: str) -> tuple[list[str], str, None, list[str]]:
    await ensure_office(repo, principal, to_unit)
    people = await repo.people(command.voters)
    unknown = [v for v in command.voters if v not in people]
    if unknown:
        raise NotFound("person_not_found", ref=unknown[0])
    voters = sorted(set(command.voters))
    outside = [t for t in command.tellers if t not in voters]
    if outside:
        raise Invalid("ballot_teller_not_voter", ref=outside[0])
    return _nonempty(voters), to_unit, None, sorted(set(command.tellers))


def _nonempty(voters: list[str]) -> list[str]:
    if not voters:
        raise Invalid("ballot_no_voters")
    return voters


async def deal(uow: AwardsUnitOfWork, principal: Principal, ballot_id: str, command: cmd.Deal) -> BallotSnapshot:
    """A teller's deal, checked; with the last one the ballot has its key and opens."""
    async with uow:
        repo = uow.repo
        ballot, teller, deals = await _teller_turn(repo, principal, ballot_id, command.unit, command.deal.index, "deal")
        _proven(crypto.check_deal, command.deal, ballot.threshold, len(ballot.tellers))
        await repo.add_deal(ballot.id, teller, command.deal)
        key = crypto.ballot_key([*deals, command.deal]) if len(deals) + 1 == len(ballot.tellers) else None
        if key is not None:
            ballot = ballot.model_copy(update={"status": "open", "public_key": key})
            await repo.save_ballot(ballot)
        uow.record(ev.BallotDealt(ballot_id=ballot.id, teller=teller, deal=command.deal, public_key=key), aggregate_id=ballot.id,
                   actor=principal.actor)
        await uow.commit()
    return ballot


# --- voting ---------------------------------------------------------------------------------------------------
async def cast_vote(uow: AwardsUnitOfWork, principal: Principal, ballot_id: str, command: cmd.Vote, now: datetime) -> str:
    """One encrypted vote, its proofs checked; returns the receipt (the ballot's SHA-256)."""
    async with uow:
        repo = uow.repo
        ballot, _ = await load_ballot(repo, ballot_id)
        if ballot.status == "keys":
            raise Conflict("ballot_keys_pending")
        if ballot.status != "open" or not (ballot.opens_at <= now <= ballot.closes_at):
            raise Conflict("ballot_not_open", when=f"{ballot.opens_at:%d/%m/%Y %H:%M} – {ballot.closes_at:%d/%m/%Y %H:%M}")
        voter = await acting_member(repo, principal, ballot.kind, command.voter)
        state = await repo.voter_state(ballot.id, voter)
        if state is None:
            raise Forbidden("ballot_not_voter")
        if state:
            raise Conflict("ballot_already_voted")
        await _check_encrypted(ballot, command.ballot)
        receipt = crypto.receipt_of(command.ballot)
        if await repo.in_box(ballot.id, receipt):  # a copy of another's ballot: a vote is one's own
            raise Conflict("ballot_copied")
        if not await repo.mark_voted(ballot.id, voter):
            raise Conflict("ballot_already_voted")
        await repo.add_to_box(ballot.id, [(receipt, command.ballot)])
        uow.record(ev.BallotVoted(ballot_id=ballot.id, voter=voter), aggregate_id=ballot.id, actor=principal.actor)
        await uow.commit()
    return receipt


async def _check_encrypted(ballot: BallotSnapshot, encrypted: EncryptedBallot) -> None:
    """The proofs cost tens of milliseconds a nomination: checked off the event loop."""
    if [c.nomination_id for c in encrypted.choices] != ballot.nominations:
        raise Invalid("ballot_incomplete", count=len(set(ballot.nominations) - {c.nomination_id for c in encrypted.choices}))
    await asyncio.to_thread(_proven, crypto.check_ballot, encrypted, ballot.public_key, ballot.nominations)


# --- counting -------------------------------------------------------------------------------------------------
async def close_ballot(uow: AwardsUnitOfWork, principal: Principal, ballot_id: str, now: datetime) -> dict | None:
    """The end of voting, once the time is over or everyone has voted: the box is published with its product,
    the encrypted tally the tellers decrypt. A ballot nobody voted in is closed at once."""
    async with uow:
        repo = uow.repo
        ballot, _ = await load_ballot(repo, ballot_id)
        await _ballot_manager(repo, principal, ballot)
        if ballot.status in ("counting", "closed"):
            raise Conflict("ballot_closed_already")
        eligible, voted = await repo.voters_voted(ballot.id)
        if ballot.status == "open" and now < ballot.closes_at and voted < eligible:
            raise Conflict("ballot_not_open", when=f"đến / until {ballot.closes_at:%d/%m/%Y %H:%M}")
        if voted == 0:
            result = await _close(uow, principal, ballot, eligible, 0, [{} for _ in ballot.nominations], rules.BoxDigest().hexdigest(), [])
        else:
            result = None
            await _publish_box(uow, principal, ballot, eligible, voted)
        await uow.commit()
    return result


async def _publish_box(uow: AwardsUnitOfWork, principal: Principal, ballot: BallotSnapshot, eligible: int, voted: int) -> None:
    repo, tally, digest = uow.repo, crypto.Tally(len(ballot.nominations)), rules.BoxDigest()
    parts: list[list[EncryptedBallot]] = [[]]
    size, after = 0, ""
    while page := await repo.box_page(ballot.id, after, BOX_PAGE):
        for receipt, encrypted in page:
            tally.add(encrypted)
            digest.add(receipt)
            bytes_ = len(encrypted.model_dump_json())
            if parts[-1] and size + bytes_ > EVENT_BYTES:
                parts.append([])
                size = 0
            parts[-1].append(encrypted)
            size += bytes_
        after = page[-1][0]
    for number, part in enumerate(parts, start=1):
        uow.record(ev.BallotBoxPublished(ballot_id=ballot.id, part=number, parts=len(parts), ballots=part), aggregate_id=ballot.id,
                   actor=principal.actor)
    encrypted_tally = tally.encrypted()
    counting = ev.BallotCounting(ballot_id=ballot.id, eligible=eligible, voted=voted, box_digest=digest.hexdigest(), tally=encrypted_tally)
    await repo.set_tally(ballot.id, counting.model_dump(mode="json"))
    await repo.save_ballot(ballot.model_copy(update={"status": "counting"}))
    uow.record(counting, aggregate_id=ballot.id, actor=principal.actor)


async def count(uow: AwardsUnitOfWork, principal: Principal, ballot_id: str, command: cmd.Count) -> dict | None:
    """A teller's share of the tally's decryption, checked against the teller's public share of the key; with the
    threshold reached, the tally is decrypted and the ballot closed."""
    async with uow:
        repo = uow.repo
        ballot, teller, counts = await _teller_turn(repo, principal, ballot_id, command.unit, command.count.index, "count")
        index = command.count.index
        counting = ev.BallotCounting.model_validate(await repo.tally(ballot.id))
        public = crypto.public_share(await repo.deals(ballot.id), index)
        await asyncio.to_thread(_proven, crypto.check_count, command.count, counting.tally, public)
        await repo.add_count(ballot.id, teller, command.count)
        uow.record(ev.BallotCounted(ballot_id=ballot.id, teller=teller, count=command.count), aggregate_id=ballot.id, actor=principal.actor)
        counts.append(command.count)
        result = None
        if len(counts) >= ballot.threshold:
            used = sorted(counts, key=lambda c: c.index)[: ballot.threshold]
            decrypted = await asyncio.to_thread(crypto.decrypt, counting.tally, used, counting.voted)
            result = await _close(uow, principal, ballot, counting.eligible, counting.voted, decrypted, counting.box_digest,
                                  [c.index for c in used])
        await uow.commit()
    return result


async def _close(uow: AwardsUnitOfWork, principal: Principal, ballot: BallotSnapshot, eligible: int, voted: int,
                 counts: list, digest: str, counted_by: list[int]) -> dict:  # type: ignore[type-arg]
    tallies, quorum_met = rules.tally(counts, ballot.nominations, eligible, voted, ballot.rule)
    result = rules.result(eligible, voted, quorum_met, digest, tallies)
    await uow.repo.close_ballot(ballot.model_copy(update={"status": "closed"}), result)
    uow.record(ev.BallotClosed(ballot_id=ballot.id, eligible=eligible, voted=voted, quorum_met=quorum_met, tallies=tallies,
                               box_digest=digest, counted_by=counted_by), aggregate_id=ballot.id, actor=principal.actor)
    return result


async def _ballot_manager(repo: AwardsRepository, principal: Principal, ballot: BallotSnapshot) -> None:
    if not await manages_ballot(repo, principal, ballot):
        raise Forbidden("forbidden_scope", unit=await repo.code_of(ballot.unit_id))
