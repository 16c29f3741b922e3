"""The scoring service over HTTP, its replicas fed by registry and campaigns through the real stream:
results and self-scores, a round with cross-scoring, conflicts, an explanation and a second review,
the close, the published ranking recomputed byte for byte, the exports, and who may do what."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from thidua_cli.audit import read_stream
from thidua_shared.events.envelope import canonical_json
from thidua_shared.topology import TOOLS_IDENTITY

from thidua_scoring.domain import engine

from tests.integration.conftest import ScoringSystem
from tests.scoring_block import BLOCK, CRITERION_1_REVIEWED, THIS_YEAR, campaign_body, results_of, review_scores

async def setup_block(s: ScoringSystem) -> dict:
    """Yên Bái's alliance, a block of five cooperatives (A leads it), a launched campaign, all five registered."""
    r = s.registry
    await r.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    await r.unit("LMHTX-15", "Liên minh HTX tỉnh Yên Bái", "provincial_alliance", "VCA", "15")
    for code in BLOCK:
        await r.unit(code, f"HTX Nông nghiệp {code[-1]}", "cooperative", "LMHTX-15")
    await r.unit("THT-15-A1", "Tổ hợp tác chè A1", "cooperative_group", "HTX-15-A")  # a member of A: never reviews A
    await r.post("/clusters", {"code": "KHOI-15-NN", "name": "Khối thi đua các HTX nông nghiệp", "owner": "LMHTX-15", "kind": "block"})
    await r.put(f"/clusters/KHOI-15-NN/members/{THIS_YEAR}", {"units": [*BLOCK, "THT-15-A1"]})
    led = await r.post(f"/clusters/KHOI-15-NN/leaders/{THIS_YEAR}", {"leader": "HTX-15-A", "deputy": "HTX-15-B"})
    assert led.status_code == 201, led.text
    drafted = await s.campaigns.post("/campaigns", json=campaign_body(), headers=s.auth())
    assert drafted.status_code == 201, drafted.text
    campaign = (await s.campaigns.post(f"/campaigns/{drafted.json()['id']}/launch", headers=s.auth())).json()
    for code in [*BLOCK, "THT-15-A1"]:
        pledged = [{"indicator_code": "2", "target": 45}] if code == "HTX-15-C" else []
        registered = await s.campaigns.post(f"/campaigns/{campaign['id']}/registrations", headers=s.auth(),
                                            json={"unit": code, "targets": pledged})
        assert registered.status_code == 201, registered.text
    await s.caught_up()
    return campaign


async def test_a_block_reports_cross_scores_explains_and_closes_with_a_ranking_anyone_can_recompute(scoring_system: ScoringSystem):
    s = scoring_system
    campaign = await setup_block(s)
    cid = campaign["id"]
    reporters = {code: await s.token("unit_reporter", code, holder=f"Kế toán {code}") for code in BLOCK}
    reviewers = {code: await s.token("reviewer", code, holder=f"Cán bộ chấm {code}") for code in BLOCK}
    leader = await s.token("cluster_leader", "HTX-15-A", holder="Chủ nhiệm HTX A, khối trưởng")

    # Evidence first (by content), then the preview, then the report: the self-score comes from the campaign's rules.
    pdf = b"%PDF-1.4 bien ban dai hoi thanh vien"
    uploaded = await s.scoring.post("/evidence", headers=s.auth(reporters["HTX-15-A"]), files={"file": ("Biên bản.pdf", pdf)})
    assert uploaded.status_code == 201, uploaded.text
    evidence = uploaded.json()["sha256"]
    preview = await s.scoring.post("/submissions/preview", headers=s.auth(reporters["HTX-15-A"]),
                                   json={"campaign": cid, "unit": "HTX-15-A", "period": "final", "results": results_of("HTX-15-A")})
    assert preview.status_code == 200, preview.text
    lines = {line["indicator_code"]: Decimal(line["points"]) for line in preview.json()["lines"]}
    # 15% against 10%: above target, the unit itself the best → 30; 60 of 50 → 20; chain → 20; 12 members × 3 capped at 30; +2.
    assert lines == {"1": Decimal(30), "2": Decimal(20), "3": Decimal(20), "4": Decimal(30), "5": Decimal(2)}
    assert Decimal(preview.json()["total"]) == Decimal(102)

    for code in BLOCK:
        cited = [evidence] if code == "HTX-15-A" else []
        sent = await s.scoring.post("/submissions", headers=s.auth(reporters[code]), json={
            "campaign": cid, "unit": code, "period": "final", "results": results_of(code, cited), "evidence": cited,
        })
        assert sent.status_code == 201, sent.text
    first = sent.json()
    assert first["version"] == 1 and first["unit"]["code"] == "HTX-15-E"

    # Pledged targets count: C pledged 45 million for criterion 2, so 40 of 45 earns 20 × 40/45.
    c_report = (await s.scoring.get("/submissions", params={"campaign": cid, "unit": "HTX-15-C"}, headers=s.auth())).json()[0]
    assert {p["indicator_code"]: p["points"] for p in c_report["self_score"]}["2"] == "17.78"

    # A revision before review starts is a new version; both are kept.
    revised = await s.scoring.post("/submissions", headers=s.auth(reporters["HTX-15-E"]), json={
        "campaign": cid, "unit": "HTX-15-E", "period": "final", "results": results_of("HTX-15-B"), "reason": "Bổ sung số liệu quý IV",
    })
    assert revised.status_code == 201 and revised.json()["version"] == 2
    versions = revised.json()["versions"]
    assert [v["version"] for v in versions] == [1, 2] and versions[1]["reason"] == "Bổ sung số liệu quý IV"

    # Who may report what.
    other = await s.scoring.post("/submissions", headers=s.auth(reporters["HTX-15-A"]),
                                 json={"campaign": cid, "unit": "HTX-15-B", "period": "final", "results": results_of("HTX-15-B")})
    assert (other.status_code, other.json()["code"]) == (403, "forbidden_scope")

    # The leader opens the block's round: rotation, two reviewers each; the co-operative group never reviews its parent A.
    opened = await s.scoring.post("/rounds", headers=s.auth(leader), json={
        "campaign": cid, "period": "final", "cluster": "KHOI-15-NN", "year": THIS_YEAR,
        "rule": {"kind": "rotation", "reviewers_per_unit": 2}, "policy": {"aggregation": "mean", "decimals": 2},
    })
    assert opened.status_code == 201, opened.text
    round_ = opened.json()
    rid = round_["id"]
    ids = {u["code"]: u["id"] for u in round_["member_units"]}
    for year, found in ((THIS_YEAR, [rid]), (THIS_YEAR - 1, [])):  # found by its cluster and year, as people name it
        listed = await s.scoring.get("/rounds", headers=s.auth(leader), params={"cluster": "KHOI-15-NN", "year": year})
        assert [r["id"] for r in listed.json()] == found
    pairs = {(a["reviewer"]["code"], a["unit"]["code"]) for a in round_["assignments"]}
    assert ("THT-15-A1", "HTX-15-A") not in pairs and ("HTX-15-A", "THT-15-A1") not in pairs
    assert all(reviewer != unit for reviewer, unit in pairs)
    assert any(c["automatic"] for c in round_["conflicts"])
    for code in BLOCK:
        assert sum(1 for _, unit in pairs if unit == code) == 2, (code, pairs)

    # Reports are locked once the round is open.
    locked = await s.scoring.post("/submissions", headers=s.auth(reporters["HTX-15-B"]),
                                  json={"campaign": cid, "unit": "HTX-15-B", "period": "final", "results": results_of("HTX-15-A")})
    assert (locked.status_code, locked.json()["code"]) == (409, "submission_locked")

    # One reviewer of B declares a conflict: left out of B's average.
    reviewers_of = {code: sorted(r for r, u in pairs if u == code) for code in BLOCK}
    conflicted = reviewers_of["HTX-15-B"][0]
    declared = await s.scoring.post(f"/rounds/{rid}/conflicts", headers=s.auth(reviewers.get(conflicted, leader)),
                                    json={"reviewer": conflicted, "unit": "HTX-15-B", "reason": "Hai HTX chung ban giám đốc"})
    assert declared.status_code == 200, declared.text

    # Everyone else scores what it was assigned: 1 point below the computed scores on criterion 1, to tell reviews apart.
    async def review(reviewer: str, unit: str, score1: str, token: str | None = None) -> object:
        scores = [{**score, "points": score1} if score["indicator_code"] == "1" else score for score in review_scores(unit)]
        return await s.scoring.post(f"/rounds/{rid}/reviews", headers=s.auth(token or reviewers.get(reviewer, leader)),
                                    json={"reviewer": reviewer, "unit": unit, "scores": scores})

    first_reviewer_of_a = reviewers_of["HTX-15-A"][0]
    hidden = await s.scoring.get(f"/rounds/{rid}/reviews", params={"unit": "HTX-15-A"}, headers=s.auth(reviewers[first_reviewer_of_a]))
    assert hidden.json() == []
    for unit, by in reviewers_of.items():
        for reviewer in by:
            if (reviewer, unit) == (conflicted, "HTX-15-B"):
                refused = await review(reviewer, unit, "20")
                assert (refused.status_code, refused.json()["code"]) == (409, "review_conflicted")
                continue
            if reviewer == first_reviewer_of_a and unit == "HTX-15-A":
                continue  # scores last: until then it must not see the others' scores of A
            done = await review(reviewer, unit, CRITERION_1_REVIEWED[unit])
            assert done.status_code == 201, done.text
    still_hidden = await s.scoring.get(f"/rounds/{rid}/reviews", params={"unit": "HTX-15-A"}, headers=s.auth(reviewers[first_reviewer_of_a]))
    assert still_hidden.json() == []
    mine = await review(first_reviewer_of_a, "HTX-15-A", "27")
    assert mine.status_code == 201
    seen = await s.scoring.get(f"/rounds/{rid}/reviews", params={"unit": "HTX-15-A"}, headers=s.auth(reviewers[first_reviewer_of_a]))
    assert len({r["reviewer_unit_id"] for r in seen.json()}) == 2

    # Only what was assigned: C is not assigned to review itself, and a reporter never scores.
    unassigned = [code for code in BLOCK if code not in reviewers_of["HTX-15-C"] and code != "HTX-15-C"][0]
    wrong = await review(unassigned, "HTX-15-C", "20")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "review_not_assigned")
    reporter_scores = await review(reviewers_of["HTX-15-C"][0], "HTX-15-C", "20", token=reporters[reviewers_of["HTX-15-C"][0]])
    assert (reporter_scores.status_code, reporter_scores.json()["code"]) == (403, "forbidden_role")

    # A disputes criterion 1, explains, and its reviewers score it again.
    explained = await s.scoring.post(f"/rounds/{rid}/explanations", headers=s.auth(reporters["HTX-15-A"]),
                                     json={"unit": "HTX-15-A", "indicator_code": "1", "text": "Doanh thu quý IV đã được kiểm toán, xem báo cáo tài chính."})
    assert explained.status_code == 200, explained.text
    for reviewer in reviewers_of["HTX-15-A"]:
        again = await s.scoring.post(f"/rounds/{rid}/reviews", headers=s.auth(reviewers[reviewer]), json={
            "reviewer": reviewer, "unit": "HTX-15-A", "scores": [{"indicator_code": "1", "points": "30", "comment": "Chấp nhận giải trình"}],
        })
        assert again.status_code == 201 and again.json()["stage"] == 2, again.text
    unexplained = await s.scoring.post(f"/rounds/{rid}/reviews", headers=s.auth(reviewers[reviewers_of["HTX-15-A"][0]]), json={
        "reviewer": reviewers_of["HTX-15-A"][0], "unit": "HTX-15-A", "scores": [{"indicator_code": "2", "points": "20"}],
    })
    assert (unexplained.status_code, unexplained.json()["code"]) == (422, "review_second_unexplained")

    # Only the leader closes; then the table is published and nothing changes.
    not_leader = await s.scoring.post(f"/rounds/{rid}/close", headers=s.auth(reporters["HTX-15-B"]))
    assert (not_leader.status_code, not_leader.json()["code"]) == (403, "leader_only")
    # The co-operative group's two reviewers never scored it: the close stops, listing what is missing by code...
    stopped = await s.scoring.post(f"/rounds/{rid}/close", headers=s.auth(leader))
    assert (stopped.status_code, stopped.json()["code"]) == (409, "round_work_missing"), stopped.text
    missing = stopped.json()["details"]
    assert {(m["kind"], m["unit"]) for m in missing} == {("review", "THT-15-A1")} and len(missing) == 2
    no_reason = await s.scoring.post(f"/rounds/{rid}/close", headers=s.auth(leader), json={"accept_missing": True})
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "round_missing_needs_reason")
    # ...until the leader decides to close anyway, with a reason: recorded in the event and shown in the table.
    closed = await s.scoring.post(f"/rounds/{rid}/close", headers=s.auth(leader),
                                  json={"accept_missing": True, "reason": "Tổ hợp tác A1 không nộp báo cáo, hết hạn chấm"})
    assert closed.status_code == 200, closed.text
    table = closed.json()
    assert table["closed_with_missing"]["reason"] == "Tổ hợp tác A1 không nộp báo cáo, hết hạn chấm"
    assert sorted(m["reviewer"]["code"] for m in table["closed_with_missing"]["missing"]) == sorted(m["reviewer"] for m in missing)
    assert table["provisional"] is False and table["status"] == "closed"
    rows = {row["unit"]["code"]: row for row in table["rows"]}
    assert table["leader_unit_id"] == ids["HTX-15-A"] and rows["HTX-15-A"]["rank"] == 1
    a_cells = {c["indicator_code"]: c for c in rows["HTX-15-A"]["cells"]}
    assert a_cells["1"]["review_points"] == "30.00" and a_cells["1"]["self_points"] == "30.00"
    b_cells = {c["indicator_code"]: c for c in rows["HTX-15-B"]["cells"]}
    assert b_cells["1"]["review_points"] == "20.00"  # one reviewer left: the conflicted one is out of the average
    assert rows["HTX-15-B"]["total"] == rows["HTX-15-E"]["total"]  # same results, same reviews...
    assert rows["HTX-15-B"]["tied_with"] == [ids["HTX-15-E"]] and {ids["HTX-15-B"], ids["HTX-15-E"]} in [set(t) for t in table["open_ties"]]  # ...an open tie
    after = await review(reviewers_of["HTX-15-C"][0], "HTX-15-C", "1")
    assert (after.status_code, after.json()["code"]) == (409, "round_closed")
    assert (await s.scoring.post(f"/rounds/{rid}/close", headers=s.auth(leader))).status_code == 409

    # The published ranking, read back from the stream, is recomputed byte for byte from the stored inputs.
    inputs = (await s.scoring.get(f"/rounds/{rid}/inputs", headers=s.auth(reporters["HTX-15-E"]))).json()
    assert engine.digest(inputs) == table["inputs_digest"]
    await s.scoring_app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]
    stream = await read_stream(s.registry.nats_url, s.registry.nats.identity(TOOLS_IDENTITY))
    published = [e for e in stream if e.type == "scoring.ranking_published"]
    assert len(published) == 1
    payload = published[0].payload
    as_published = canonical_json({"leader_unit_id": payload["leader_unit_id"], "open_ties": payload["open_ties"], "rows": payload["rows"]})
    body, digest = engine.recompute(inputs)
    assert body == as_published and digest == payload["table_digest"] == table["table_digest"]
    kinds = [e.type for e in stream if e.service == "scoring"]
    for expected in ("scoring.submission_received", "scoring.submission_revised", "scoring.round_opened", "scoring.reviewer_assigned",
                     "scoring.conflict_declared", "scoring.review_submitted", "scoring.explanation_submitted", "scoring.review_closed"):
        assert expected in kinds, expected

    # Exports: the cluster's Excel table, CSV, a unit's sheet, the target table.
    workbook = load_workbook(io.BytesIO((await s.scoring.get(f"/rounds/{rid}/table.xlsx", headers=s.auth(leader))).content))
    sheet = workbook["Bảng điểm"]
    assert sheet["A1"].value == "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA"
    assert sheet.cell(row=6, column=3).value == "Tự chấm" and sheet.cell(row=6, column=4).value == "Cụm chấm"
    assert "HTX-15-A" in sheet.cell(row=7, column=2).value and sheet.cell(row=7, column=sheet.max_column).value == "Dẫn đầu cụm"
    text = (await s.scoring.get(f"/rounds/{rid}/table.csv", headers=s.auth(leader))).content.decode("utf-8-sig")
    lines_csv = list(csv.reader(io.StringIO(text)))
    assert lines_csv[0][:3] == ["xep_hang", "ma_don_vi", "ten_don_vi"] and lines_csv[1][1] == "HTX-15-A"
    sheet_a = await s.scoring.get(f"/rounds/{rid}/units/HTX-15-A/sheet", headers=s.auth(reporters["HTX-15-A"]))
    assert sheet_a.json()["row"]["rank"] == 1 and sheet_a.json()["explanations"]["1"].startswith("Doanh thu")
    assert (await s.scoring.get(f"/rounds/{rid}/units/HTX-15-A/sheet.xlsx", headers=s.auth(reporters["HTX-15-A"]))).status_code == 200
    targets = (await s.scoring.get(f"/campaigns/{cid}/targets", params={"unit": "HTX-15-C"}, headers=s.auth())).json()
    income = next(line for line in targets[0]["lines"] if line["indicator_code"] == "2")
    assert (income["target"], income["actual"], income["percent_of_target"]) == ("45", "40", "88.9")
    targets_book = load_workbook(io.BytesIO((await s.scoring.get(f"/campaigns/{cid}/targets.xlsx", headers=s.auth())).content))
    assert targets_book.active["A1"].value == "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THI ĐUA"

    # A correction is a new, recorded round, with a reason.
    no_reason = await s.scoring.post("/rounds", headers=s.auth(leader), json={
        "campaign": cid, "period": "final", "cluster": "KHOI-15-NN", "year": THIS_YEAR, "corrects": rid})
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "round_correction_needs_reason")


async def test_results_that_do_not_fit_the_criteria_are_refused_and_nothing_is_written(scoring_system: ScoringSystem):
    s = scoring_system
    campaign = await setup_block(s)
    reporter = await s.token("unit_reporter", "HTX-15-B")

    async def send(results: list[dict]) -> object:
        return await s.scoring.post("/submissions", headers=s.auth(reporter),
                                    json={"campaign": campaign["id"], "unit": "HTX-15-B", "period": "final", "results": results})

    good = results_of("HTX-15-B")
    cases = {
        "wrong unit of measure": [{**good[0], "unit_of_measure": "triệu đồng"}, *good[1:]],
        "negative": [{**good[0], "value": -3}, *good[1:]],
        "a count that is not whole": [*good[:3], {"indicator_code": "4", "value": 2.5}, good[4]],
        "bonus beyond its bounds": [*good[:4], {"indicator_code": "5", "value": 9}],
        "a number for achieved/not": [*good[:2], {"indicator_code": "3", "value": 1}, *good[3:]],
        "unknown criterion": [*good, {"indicator_code": "9", "value": 1}],
        "twice the same": [*good, good[0]],
    }
    for name, results in cases.items():
        refused = await send(results)
        assert refused.status_code == 422, (name, refused.text)
        body = refused.json()
        assert body["message_vi"] and body["message"], name
    not_json = await s.scoring.post("/submissions", headers=s.auth(reporter), content=b"{", )
    assert not_json.status_code in (400, 422)
    listed = await s.scoring.get("/submissions", params={"campaign": campaign["id"]}, headers=s.auth())
    assert listed.json() == []
    unknown_evidence = await s.scoring.post("/submissions", headers=s.auth(reporter), json={
        "campaign": campaign["id"], "unit": "HTX-15-B", "period": "final", "results": good, "evidence": ["0" * 64]})
    assert (unknown_evidence.status_code, unknown_evidence.json()["code"]) == (422, "evidence_unknown")
    script = await s.scoring.post("/evidence", headers=s.auth(reporter), files={"file": ("x.exe", b"MZ")})
    assert (script.status_code, script.json()["code"]) == (422, "document_type_not_allowed")
    stranger = await s.token("unit_reporter", "HTX-15-C")
    await send(good)
    not_theirs = await s.scoring.get("/submissions", params={"campaign": campaign["id"]}, headers=s.auth(stranger))
    assert not_theirs.json() == []
    no_round_for_reporter = await s.scoring.post("/rounds", headers=s.auth(reporter), json={
        "campaign": campaign["id"], "period": "final", "cluster": "KHOI-15-NN", "year": THIS_YEAR})
    assert (no_round_for_reporter.status_code, no_round_for_reporter.json()["code"]) == (403, "leader_only")
