"""An event too large to publish is refused when it is committed, with the state it came with:
nothing half-written, and nothing in the outbox that would hold up the chain behind it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from thidua_shared.errors import PayloadTooLarge
from thidua_shared.events.scoring import RankingPublished, ScoringPolicy, TableCell, TableRow
from thidua_shared.messaging.unit_of_work import MAX_EVENT_BYTES, UnitOfWork

from tests.support import ADMIN, SOURCE, create_database, no_repository, tables, tallies, unit_registered


def huge_ranking(units: int, criteria: int) -> RankingPublished:
    cell = [TableCell(indicator_code=f"{i}.1", self_points=Decimal("12.50"), computed_points=Decimal("12.50"),
                      review_points=Decimal("12.25"), final_points=Decimal("12.25"), at_max=False) for i in range(criteria)]
    rows = [TableRow(unit_id=f"{u:036d}", cells=cell, base=Decimal(90), bonus=Decimal(0), total=Decimal(90), criteria_at_max=0, rank=u + 1)
            for u in range(units)]
    return RankingPublished(round_id="r", node="vn", campaign_id="c", cluster_id="k", period="final", year=2026,
                            policy=ScoringPolicy(), rows=rows, leader_unit_id=None, open_ties=[], inputs_digest="0" * 64,
                            table_digest="0" * 64)


async def test_an_event_over_the_limit_is_refused_and_nothing_is_written(database_url: str) -> None:
    db = await create_database(database_url)
    try:
        with pytest.raises(PayloadTooLarge, match="too large"):
            async with UnitOfWork(db, tables, SOURCE, no_repository) as uow:
                await uow.session.execute(tallies.insert().values(unit_id="HTX-1", count=1))
                uow.record(unit_registered("HTX-1"), aggregate_id="HTX-1", actor=ADMIN)
                uow.record(huge_ranking(units=1200, criteria=24), aggregate_id="r", actor=ADMIN)
                await uow.commit()
        async with db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(tables.outbox)) == 0
            assert await session.scalar(select(func.count()).select_from(tallies)) == 0
        async with UnitOfWork(db, tables, SOURCE, no_repository) as uow:  # the chain goes on from where it was
            uow.record(huge_ranking(units=200, criteria=24), aggregate_id="r", actor=ADMIN)
            assert await uow.commit() == 1
        async with db.sessions() as session:
            size = await session.scalar(select(func.length(tables.outbox.c.data)))
            assert 0 < size < MAX_EVENT_BYTES
    finally:
        await db.dispose()
