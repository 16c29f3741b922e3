"""End to end through `thidua up`: a launched campaign, a block of five cooperatives, results with
evidence, cross-scoring with one conflict left out, an explanation and a second review, the close,
and the ranking read back from the stream and recomputed identically (by the engine here, and by
`thidua scoring recompute` as anyone would run it)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from thidua_shared.events.envelope import canonical_json, verify_chain
from thidua_shared.keys import load_public_key, public_key_path

from thidua_scoring.domain import engine

from tests.e2e.test_thidua_up import Up, service_events, thidua
from tests.scoring_block import BLOCK, THIS_YEAR, campaign_body, results_of, review_scores

pytestmark = pytest.mark.e2e


def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def test_a_block_is_scored_end_to_end_and_its_published_ranking_recomputes_byte_for_byte(tmp_path: Path):
    up = Up(tmp_path / "var").start()
    try:
        registry, campaigns, scoring = (up.client(url) for url in (up.registry, up.campaigns, up.scoring))
        ok(registry.post("/units", json={"code": "VCA", "name": "Liên minh Hợp tác xã Việt Nam", "kind": "national_alliance"}), 201)
        ok(registry.post("/units", json={"code": "LMHTX-15", "name": "Liên minh HTX tỉnh Yên Bái", "kind": "provincial_alliance",
                                         "parent": "VCA", "province_code": "15"}), 201)
        for code in BLOCK:
            ok(registry.post("/units", json={"code": code, "name": f"HTX Nông nghiệp {code[-1]}", "kind": "cooperative", "parent": "LMHTX-15"}), 201)
        ok(registry.post("/clusters", json={"code": "KHOI-15-NN", "name": "Khối thi đua các HTX nông nghiệp", "owner": "LMHTX-15", "kind": "block"}), 201)
        ok(registry.put(f"/clusters/KHOI-15-NN/members/{THIS_YEAR}", json={"units": BLOCK}))
        ok(registry.post(f"/clusters/KHOI-15-NN/leaders/{THIS_YEAR}", json={"leader": "HTX-15-A"}), 201)

        body = campaign_body() | {"scope": {"unit_kinds": ["cooperative"]}}
        campaign = ok(campaigns.post("/campaigns", json=body), 201)
        ok(campaigns.post(f"/campaigns/{campaign['id']}/launch"))
        for code in BLOCK:
            ok(campaigns.post(f"/campaigns/{campaign['id']}/registrations", json={"unit": code}), 201)

        # Results with evidence: the scoring service answers once it has applied the registrations just made.
        evidence = ok(scoring.post("/evidence", files={"file": ("Báo cáo tài chính 2026.pdf", b"%PDF-1.4 bao cao tai chinh")}), 201)["sha256"]
        for code in BLOCK:
            report = {"campaign": campaign["id"], "unit": code, "period": "final", "results": results_of(code, [evidence]), "evidence": [evidence]}
            ok(scoring.post("/submissions", json=report), 201)

        # Cross-scoring: rotation, two reviewers each; one declares a conflict with B and is left out of B's average.
        round_ = ok(scoring.post("/rounds", json={"campaign": campaign["id"], "period": "final", "cluster": "KHOI-15-NN", "year": THIS_YEAR,
                                                  "rule": {"kind": "rotation", "reviewers_per_unit": 2}}), 201)
        rid = round_["id"]
        pairs = [(a["reviewer"]["code"], a["unit"]["code"]) for a in round_["assignments"]]
        conflicted = next(reviewer for reviewer, unit in pairs if unit == "HTX-15-B")
        ok(scoring.post(f"/rounds/{rid}/conflicts", json={"reviewer": conflicted, "unit": "HTX-15-B", "reason": "Chung kế toán trưởng"}))
        for reviewer, unit in pairs:
            if (reviewer, unit) != (conflicted, "HTX-15-B"):
                ok(scoring.post(f"/rounds/{rid}/reviews", json={"reviewer": reviewer, "unit": unit, "scores": review_scores(unit)}), 201)
        ok(scoring.post(f"/rounds/{rid}/explanations", json={"unit": "HTX-15-A", "indicator_code": "1", "text": "Doanh thu đã kiểm toán."}))
        for reviewer in [r for r, u in pairs if u == "HTX-15-A"]:
            second = ok(scoring.post(f"/rounds/{rid}/reviews", json={"reviewer": reviewer, "unit": "HTX-15-A",
                                                                      "scores": [{"indicator_code": "1", "points": "30"}]}), 201)
            assert second["stage"] == 2
        table = ok(scoring.post(f"/rounds/{rid}/close"))
        inputs = ok(scoring.get(f"/rounds/{rid}/inputs"))
        cli = thidua(up, "scoring", "recompute", rid)
        # reports, round, assignments, conflict, reviews, explanation, second reviews, close and ranking
        events = service_events(up, len(BLOCK) + 1 + len(pairs) + 1 + (len(pairs) - 1) + 1 + 2 + 2, "scoring")
    finally:
        assert up.stop() == 0

    by_code = {row["unit"]["code"]: row for row in table["rows"]}
    assert by_code["HTX-15-A"]["rank"] == 1 and table["leader_unit_id"] == by_code["HTX-15-A"]["unit_id"]
    b_reviewers = [r for r, u in pairs if u == "HTX-15-B" and r != conflicted]
    assert len(b_reviewers) == 1  # the average of B is the one reviewer left
    published = [e for e in events if e.type == "scoring.ranking_published"]
    assert len(published) == 1
    ranking = published[0].payload
    body, digest = engine.recompute(inputs)
    assert body == canonical_json({"leader_unit_id": ranking["leader_unit_id"], "open_ties": ranking["open_ties"], "rows": ranking["rows"]})
    assert digest == ranking["table_digest"] and engine.digest(inputs) == ranking["inputs_digest"]
    assert cli.returncode == 0 and "Trùng khớp từng byte" in cli.stdout, cli.stdout + cli.stderr
    received = next(e for e in events if e.type == "scoring.submission_received")
    assert received.payload["submission"]["evidence"][0]["sha256"] == evidence
    key = load_public_key(public_key_path(tmp_path / "var" / "keys", "vn"))
    assert verify_chain(events, key) == []
