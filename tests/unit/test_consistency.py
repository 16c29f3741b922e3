"""Read-your-writes positions (thidua_shared.consistency): parsed leniently, waited for exactly, bounded."""

from __future__ import annotations

import asyncio

from thidua_shared.consistency import AppliedPositions, HeldPositions, format_positions, parse_positions


def test_positions_are_parsed_leniently_and_the_newest_per_chain_kept():
    assert parse_positions("vn.registry=12, vn.campaigns=3,vn.registry=9") == {"vn.registry": 12, "vn.campaigns": 3}
    assert parse_positions("garbage, =1, vn.registry=-1, ../x=2, vn.REGISTRY=1") == {}  # ignored, never an error
    assert parse_positions(None) == {} and parse_positions(",".join(f"vn.s{i}=1" for i in range(50))).__len__() == 20
    assert format_positions({"vn.scoring": 4, "hp.scoring": 7}) == "hp.scoring=7, vn.scoring=4"
    held = HeldPositions()
    held.keep({"Thidua-Position": "vn.registry=5"})
    held.keep({"Thidua-Position": "vn.registry=4"})
    headers: dict[str, str] = {}
    held.stamp(headers)
    assert headers == {"Thidua-After": "vn.registry=5"}


async def test_a_request_waits_for_exactly_what_it_needs_and_no_longer_than_allowed():
    applied = AppliedPositions("vn.campaigns")
    applied.register("campaigns-registry-replica", "registry")
    applied.register("campaigns-tokens", "registry")
    # Its own chain, and chains no consumer here reads, need no wait.
    assert applied.missing({"vn.campaigns": 99, "vn.awards": 3}) == {}
    assert applied.missing({"vn.registry": 3}) == {"vn.registry": 3}
    applied.advance("campaigns-registry-replica", {"vn.registry": 5})
    assert applied.missing({"vn.registry": 3}) == {"vn.registry": 3}  # every consumer of the chain must be there

    waiting = asyncio.create_task(applied.wait({"vn.registry": 3}, timeout=5))
    await asyncio.sleep(0)  # let it start waiting (a yield to the loop, no time)
    assert not waiting.done()
    applied.advance("campaigns-tokens", {"vn.registry": 4})
    assert await waiting == {}
    assert await applied.wait({"vn.registry": 6}, timeout=0.3) == {"vn.registry": 6}  # bounded: the caller answers 503


async def test_after_a_restart_the_stream_tells_how_far_a_quiet_consumer_has_applied():
    asked = []

    async def probe(consumer: str, chain: str) -> int | None:
        asked.append((consumer, chain))
        return 8

    applied = AppliedPositions("vn.awards", probe=probe)
    applied.register("awards-registry-replica", "registry")
    assert await applied.wait({"vn.registry": 7}, timeout=5) == {}
    assert asked == [("awards-registry-replica", "vn.registry")]
