"""`thidua audit verify` on a real node's log: one line per chain; a byte changed on disk, an event
missing or an unknown key named where it is, with a non-zero exit, never a crash or a timeout."""

from __future__ import annotations

from pathlib import Path

import pytest

from thidua_cli.audit import LogVerifier, iter_stored
from thidua_shared.events.envelope import GENESIS_HASH
from thidua_shared.keys import TrustedKeys
from thidua_shared.messaging.nats_access import identity_for
from thidua_shared.topology import TOOLS_IDENTITY

from tests.nodes import Node
from tests.support import CliResult, run_cli, sealed_event

pytestmark = pytest.mark.timeout(120)


async def audit_verify(node: Node) -> CliResult:
    """The command as an inspector runs it on the node."""
    return await run_cli(["audit", "verify"], node.cli_env())


async def verified(node: Node, stall_seconds: float = 5.0) -> LogVerifier:
    verifier = LogVerifier(TrustedKeys(node.settings.trusted_keys_dir))
    async for stored in iter_stored(node.server.url, identity_for(node.settings, TOOLS_IDENTITY), stall_seconds=stall_seconds):
        verifier.add(stored)
    return verifier


async def test_an_intact_log_gives_one_line_per_chain_and_exit_0(centre: Node) -> None:
    await centre.write("registry", "registry.unit_registered", 30)
    await centre.write("campaigns", "campaigns.campaign_drafted", 7)
    done = await audit_verify(centre)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Chuỗi vn.campaigns: 7 sự kiện, nguyên vẹn." in done.said
    assert "Chuỗi vn.registry: 30 sự kiện, nguyên vẹn." in done.said
    assert "Đã kiểm 37 sự kiện trong 2 chuỗi" in done.said


async def test_a_missing_event_is_named_as_the_gap_before_the_next(centre: Node) -> None:
    """Events 1–4 and 6–8 of a chain, as if the fifth had been taken out of the log."""
    chain, prev = [], GENESIS_HASH
    for sequence in range(1, 9):
        event = sealed_event(centre.key, "vn", "registry.unit_registered", sequence, prev)
        prev = event.hash
        chain.append(event)
    nc = await centre.connect("registry")
    try:
        js = nc.jetstream()
        for event in chain[:4] + chain[5:]:
            body, headers = event.to_message()
            await js.publish(event.subject, body, headers=headers)
    finally:
        await nc.close()
    report = (await verified(centre)).reports()[0]
    assert (report.chain, report.count, report.problem_count) == ("vn.registry", 7, 1)
    assert report.problems == [f"#5 {chain[5].id} (sequence 6): event 5 of the chain missing before it (lost, removed or never received)"]
    done = await audit_verify(centre)
    assert done.returncode == 1 and "Chuỗi vn.registry: 7 sự kiện, 1 lỗi:" in done.said and str(chain[5].id) in done.said


async def test_a_byte_changed_on_disk_breaks_the_chain_at_that_event(centre: Node) -> None:
    events = await centre.write("registry", "registry.unit_registered", 20)
    await centre.write("campaigns", "campaigns.campaign_drafted", 5)
    target = events[9]
    centre.stop()
    changed = change_on_disk(Path(centre.settings.var_dir), str(target.id).encode(), b'"n":10', b'"n":11')
    assert changed, "the stored event was not found on disk"
    centre.start()
    # nats-server finds the record's checksum wrong when it starts and drops it: the stream has a hole
    # where it was, and the chain a gap at its sequence, named with the event after it.
    verifier = await verified(centre, stall_seconds=2)
    broken = {r.chain: r for r in verifier.reports()}
    assert broken["vn.campaigns"].problem_count == 0
    assert broken["vn.registry"].problems == [
        f"#11 {events[10].id} (sequence 11): event 10 of the chain missing before it (lost, removed or never received)"]
    assert verifier.unreadable == ["#10: not in the stream any more (removed, or lost when found damaged on disk)"]
    done = await audit_verify(centre)
    assert done.returncode == 1 and "Chuỗi vn.campaigns: 5 sự kiện, nguyên vẹn." in done.said
    assert "Chuỗi vn.registry: 19 sự kiện, 1 lỗi:" in done.said and "#10" in done.said


def change_on_disk(var_dir: Path, near: bytes, old: bytes, new: bytes) -> bool:
    """Replace `old` by `new` in the stored message that holds `near`, in the server's block files."""
    for block in var_dir.rglob("*.blk"):
        data = block.read_bytes()
        at = data.find(near)
        if at < 0:
            continue
        start = data.rfind(old, 0, at + 4096)
        start = start if start >= 0 else data.find(old, at)
        if start < 0:
            return False
        block.write_bytes(data[:start] + new + data[start + len(old):])
        return True
    return False
