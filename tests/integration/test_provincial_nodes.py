"""Provincial nodes on real nats-servers: a province works while its link is cut, and when the link
returns everything each side wrote arrives on the other once, in chain order, and verifies."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from thidua_cli.audit import verify_stream
from thidua_shared.events.envelope import Envelope

from tests.nodes import Node, build_nodes

pytestmark = pytest.mark.timeout(240)

SENT_DOWN = ("vn.registry", "vn.campaigns")


@pytest.fixture
async def nodes(tmp_path):
    built = await build_nodes(tmp_path)
    yield built
    for node in built.values():
        if node.watcher is not None:
            node.watcher.cancel()
        if node.link is not None:
            await node.link.cut()
        node.stop()


def expected_on(node: Node, nodes: dict[str, Node]) -> set[str]:
    """The chains a node's log holds: the centre every chain, a province its own and what comes down."""
    if node.name == "vn":
        return {f"{n}.{s}" for n, other in nodes.items() for s in other._sequences}
    return {f"{node.name}.{s}" for s in node._sequences} | {f"vn.{s}" for s in nodes["vn"]._sequences} & set(SENT_DOWN)


def assert_whole(node: Node, events: list[Envelope], nodes: dict[str, Node]) -> None:
    """Each event once; every chain complete and in order; every seal verifies with the trusted keys."""
    ids = Counter(e.id for e in events)
    assert [i for i, n in ids.items() if n > 1] == [], f"{node.name}: duplicated events"
    chains: dict[str, list[int]] = defaultdict(list)
    for envelope in events:
        chains[envelope.chain].append(envelope.sequence)
    assert set(chains) == expected_on(node, nodes), node.name
    for chain, sequences in chains.items():
        writer = nodes[chain.split(".")[0]]
        length = writer._sequences[chain.split(".")[1]][0]
        assert sequences == list(range(1, length + 1)), f"{node.name}: chain {chain} out of order or incomplete"
    reports = verify_stream(events, node.settings.trusted_keys_dir)
    assert [(r.chain, r.problems, r.missing_key) for r in reports if r.problems or r.missing_key] == []


async def settle(nodes: dict[str, Node]) -> dict[str, list[Envelope]]:
    """Wait until every node holds what it should, then read every log."""
    for node in nodes.values():
        total = sum(
            nodes[chain.split(".")[0]]._sequences[chain.split(".")[1]][0] for chain in expected_on(node, nodes)
        )
        await node.wait_count(total)
    logs = {name: await node.events() for name, node in nodes.items()}
    for name, node in nodes.items():
        assert_whole(node, logs[name], nodes)
    return logs


def chain_of(events: list[Envelope], chain: str) -> list[str]:
    return [e.hash for e in events if e.chain == chain]


async def test_a_province_cut_off_scores_on_and_both_sides_meet_again(nodes: dict[str, Node]) -> None:
    vn, hp, dn = nodes["vn"], nodes["hp"], nodes["dn"]
    await vn.write("registry", "registry.unit_registered", 5)
    await vn.write("campaigns", "campaigns.campaign_launched", 3)
    await hp.write("scoring", "scoring.submission_received", 5)
    await dn.write("scoring", "scoring.submission_received", 5)
    await settle(nodes)

    assert hp.link is not None
    await hp.link.cut()
    # Hải Phòng scores a whole round on its own while the centre launches a campaign and merges a unit.
    await hp.write("scoring", "scoring.submission_received", 40)
    await hp.write("scoring", "scoring.ranking_published", 1)
    await vn.write("campaigns", "campaigns.campaign_launched", 2)
    await vn.write("registry", "registry.unit_merged", 3)
    await dn.write("scoring", "scoring.submission_received", 4)
    await dn.wait_count(5 + 5 + 5 + 4)  # dn's link is up: it has the centre's news
    assert sum(e.chain == "hp.scoring" for e in await vn.events()) == 5, "the link was not really cut"
    assert sum(e.chain == "vn.registry" for e in await hp.events()) == 5

    await hp.link.restore()
    logs = await settle(nodes)
    assert chain_of(logs["vn"], "hp.scoring") == chain_of(logs["hp"], "hp.scoring")
    for chain in SENT_DOWN:
        assert chain_of(logs["hp"], chain) == chain_of(logs["vn"], chain) == chain_of(logs["dn"], chain)
    assert not any(e.node == "dn" for e in logs["hp"]), "a province receives only what it needs"


async def test_cut_and_restored_many_times_and_restarted_while_cut(nodes: dict[str, Node]) -> None:
    vn, hp = nodes["vn"], nodes["hp"]
    assert hp.link is not None
    for round_ in range(3):
        await hp.link.cut()
        await hp.write("scoring", "scoring.review_submitted", 7)
        await vn.write("registry", "registry.unit_updated", 3)
        if round_ == 1:  # the province's server goes down while cut off, and comes back still cut off
            hp.stop()
            hp.start()
            await hp.write("scoring", "scoring.review_submitted", 2)
        await hp.link.restore()
        await hp.write("scoring", "scoring.review_submitted", 1)
    logs = await settle(nodes)
    assert len(chain_of(logs["vn"], "hp.scoring")) == 3 * 8 + 2


async def test_a_province_gets_only_what_its_link_allows(nodes: dict[str, Node]) -> None:
    """A province asking the centre for more than it needs (the awards chain) gets nothing of it,
    and cannot have the centre take anything but its own subjects."""
    from nats.js.api import ExternalStream, StreamConfig, StreamSource

    vn, hp = nodes["vn"], nodes["hp"]
    await vn.write("awards", "awards.decision_signed", 3)
    await vn.write("registry", "registry.unit_registered", 2)
    admin = await hp.connect("admin")
    try:
        js = admin.jetstream()
        await js.add_stream(StreamConfig(name="GREEDY", subjects=[], sources=[
            StreamSource(name="EVENTS", filter_subject="thidua.events.vn.awards.>", external=ExternalStream(api="$JS.vn.API")),
            StreamSource(name="EVENTS", filter_subject="thidua.events.vn.registry.>", external=ExternalStream(api="$JS.vn.API")),
        ]))
        await hp.wait_count(2)  # the registry chain came down to EVENTS, so the link is working
        await __import__("asyncio").sleep(2)
        assert (await js.stream_info("GREEDY")).state.messages == 2  # registry yes, awards never
    finally:
        await admin.close()


async def test_status_sees_each_link(nodes: dict[str, Node]) -> None:
    """`thidua status` reads the links from the stream's sources: heard from or silent, and for how long."""
    from thidua_cli.links import read_links

    from tests.support import eventually

    vn, hp, dn = nodes["vn"], nodes["hp"], nodes["dn"]
    await vn.write("registry", "registry.unit_registered", 2)
    await hp.write("scoring", "scoring.submission_received", 1)
    await dn.write("scoring", "scoring.submission_received", 1)
    await hp.wait_count(3)
    await vn.wait_count(4)
    settings = {n: node.settings.model_copy(update={"nats_url": node.server.url}) for n, node in nodes.items()}
    up = {link.node: link for link in await read_links(settings["vn"])}
    assert set(up) == {"hp", "dn"} and all(link.connected() for link in up.values())
    down = await read_links(settings["hp"])
    assert {(link.node, link.subjects) for link in down} == {
        ("vn", "thidua.events.vn.registry.>"), ("vn", "thidua.events.vn.campaigns.>"), ("vn", "thidua.events.vn.scoring.>")}

    assert hp.link is not None
    await hp.link.cut()

    async def hp_silent() -> bool:
        links = {link.node: link for link in await read_links(settings["vn"])}
        return links["hp"].connected(silent_seconds=3) is False and links["dn"].connected(silent_seconds=3) is True
    await eventually(hp_silent, timeout=30, message="the centre to hear nothing from hp")
    links = {link.node: link for link in await read_links(settings["vn"])}
    assert not links["hp"].overdue(alarm_hours=1) and links["hp"].overdue(alarm_hours=0.0001)
