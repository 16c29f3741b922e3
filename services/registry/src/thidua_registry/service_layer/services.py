"""Registry use cases. Each one: load, check access, apply the domain rule,
save, and record the events, all in one unit of work."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives import serialization

from thidua_shared.access.tokens import Principal, hash_token, new_token
from thidua_shared.errors import Conflict, Invalid, NotFound
from thidua_shared.ids import new_id
from thidua_shared.keys import fingerprint
from thidua_shared.settings import NODE_PATTERN
from thidua_shared.events import registry as ev
from thidua_shared.events.envelope import SYSTEM_ACTOR
from thidua_shared.messaging.unit_of_work import UnitOfWork
from thidua_shared.roles import Role

from thidua_registry.adapters.repository import RegistryRepository
from thidua_registry.domain import model
from thidua_registry.domain.model import Cluster, Person, Unit
from thidua_registry.service_layer import commands as cmd
from thidua_registry.service_layer.access import (
    UNIT_EDITORS,
    UNIT_WRITERS,
    ensure_can_grant,
    ensure_reach,
)


RegistryUnitOfWork = UnitOfWork[RegistryRepository]


# --- loading helpers -------------------------------------------------------------
async def load_unit(repo: RegistryRepository, ref: str, error: str = "unit_not_found") -> Unit:
    unit = await repo.unit(ref)
    if unit is None:
        raise NotFound(error, ref=ref)
    return unit


async def load_active_unit(repo: RegistryRepository, ref: str, error: str = "unit_not_found") -> Unit:
    """An active unit; a merged one is refused with its successor named."""
    unit = await load_unit(repo, ref, error)
    successor = await repo.unit(unit.successor_id) if unit.successor_id else None
    unit.ensure_active(successor.code if successor else None)
    return unit


async def load_cluster(repo: RegistryRepository, ref: str) -> Cluster:
    cluster = await repo.cluster(ref)
    if cluster is None:
        raise NotFound("cluster_not_found", ref=ref)
    return cluster


# --- units -----------------------------------------------------------------------
async def register_unit(uow: RegistryUnitOfWork, principal: Principal, command: cmd.RegisterUnit) -> Unit:
    async with uow:
        repo = uow.repo
        unit = await add_unit(uow, repo, principal, command)
        await uow.commit()
    return unit


async def add_unit(uow: RegistryUnitOfWork, repo: RegistryRepository, principal: Principal, command: cmd.RegisterUnit) -> Unit:
    """Register one unit inside an open unit of work (shared by the API and the bulk import)."""
    principal.require_role(UNIT_WRITERS)
    code = model.normalize_code(command.code)
    if await repo.existing_codes([code]):
        raise Conflict("unit_code_taken", code=code)
    parent = await load_active_unit(repo, command.parent, "parent_not_found") if command.parent else None
    if command.kind is ev.UnitKind.NATIONAL_ALLIANCE:
        principal.require_role((Role.NATIONAL_ADMIN,))
    model.check_placement(command.kind, parent)
    if parent is not None:
        await ensure_reach(repo, principal, parent)
    unit = Unit(
        id=new_id(), code=code, name=command.name, kind=command.kind,
        parent_id=parent.id if parent else None,
        province_code=command.province_code or (parent.province_code if parent else None),
    )
    await repo.add_unit(unit)
    uow.record(ev.UnitRegistered(unit=unit.snapshot()), aggregate_id=unit.id, actor=principal.actor)
    return unit


async def update_unit(uow: RegistryUnitOfWork, principal: Principal, ref: str, command: cmd.UpdateUnit) -> Unit:
    async with uow:
        repo = uow.repo
        unit = await load_active_unit(repo, ref)
        principal.require_role(UNIT_EDITORS)
        await ensure_reach(repo, principal, unit)
        changes = command.model_dump(exclude_unset=True)
        model.check_may_edit(principal.role, set(changes))
        updated = replace(unit, **{k: v for k, v in changes.items() if k in ("name", "province_code")})
        if "parent" in changes:
            updated = replace(updated, parent_id=await _checked_new_parent(repo, principal, unit, command.parent))
        changed = [f for f in ("name", "province_code", "parent_id") if getattr(updated, f) != getattr(unit, f)]
        if not changed:
            raise Invalid("nothing_to_change")
        await repo.save_unit(updated)
        uow.record(ev.UnitUpdated(unit=updated.snapshot(), changed=changed), aggregate_id=unit.id, actor=principal.actor)
        await uow.commit()
    return updated


async def _checked_new_parent(repo: RegistryRepository, principal: Principal, unit: Unit, parent_ref: str | None) -> str | None:
    principal.require_role(UNIT_WRITERS)
    parent = await load_active_unit(repo, parent_ref, "parent_not_found") if parent_ref else None
    model.check_placement(unit.kind, parent)
    if parent is None:
        return None
    await ensure_reach(repo, principal, parent)
    model.check_no_cycle(unit, parent, await repo.lineage(parent.id))
    return parent.id


async def merge_unit(uow: RegistryUnitOfWork, principal: Principal, ref: str, command: cmd.MergeUnit) -> Unit:
    """Merge a unit into its successor; its active children move to the successor, its history stays."""
    async with uow:
        repo = uow.repo
        principal.require_role(UNIT_WRITERS)
        unit = await load_active_unit(repo, ref)
        successor = await load_unit(repo, command.successor)
        await ensure_reach(repo, principal, unit)
        await ensure_reach(repo, principal, successor)
        merged = model.merge(unit, successor, await repo.lineage(successor.id), command.effective_date)
        children = await repo.children(unit.id)
        for child in children:
            moved = replace(child, parent_id=successor.id)
            await repo.save_unit(moved)
            uow.record(ev.UnitUpdated(unit=moved.snapshot(), changed=["parent_id"]), aggregate_id=child.id, actor=principal.actor)
        await repo.save_unit(merged)
        uow.record(
            ev.UnitMerged(
                unit=merged.snapshot(), successor_id=successor.id, successor_code=successor.code,
                effective_date=command.effective_date, reason=command.reason, moved_children=[c.id for c in children],
            ),
            aggregate_id=unit.id, actor=principal.actor,
        )
        await uow.commit()
    return merged


async def dissolve_unit(uow: RegistryUnitOfWork, principal: Principal, ref: str, command: cmd.DissolveUnit) -> Unit:
    async with uow:
        repo = uow.repo
        principal.require_role(UNIT_WRITERS)
        unit = await load_active_unit(repo, ref)
        await ensure_reach(repo, principal, unit)
        dissolved = model.dissolve(unit, len(await repo.children(unit.id)), command.effective_date)
        await repo.save_unit(dissolved)
        uow.record(
            ev.UnitDissolved(unit=dissolved.snapshot(), effective_date=command.effective_date, reason=command.reason),
            aggregate_id=unit.id, actor=principal.actor,
        )
        await uow.commit()
    return dissolved


# --- clusters ---------------------------------------------------------------------
async def form_cluster(uow: RegistryUnitOfWork, principal: Principal, command: cmd.FormCluster) -> Cluster:
    async with uow:
        repo = uow.repo
        principal.require_role(UNIT_WRITERS)
        code = model.normalize_code(command.code)
        if await repo.cluster_code_exists(code):
            raise Conflict("cluster_code_taken", code=code)
        owner = await load_active_unit(repo, command.owner)
        await ensure_reach(repo, principal, owner)
        cluster = Cluster(id=new_id(), code=code, name=command.name, kind=command.kind, owner_unit_id=owner.id)
        await repo.add_cluster(cluster)
        uow.record(ev.ClusterFormed(cluster=cluster.snapshot()), aggregate_id=cluster.id, actor=principal.actor)
        await uow.commit()
    return cluster


async def _load_managed_cluster(repo: RegistryRepository, principal: Principal, ref: str) -> Cluster:
    """Membership and leaders are recorded by the cluster's owner (the VCA board or the province)."""
    principal.require_role(UNIT_WRITERS)
    cluster = await load_cluster(repo, ref)
    await ensure_reach(repo, principal, await load_unit(repo, cluster.owner_unit_id))
    return cluster


async def set_members(uow: RegistryUnitOfWork, principal: Principal, ref: str, year: int, command: cmd.SetMembers) -> model.MembershipChange:
    async with uow:
        repo = uow.repo
        cluster = await _load_managed_cluster(repo, principal, ref)
        model.check_year(year)
        found = await repo.units_by_refs(command.units)
        missing = [ref for ref in command.units if ref not in found]
        if missing:
            raise NotFound("unit_not_found", ref=", ".join(missing))
        change = model.change_membership(await repo.members(cluster.id, year), [found[r] for r in command.units])
        if not change.added and not change.removed:
            raise Invalid("nothing_to_change")
        await repo.set_members(cluster.id, year, change.added, change.removed)
        uow.record(
            ev.ClusterMembershipChanged(cluster_id=cluster.id, year=year, members=change.members, added=change.added, removed=change.removed),
            aggregate_id=cluster.id, actor=principal.actor,
        )
        await uow.commit()
    return change


async def elect_leader(uow: RegistryUnitOfWork, principal: Principal, ref: str, year: int, command: cmd.ElectLeader) -> model.LeaderElection:
    async with uow:
        repo = uow.repo
        cluster = await _load_managed_cluster(repo, principal, ref)
        leader = await load_unit(repo, command.leader)
        deputy = await load_unit(repo, command.deputy) if command.deputy else None
        election = model.elect_leader(
            cluster, year, await repo.members(cluster.id, year), leader, deputy,
            await repo.leader_code(cluster.id, year), command.elected_on,
        )
        await repo.add_leader(election)
        uow.record(
            ev.ClusterLeaderElected(
                cluster_id=cluster.id, year=year, leader_unit_id=leader.id,
                deputy_unit_id=election.deputy_unit_id, elected_on=command.elected_on,
            ),
            aggregate_id=cluster.id, actor=principal.actor,
        )
        await uow.commit()
    return election


# --- people -----------------------------------------------------------------------
async def register_person(uow: RegistryUnitOfWork, principal: Principal, command: cmd.RegisterPerson, id_secret: bytes) -> Person:
    async with uow:
        repo = uow.repo
        principal.require_role(UNIT_EDITORS)
        unit = await load_active_unit(repo, command.unit)
        await ensure_reach(repo, principal, unit)
        digest = await _unique_id_digest(repo, command.national_id, id_secret)
        person = Person(id=new_id(), unit_id=unit.id, full_name=command.full_name, position=command.position, national_id_digest=digest)
        await repo.add_person(person)
        uow.record(ev.PersonRegistered(person=person.snapshot()), aggregate_id=person.id, actor=principal.actor)
        await uow.commit()
    return person


async def update_person(uow: RegistryUnitOfWork, principal: Principal, person_id: str, command: cmd.UpdatePerson, id_secret: bytes) -> Person:
    async with uow:
        repo = uow.repo
        principal.require_role(UNIT_EDITORS)
        person = await repo.person(person_id)
        if person is None:
            raise NotFound("person_not_found", ref=person_id)
        await ensure_reach(repo, principal, await load_unit(repo, person.unit_id))
        updated = person
        if command.unit is not None:
            unit = await load_active_unit(repo, command.unit)
            await ensure_reach(repo, principal, unit)
            updated = replace(updated, unit_id=unit.id)
        if command.full_name is not None:
            updated = replace(updated, full_name=command.full_name)
        if "position" in command.model_fields_set:
            updated = replace(updated, position=command.position)
        if command.national_id is not None:
            updated = replace(updated, national_id_digest=await _unique_id_digest(repo, command.national_id, id_secret, person.id))
        changed = [f for f in ("unit_id", "full_name", "position", "national_id_digest") if getattr(updated, f) != getattr(person, f)]
        if not changed:
            raise Invalid("nothing_to_change")
        await repo.save_person(updated)
        public_changes = [f if f != "national_id_digest" else "national_id" for f in changed]
        uow.record(ev.PersonUpdated(person=updated.snapshot(), changed=public_changes), aggregate_id=person.id, actor=principal.actor)
        await uow.commit()
    return updated


async def _unique_id_digest(repo: RegistryRepository, number: str | None, secret: bytes, except_id: str | None = None) -> str | None:
    if not number:
        return None
    digest = model.national_id_digest(number, secret)
    if await repo.national_id_taken(digest, except_id):
        raise Conflict("person_already_registered")
    return digest


# --- access tokens -----------------------------------------------------------------
@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str  # shown once, never stored
    scope_unit_id: str | None


async def issue_token(uow: RegistryUnitOfWork, principal: Principal | None, command: cmd.IssueToken) -> IssuedToken:
    """Issue a token. Only its hash is stored and sent in the event.
    `principal` is None only for the bootstrap admin token that `thidua up` creates."""
    async with uow:
        repo = uow.repo
        scope = await load_active_unit(repo, command.scope_unit) if command.scope_unit else None
        if principal is not None:
            ensure_can_grant(principal, command.role, scope)
            if scope is not None:
                await ensure_reach(repo, principal, scope)
        person = await repo.person(command.person) if command.person else None
        if command.person and person is None:
            raise NotFound("person_not_found", ref=command.person)
        token = new_token()
        token_id = await store_token(uow, principal, command, hash_token(token), scope, person)
        await uow.commit()
    return IssuedToken(token_id, token, scope.id if scope else None)


async def store_token(
    uow: RegistryUnitOfWork, principal: Principal | None, command: cmd.IssueToken, token_hash: str, scope: Unit | None, person: Person | None
) -> str:
    token_id = new_id()
    person_id, scope_id = (person.id if person else None), (scope.id if scope else None)
    await uow.repo.add_token(token_id, token_hash, command.holder_name, person_id, command.role.value, scope_id)
    uow.record(
        ev.AccessTokenIssued(
            token_id=token_id, token_hash=token_hash, holder_name=command.holder_name,
            person_id=person_id, role=command.role, scope_unit_id=scope_id,
        ),
        aggregate_id=token_id, actor=principal.actor if principal else SYSTEM_ACTOR,
    )
    return token_id


async def revoke_token(uow: RegistryUnitOfWork, principal: Principal, token_id: str) -> None:
    async with uow:
        principal.require_role((Role.NATIONAL_ADMIN,))
        token = await uow.repo.token(token_id)
        if token is None or token.revoked_at is not None:
            raise NotFound("token_not_found", ref=token_id)
        await uow.repo.revoke_token(token_id)
        uow.record(ev.AccessTokenRevoked(token_id=token_id, token_hash=token.token_hash), aggregate_id=token_id, actor=principal.actor)
        await uow.commit()


async def register_node_key(uow: RegistryUnitOfWork, principal: Principal, node: str, command: cmd.RegisterNodeKey) -> str:
    """Record the centre's word for a node's key; every service then trusts events signed with it.
    Returns the key's fingerprint."""
    async with uow:
        principal.require_role((Role.NATIONAL_ADMIN,))
        if not NODE_PATTERN.match(node):
            raise Invalid("node_code_invalid", code=node)
        key = model.node_public_key(command.public_key_pem)
        raw = base64.b64encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()
        uow.record(ev.NodeKeyRegistered(node=node, public_key=raw, link_key=command.link_key, reason=command.reason),
                   aggregate_id=node, actor=principal.actor)
        await uow.commit()
    return fingerprint(key)


async def ensure_bootstrap_token(uow: RegistryUnitOfWork, token_hash: str) -> bool:
    """Record the admin token that `thidua up` generated on first start; True if it was new."""
    async with uow:
        if await uow.repo.token_hash_known(token_hash):
            return False
        command = cmd.IssueToken(holder_name="Quản trị hệ thống (khởi tạo)", role=Role.NATIONAL_ADMIN)
        await store_token(uow, None, command, token_hash, None, None)
        await uow.commit()
    return True
