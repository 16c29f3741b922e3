"""The issue's offline scenario with the real services: Hải Phòng's node scores a whole round (reports,
reviews, close, ranking) while its link to the centre is cut, as the centre launches a campaign and
merges a unit; when the link returns both sides hold everything once, in order, and verify."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx

from thidua_shared.consistency import HeldPositions
import pytest
from sqlalchemy import select

from thidua_cli.audit import verify_stream
from thidua_shared.access.tokens import hash_token, new_token
from thidua_shared.messaging.streams import EVENTS_STREAM
from thidua_shared.topology import ADMIN_IDENTITY, SERVICES_SENT_DOWN

from tests.conftest import SecuredNats
from tests.integration.conftest import RegistryClient, ScoringSystem
from tests.nodes import Node, build_nodes
from tests.scoring_block import BLOCK, THIS_YEAR, campaign_body, results_of, review_scores
from tests.support import eventually, run_cli

pytestmark = pytest.mark.timeout(240)


async def centre_events_on(node: Node, services: tuple[str, ...]) -> int:
    """How many events of the centre's chains of `services` the node's log holds."""
    nc = await node.connect(ADMIN_IDENTITY)
    try:
        total = 0
        for service in services:
            info = await nc.jetstream().stream_info(EVENTS_STREAM, subjects_filter=f"thidua.events.vn.{service}.>")
            total += sum((info.state.subjects or {}).values())
        return total
    finally:
        await nc.close()


@dataclass
class TwoNodes(ScoringSystem):
    """Registry, campaigns and scoring on the centre's node, scoring on Hải Phòng's (`scoring`): the
    province's scoring sees only what came down its link, each scoring has its own database."""

    centre: Node = None  # type: ignore[assignment]
    province: Node = None  # type: ignore[assignment]
    centre_scoring: httpx.AsyncClient = None  # type: ignore[assignment]
    centre_scoring_app: object = None

    async def caught_up(self, timeout: float = 30.0) -> None:
        """Everything the centre wrote has come down, and each node's scoring applied what it has."""
        await self.registry.events()
        for app in (self.campaigns_app, self.centre_scoring_app):
            await app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]
        wanted = await centre_events_on(self.centre, SERVICES_SENT_DOWN)

        async def came_down() -> bool:
            return await centre_events_on(self.province, SERVICES_SENT_DOWN) >= wanted

        async def centre_applied() -> bool:
            return all(c["lag"] == 0 for c in (await self.centre_scoring.get("/health")).json()["consumers"])
        await eventually(came_down, timeout, "the centre's events to come down to hp")
        await eventually(centre_applied, timeout, "the centre's scoring to catch up")
        await super().caught_up(timeout)


@pytest.fixture
async def two_nodes(tmp_path, monkeypatch) -> AsyncIterator[TwoNodes]:
    from thidua_campaigns.entrypoints.app import create_app as create_campaigns_app
    from thidua_registry.entrypoints.app import create_app as create_registry_app
    from thidua_scoring.entrypoints.app import create_app as create_scoring_app

    nodes = await build_nodes(tmp_path, provinces=("hp",))
    centre, province = nodes["vn"], nodes["hp"]
    admin_token = new_token()
    for service in ("registry", "campaigns"):
        monkeypatch.setenv(f"THIDUA_{service.upper()}_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / f'{service}.db'}")
    monkeypatch.delenv("THIDUA_SCORING_DATABASE_URL", raising=False)  # each node's scoring: <var>/db/scoring.db
    monkeypatch.setenv("THIDUA_BOOTSTRAP_ADMIN_TOKEN_HASH", hash_token(admin_token))
    apps = [create_registry_app(centre.settings), create_campaigns_app(centre.settings), create_scoring_app(province.settings),
            create_scoring_app(centre.settings)]
    try:
        async with AsyncExitStack() as stack:
            for app in apps:
                await stack.enter_async_context(app.router.lifespan_context(app))
            # Read-your-writes across one node's services, as the CLI and the portal do; a node's position means
            # nothing to a node cut off from it, so the province's client keeps its own (cross-node waits are explicit).
            at_centre, at_province = HeldPositions(), HeldPositions()
            clients = [await stack.enter_async_context(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}",
                                                                         event_hooks=positions.async_hooks()))
                       for app, name, positions in zip(apps, ("registry", "campaigns", "scoring-hp", "scoring-vn"),
                                                       (at_centre, at_centre, at_province, at_centre))]
            secured = SecuredNats(centre.server, centre.settings.model_copy(update={"nats_url": centre.server.url}))
            yield TwoNodes(RegistryClient(clients[0], admin_token, secured, secured.settings), clients[1], apps[1], clients[2], apps[2],
                           centre=centre, province=province, centre_scoring=clients[3], centre_scoring_app=apps[3])
    finally:
        for node in nodes.values():
            if node.watcher is not None:
                node.watcher.cancel()
            if node.link is not None:
                await node.link.cut()
            node.stop()


async def setup_block(s: TwoNodes) -> dict:
    r = s.registry
    await r.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    await r.unit("LMHTX-31", "Liên minh HTX thành phố Hải Phòng", "provincial_alliance", "VCA", "31")
    for code in BLOCK:
        await r.unit(code, f"HTX Nông nghiệp {code[-1]}", "cooperative", "LMHTX-31")
    await r.unit("LMHTX-30", "Liên minh HTX tỉnh Hải Dương", "provincial_alliance", "VCA", "30")
    await r.post("/clusters", {"code": "KHOI-31-NN", "name": "Khối các HTX nông nghiệp Hải Phòng", "owner": "LMHTX-31", "kind": "block"})
    await r.put(f"/clusters/KHOI-31-NN/members/{THIS_YEAR}", {"units": BLOCK})
    assert (await r.post(f"/clusters/KHOI-31-NN/leaders/{THIS_YEAR}", {"leader": BLOCK[0], "deputy": BLOCK[1]})).status_code == 201
    body = {**campaign_body(), "issuer": "LMHTX-31"}
    drafted = await s.campaigns.post("/campaigns", json=body, headers=s.auth())
    assert drafted.status_code == 201, drafted.text
    campaign = (await s.campaigns.post(f"/campaigns/{drafted.json()['id']}/launch", headers=s.auth())).json()
    for code in BLOCK:
        registered = await s.campaigns.post(f"/campaigns/{campaign['id']}/registrations", headers=s.auth(), json={"unit": code, "targets": []})
        assert registered.status_code == 201, registered.text
    await s.caught_up()
    return campaign


async def both_sides_meet(s: TwoNodes) -> None:
    """Once the link is back: every event of both sides on the other once, in chain order; logs verify."""
    await s.caught_up()  # the centre's news came down and scoring applied them
    province_chain = [e for e in await s.province.events() if e.chain == "hp.scoring"]

    async def arrived() -> bool:
        return sum(e.chain == "hp.scoring" for e in await s.centre.events()) == len(province_chain)
    await eventually(arrived, 60, "hp's round to reach the centre")
    centre_log, province_log = await s.centre.events(), await s.province.events()
    assert [e.id for e in centre_log if e.chain == "hp.scoring"] == [e.id for e in province_chain]  # once, in order
    assert any(e.type == "scoring.ranking_published" for e in province_chain)
    for chain in ("vn.registry", "vn.campaigns", "vn.scoring"):
        assert [e.id for e in province_log if e.chain == chain] == [e.id for e in centre_log if e.chain == chain]
    for log, node in ((centre_log, s.centre), (province_log, s.province)):
        assert [r.chain for r in verify_stream(log, node.settings.trusted_keys_dir) if r.problems or r.missing_key] == []


async def report_and_open(s: TwoNodes, campaign: dict, leader: str, between: Callable[[], Awaitable[None]] | None = None) -> dict:  # type: ignore[type-arg]
    """Hải Phòng's block reports on the province's node, and its leader opens the round there."""
    for code in BLOCK:
        sent = await s.scoring.post("/submissions", headers=s.auth(), json={
            "campaign": campaign["id"], "unit": code, "period": "final", "results": results_of(code)})
        assert sent.status_code == 201, sent.text
    if between is not None:
        await between()
    opened = await s.scoring.post("/rounds", headers=s.auth(leader), json={
        "campaign": campaign["id"], "period": "final", "cluster": "KHOI-31-NN", "year": THIS_YEAR,
        "rule": {"kind": "rotation", "reviewers_per_unit": 2}, "policy": {"aggregation": "mean", "decimals": 2}})
    assert opened.status_code == 201, opened.text
    return opened.json()


async def review(s: TwoNodes, client: httpx.AsyncClient, round_: dict, assignment: dict) -> httpx.Response:  # type: ignore[type-arg]
    scores = [{**x, "points": "20"} if x["indicator_code"] == "1" else x for x in review_scores(BLOCK[0])]
    return await client.post(f"/rounds/{round_['id']}/reviews", headers=s.auth(),
                             json={"reviewer": assignment["reviewer"]["code"], "unit": assignment["unit"]["code"], "scores": scores})


async def score_round(s: TwoNodes, campaign: dict, leader: str, between: list) -> dict:  # type: ignore[type-arg]
    """Reports, a round, every review, the close; `between[i]()` runs after step i (cuts, restarts)."""
    steps = iter(between)

    async def next_step() -> None:
        step = next(steps, None)
        if step is not None:
            await step()

    round_ = await report_and_open(s, campaign, leader, next_step)
    await next_step()
    for index, assignment in enumerate(round_["assignments"]):
        done = await review(s, s.scoring, round_, assignment)
        assert done.status_code == 201, done.text
        if index == len(round_["assignments"]) // 2:
            await next_step()
    closed = await s.scoring.post(f"/rounds/{round_['id']}/close", headers=s.auth(leader))
    assert closed.status_code == 200, closed.text
    await s.scoring_app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]
    await next_step()
    return round_


async def round_as_seen(s: TwoNodes, client: httpx.AsyncClient, round_id: str) -> dict:  # type: ignore[type-arg]
    """A round as one node's scoring shows it: owner, state, every row written into it, its table's digests."""
    shown = (await client.get(f"/rounds/{round_id}", headers=s.auth())).json()
    seen = {k: shown.get(k) for k in ("node", "status", "members", "assignments", "conflicts", "explanations", "asked_back_by",
                                      "inputs_digest", "table_digest")}
    seen["handovers"] = [{k: h[k] for k in ("from_node", "to_node", "reason", "state_digest", "handed_by")} for h in shown.get("handovers", [])]
    seen["reviews"] = (await client.get(f"/rounds/{round_id}/reviews", headers=s.auth())).json()
    return seen


async def same_round_on_both(s: TwoNodes, round_id: str, timeout: float = 60) -> dict:  # type: ignore[type-arg]
    """Wait until the province's and the centre's scoring show the round alike; return it."""
    async def alike() -> bool:
        return await round_as_seen(s, s.scoring, round_id) == await round_as_seen(s, s.centre_scoring, round_id)
    await eventually(alike, timeout, "the round to be alike on both nodes")
    return await round_as_seen(s, s.centre_scoring, round_id)


async def test_a_province_scores_a_whole_round_cut_off_while_the_centre_works_on(two_nodes: TwoNodes) -> None:
    s = two_nodes
    campaign = await setup_block(s)
    leader = await s.token("cluster_leader", BLOCK[0], holder="Khối trưởng")

    assert s.province.link is not None
    await s.province.link.cut()
    # Hải Phòng, cut off: reports, a round, every review, the close and its ranking.
    round_ = await score_round(s, campaign, leader, [])

    # Meanwhile the centre launches a campaign and merges Hải Dương's alliance into Hải Phòng's.
    second = await s.campaigns.post("/campaigns", json={**campaign_body(), "title": "Phong trào thi đua đợt hai", "issuer": "LMHTX-31"},
                                    headers=s.auth())
    assert (await s.campaigns.post(f"/campaigns/{second.json()['id']}/launch", headers=s.auth())).status_code == 200
    merged = await s.registry.post("/units/LMHTX-30/merge", {"successor": "LMHTX-31", "effective_date": f"{THIS_YEAR}-07-01"})
    assert merged.status_code == 200, merged.text
    await s.registry.events()
    await s.campaigns_app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]
    centre_log = await s.centre.events()
    assert not any(e.chain == "hp.scoring" for e in centre_log), "the link was not cut"

    await s.province.link.restore()
    await both_sides_meet(s)
    # The centre's copy of the round is the province's: every row, the table (recomputed there from its copy).
    copied = await same_round_on_both(s, round_["id"])
    assert (copied["node"], copied["status"], len(copied["reviews"])) == ("hp", "closed", len(round_["assignments"]) * 5)

    # The province's replicas took the merger and the new campaign in, as the centre has them.
    from thidua_scoring.adapters import tables

    runtime = s.scoring_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.db.sessions() as session:
        status = await session.scalar(select(tables.registry.units.c.status).where(tables.registry.units.c.code == "LMHTX-30"))
        launched = await session.scalar(select(tables.replica_campaigns.c.status).where(tables.replica_campaigns.c.id == second.json()["id"]))
    assert (status, launched) == ("merged", "launched")


async def test_cut_and_restored_mid_round_and_restarted_while_cut_off(two_nodes: TwoNodes) -> None:
    s = two_nodes
    campaign = await setup_block(s)
    leader = await s.token("cluster_leader", BLOCK[0], holder="Khối trưởng")
    link = s.province.link
    assert link is not None

    async def flap() -> None:
        await link.restore()
        await link.cut()

    async def restart_cut_off() -> None:  # the province's server goes down and comes back, still cut off
        s.province.stop()
        s.province.start()

    await link.cut()
    round_ = await score_round(s, campaign, leader, [flap, restart_cut_off, flap, link.restore])
    await both_sides_meet(s)
    assert (await same_round_on_both(s, round_["id"]))["status"] == "closed"


async def dead_letters(client: httpx.AsyncClient, consumer: str) -> int:
    found = [c for c in (await client.get("/health")).json()["consumers"] if c["name"] == consumer]
    return found[0]["dead_letters"] or 0


async def test_a_lost_provinces_round_is_taken_over_by_the_centre_and_handed_back(two_nodes: TwoNodes) -> None:
    s = two_nodes
    campaign = await setup_block(s)
    leader = await s.token("cluster_leader", BLOCK[0], holder="Khối trưởng")
    officer = await s.token("provincial_officer", "LMHTX-31", holder="Cán bộ LMHTX Hải Phòng")
    link = s.province.link
    assert link is not None

    # Hải Phòng opens its block's round and a first review is in; the centre holds a copy, read-only.
    round_ = await report_and_open(s, campaign, leader)
    first, late, by_centre, *rest = round_["assignments"]
    assert (await review(s, s.scoring, round_, first)).status_code == 201
    await s.scoring_app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]
    assert (await same_round_on_both(s, round_["id"]))["node"] == "hp"
    refused = await review(s, s.centre_scoring, round_, by_centre)
    assert refused.status_code == 409 and refused.json()["code"] == "round_owned_by_other_node" and "«hp»" in refused.json()["message_vi"]

    # The province goes silent; it still writes a review the centre will never take.
    await link.cut()
    assert (await review(s, s.scoring, round_, late)).status_code == 201
    await s.scoring_app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]

    # Only the national board, only at the centre, takes the round over (and cannot hand it back unasked).
    handover = {"to_node": "vn", "reason": "Nút Hải Phòng mất kết nối quá 7 ngày, trung tâm tiếp nhận vòng chấm"}
    assert (await s.centre_scoring.post(f"/rounds/{round_['id']}/handover", headers=s.auth(leader), json=handover)).status_code == 403
    at_province = await s.scoring.post(f"/rounds/{round_['id']}/handover", headers=s.auth(), json=handover)
    assert at_province.status_code == 409 and at_province.json()["code"] == "handover_at_centre_only"
    taken = await s.centre_scoring.post(f"/rounds/{round_['id']}/handover", headers=s.auth(), json=handover)
    assert taken.status_code == 200, taken.text
    assert taken.json()["node"] == "vn" and [(h["from_node"], h["to_node"]) for h in taken.json()["handovers"]] == [("hp", "vn")]
    back = await s.centre_scoring.post(f"/rounds/{round_['id']}/handover", headers=s.auth(), json={"to_node": "hp", "reason": "Trả lại"})
    assert back.status_code == 409 and back.json()["code"] == "handover_back_not_asked"
    assert (await review(s, s.centre_scoring, round_, by_centre)).status_code == 201  # the centre writes it now

    # The link returns: the late review is refused at the centre (named, kept as a dead letter) and undone
    # at the province, which now holds exactly the centre's round and refuses to write it.
    await link.restore()
    await s.caught_up()

    async def refused_late() -> bool:
        return await dead_letters(s.centre_scoring, "scoring-rounds-replica") == 1
    await eventually(refused_late, 60, "the late review to be refused at the centre")
    held = await same_round_on_both(s, round_["id"])
    assert held["node"] == "vn" and len(held["reviews"]) == 2 * 5
    assert {(r["reviewer_unit_id"], r["unit_id"]) for r in held["reviews"]} == {
        (a["reviewer"]["id"], a["unit"]["id"]) for a in (first, by_centre)}
    again = await review(s, s.scoring, round_, late)
    assert again.status_code == 409 and "«vn»" in again.json()["message_vi"]

    # Its node back, Hải Phòng asks for the round from it; the centre hands it back; the province finishes it.
    asked = await s.scoring.post(f"/rounds/{round_['id']}/return-request", headers=s.auth(officer), json={"reason": "Nút đã khôi phục"})
    assert asked.status_code == 200, asked.text
    await s.scoring_app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]

    async def asked_at_centre() -> bool:
        return (await s.centre_scoring.get(f"/rounds/{round_['id']}", headers=s.auth())).json()["asked_back_by"] == ["hp"]
    await eventually(asked_at_centre, 60, "the request to reach the centre")
    back = await s.centre_scoring.post(f"/rounds/{round_['id']}/handover", headers=s.auth(), json={"to_node": "hp", "reason": "Trả lại"})
    assert back.status_code == 200, back.text
    await s.caught_up()

    async def handed_back() -> bool:
        return (await s.scoring.get(f"/rounds/{round_['id']}", headers=s.auth())).json()["node"] == "hp"
    await eventually(handed_back, 60, "the round to come back to hp")
    for assignment in (late, *rest):
        done = await review(s, s.scoring, round_, assignment)
        assert done.status_code == 201, done.text
    closed = await s.scoring.post(f"/rounds/{round_['id']}/close", headers=s.auth(leader))
    assert closed.status_code == 200, closed.text
    await s.scoring_app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]
    final = await same_round_on_both(s, round_["id"])
    assert (final["node"], final["status"], len(final["reviews"])) == ("hp", "closed", len(round_["assignments"]) * 5)
    assert [(h["from_node"], h["to_node"]) for h in final["handovers"]] == [("hp", "vn"), ("vn", "hp")]
    assert final["inputs_digest"] is not None and final["asked_back_by"] == []
    await both_sides_meet(s)
    await each_node_replays_its_scoring(s)


async def each_node_replays_its_scoring(s: TwoNodes) -> None:
    """`audit replay scoring` on each node rebuilds its scoring from its log alone, identical to the live
    one: the province undoes its late review again when the handover comes, the centre refuses it again."""
    for client in (s.scoring, s.centre_scoring):
        async def applied(client: httpx.AsyncClient = client) -> bool:
            return all(c["lag"] == 0 for c in (await client.get("/health")).json()["consumers"])
        await eventually(applied, 60, "every consumer to apply what its node holds")
    for node, refused in ((s.province, 0), (s.centre, 1)):
        replayed = await run_cli(["audit", "replay", "scoring"], node.cli_env())
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        assert "Giống hệt CSDL đang chạy" in replayed.said and "✓ reviews:" in replayed.said, replayed.stdout
        assert ("bị từ chối khi áp dụng" in replayed.said) == bool(refused), replayed.stdout
        if refused:
            assert f"{refused} sự kiện bị từ chối" in replayed.said and "«vn»" in replayed.said, replayed.stdout
