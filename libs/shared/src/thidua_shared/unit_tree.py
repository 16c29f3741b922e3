"""Queries on a table of units (id, parent_id, code): the registry's own table and every replica of it."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, Table, or_, select
from sqlalchemy.ext.asyncio import AsyncSession


def looks_like_id(ref: str) -> bool:
    try:
        uuid.UUID(ref)
    except ValueError:
        return False
    return True


def ref_key(ref: str) -> str:
    """A unit or cluster named by id or by code: ids are matched as given, codes upper-case (as stored)."""
    return ref if looks_like_id(ref) else ref.strip().upper()


async def lineage(session: AsyncSession, units: Table, unit_id: str) -> list[str]:
    """The unit's id followed by its ancestors' ids, up to the root (a cycle stops the walk)."""
    chain: list[str] = []
    current: str | None = unit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = await session.scalar(select(units.c.parent_id).where(units.c.id == current))
    return chain


def subtree_ids(units: Table, root_id: str, with_merged: bool = False) -> Select:
    """A SELECT of the ids of `root_id` and all its descendants (recursive CTE, SQLite and PostgreSQL).
    `with_merged`: also the units merged into any of them, and theirs (a merger carries the unit's
    history: what a token over the successor reaches); UNION then stops the walk on any cycle."""
    tree = select(units.c.id).where(units.c.id == root_id).cte("subtree", recursive=True)
    if with_merged:
        return select(tree.union(select(units.c.id).where(or_(units.c.parent_id == tree.c.id, units.c.successor_id == tree.c.id))).c.id)
    tree = tree.union_all(select(units.c.id).where(units.c.parent_id == tree.c.id))
    return select(tree.c.id)
