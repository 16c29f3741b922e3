"""An answer never contradicts what was done (issue 17, item 1).

Found: a cluster leader whose own unit is not a member of the cluster that year was answered 403 to
`POST /rounds`, the round's assignments and close, `POST /ballots` and `POST /nominations/from-ranking`
while each was written and published with the leader as actor (the answer was read back under a
narrower rule than the write). Now whoever may manage a round, ballot or nomination may read it, a
refusal writes nothing, and every test of the suite fails if any service answers an error after a
commit (tests/conftest.py)."""

from __future__ import annotations

from datetime import date, timedelta

from thidua_cli.audit import read_stream
from thidua_shared.topology import TOOLS_IDENTITY

from tests.integration.conftest import ScoringSystem
from tests.integration.test_awards_api import THIS_YEAR, ranked_cluster, tree


async def event_count(s: ScoringSystem) -> int:
    await s.caught_up()
    return len(await read_stream(s.registry.nats_url, s.registry.nats.identity(TOOLS_IDENTITY)))


async def test_a_leader_outside_its_cluster_is_answered_as_it_was_served_and_a_refusal_writes_nothing(awards_system: ScoringSystem):
    s = awards_system
    await tree(s)
    # The cities' cluster: Hồ Chí Minh City was elected its leader for the year, then left out of its members.
    r = s.registry
    await r.post("/clusters", {"code": "CUM-TP", "name": "Cụm thi đua các thành phố trực thuộc Trung ương", "owner": "VCA"})
    await r.put(f"/clusters/CUM-TP/members/{THIS_YEAR}", {"units": ["LMHTX-79", "LMHTX-31", "LMHTX-01"]})
    led = await r.post(f"/clusters/CUM-TP/leaders/{THIS_YEAR}", {"leader": "LMHTX-79"})
    assert led.status_code == 201, led.text
    campaign, _ = await ranked_cluster(s, "CUM-TP", ["LMHTX-31", "LMHTX-01"], "LMHTX-31")
    leader = await s.token("cluster_leader", "LMHTX-79", holder="Chủ tịch Liên minh HTX TP Hồ Chí Minh, cụm trưởng")
    outsider = await s.token("cluster_leader", "LMHTX-48", holder="Cụm trưởng cụm khác")

    # Refused: nothing written, nothing published.
    before = await event_count(s)
    body = {"campaign": campaign["id"], "period": "final", "cluster": "CUM-TP", "year": THIS_YEAR, "rule": {"kind": "manual"},
            "corrects": None}
    refused = await s.scoring.post("/rounds", headers=s.auth(outsider), json=body)
    assert (refused.status_code, refused.json()["code"]) == (403, "leader_only")
    assert refused.json()["message_vi"].count("CUM-TP") == 1
    assert await event_count(s) == before

    # Served, and answered so: a correction round of the closed one, opened, read, assigned, closed.
    first = (await s.scoring.get("/rounds", headers=s.auth(), params={"cluster": "CUM-TP"})).json()[0]
    opened = await s.scoring.post("/rounds", headers=s.auth(leader), json=body | {"corrects": first["id"], "reason": "Chấm lại theo ý kiến"})
    assert opened.status_code == 201, opened.text
    rid = opened.json()["id"]
    assert (await s.scoring.get(f"/rounds/{rid}", headers=s.auth(leader))).status_code == 200
    listed = (await s.scoring.get("/rounds", headers=s.auth(leader), params={"cluster": "CUM-TP"})).json()
    assert rid in {r["id"] for r in listed}
    assigned = await s.scoring.post(f"/rounds/{rid}/assignments", headers=s.auth(leader), json={"reviewer": "LMHTX-01", "unit": "LMHTX-31"})
    assert assigned.status_code == 200, assigned.text
    closed = await s.scoring.post(f"/rounds/{rid}/close", headers=s.auth(leader),
                                  json={"accept_missing": True, "reason": "Hết hạn chấm chéo"})
    assert closed.status_code == 200, closed.text
    await s.caught_up()

    # Awards: the leader proposes the leading unit and opens the cluster's ballot; both answered and readable.
    proposed = await s.awards.post("/nominations/from-ranking", headers=s.auth(leader), json={"round": rid})
    assert proposed.status_code == 201, proposed.text
    nid = proposed.json()["id"]
    assert (await s.awards.get(f"/nominations/{nid}", headers=s.auth(leader))).status_code == 200
    closes = (date.today() + timedelta(days=2)).isoformat() + "T00:00:00Z"
    ballot = await s.awards.post("/ballots", headers=s.auth(leader), json={
        "kind": "cluster", "title": "Bình chọn đơn vị dẫn đầu", "nominations": [nid], "cluster": "CUM-TP", "year": THIS_YEAR,
        "closes_at": closes, "tellers": ["LMHTX-31"]})
    assert ballot.status_code == 201, ballot.text
    assert (await s.awards.get(f"/ballots/{ballot.json()['id']}", headers=s.auth(leader))).status_code == 200

    # Another cluster's leader is refused each of them, and nothing is written.
    before = await event_count(s)
    for refused in (
        await s.awards.post("/nominations/from-ranking", headers=s.auth(outsider), json={"round": rid}),
        await s.awards.post("/ballots", headers=s.auth(outsider), json={
            "kind": "cluster", "title": "x", "nominations": [nid], "cluster": "CUM-TP", "year": THIS_YEAR, "closes_at": closes,
            "tellers": ["LMHTX-31"]}),
        await s.awards.get(f"/ballots/{ballot.json()['id']}", headers=s.auth(outsider)),
    ):
        assert refused.status_code == 403, refused.text
        assert "CUM-TP" in refused.json()["message_vi"] or "VCA" in refused.json()["message_vi"], refused.json()
    assert await event_count(s) == before
