"""The awards service over HTTP, fed by registry, campaigns and scoring through the real stream: a
published ranking becomes a nomination for the VCA flag, its dossier goes through the office, the
cluster votes in secret, the council approves, a numbered decision is issued with its certificate;
a person lacking a criterion is shown not eligible with the reason; a quota is never exceeded; the
ballot's stored data links no voter to a choice; a posting window holds the council back."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from docx import Document
from pypdf import PdfReader
from sqlalchemy import text

from thidua_cli.audit import read_stream
from thidua_shared.topology import TOOLS_IDENTITY

from thidua_shared.events.awards import Choice

from tests import ballots
from tests.ballots import Teller
from tests.integration.conftest import ScoringSystem

THIS_YEAR = date.today().year
PDF = b"%PDF-1.4 ho so de nghi"


async def ranked_cluster(s: ScoringSystem, cluster: str, members: list[str], leader: str, campaign: dict | None = None) -> tuple[dict, str]:
    """A cluster of provincial alliances scored on one criterion: `leader` achieved it, the others not; the round closed."""
    r = s.registry
    await r.post("/clusters", {"code": cluster, "name": f"Cụm thi đua {cluster}", "owner": "VCA"})
    await r.put(f"/clusters/{cluster}/members/{THIS_YEAR}", {"units": members})
    await r.post(f"/clusters/{cluster}/leaders/{THIS_YEAR}", {"leader": leader})
    if campaign is None:
        body = {"issuer": "VCA", "title": f"Phong trào thi đua năm {THIS_YEAR}", "kind": "regular_movement",
                "period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR + 1}-12-31", "scope": {"unit_kinds": ["provincial_alliance"]},
                "indicators": [{"code": "1", "title": "Hoàn thành kế hoạch phát triển HTX", "kind": "achieved", "max_points": 100}]}
        drafted = await s.campaigns.post("/campaigns", json=body, headers=s.auth())
        campaign = (await s.campaigns.post(f"/campaigns/{drafted.json()['id']}/launch", headers=s.auth())).json()
    for unit in members:
        registered = await s.campaigns.post(f"/campaigns/{campaign['id']}/registrations", headers=s.auth(), json={"unit": unit})
        assert registered.status_code in (201, 409), registered.text
    await s.caught_up()
    for unit in members:
        sent = await s.scoring.post("/submissions", headers=s.auth(), json={
            "campaign": campaign["id"], "unit": unit, "period": "final", "results": [{"indicator_code": "1", "achieved": unit == leader}]})
        assert sent.status_code == 201, sent.text
    opened = await s.scoring.post("/rounds", headers=s.auth(), json={"campaign": campaign["id"], "period": "final", "cluster": cluster,
                                                                     "year": THIS_YEAR, "rule": {"kind": "manual"}})
    assert opened.status_code == 201, opened.text
    closed = await s.scoring.post(f"/rounds/{opened.json()['id']}/close", headers=s.auth())
    assert closed.status_code == 200 and closed.json()["leader_unit_id"], closed.text
    await s.caught_up()
    return campaign, opened.json()["id"]


async def tree(s: ScoringSystem) -> dict[str, str]:
    r = s.registry
    await r.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    for code, name in (("LMHTX-79", "Liên minh HTX thành phố Hồ Chí Minh"), ("LMHTX-31", "Liên minh HTX thành phố Hải Phòng"),
                       ("LMHTX-01", "Liên minh HTX thành phố Hà Nội"), ("LMHTX-48", "Liên minh HTX thành phố Đà Nẵng")):
        await r.unit(code, name, "provincial_alliance", "VCA", code[-2:])
    await r.unit("HTX-31-QP", "HTX Sản xuất kinh doanh dịch vụ nông nghiệp Quang Phục", "cooperative", "LMHTX-31")
    people = {}
    for name in ("Nguyễn Văn Nam", "Trần Thị Hoa"):
        created = await r.post("/people", {"unit": "HTX-31-QP", "full_name": name, "position": "Xã viên"})
        people[name] = created.json()["id"]
    return people


async def dossier(s: ScoringSystem, nomination: dict, token: str | None = None) -> dict:
    for kind in ("cover_letter", "achievement_report", "vote_minutes"):
        uploaded = await s.awards.post("/documents", headers=s.auth(token), files={"file": (f"{kind}.pdf", PDF + kind.encode())})
        assert uploaded.status_code == 201, uploaded.text
        attached = await s.awards.post(f"/nominations/{nomination['id']}/documents", headers=s.auth(token),
                                       json={"kind": kind, "sha256": uploaded.json()["sha256"]})
        assert attached.status_code == 200, attached.text
    return attached.json()


async def test_a_ranking_leader_gets_the_vca_flag_by_secret_ballot_decision_and_certificate(awards_system: ScoringSystem):
    s = awards_system
    await tree(s)
    campaign, round_id = await ranked_cluster(s, "CUM-TP", ["LMHTX-79", "LMHTX-31", "LMHTX-01"], "LMHTX-79")

    proposed = await s.awards.post("/nominations/from-ranking", headers=s.auth(), json={"round": round_id, "summary": "Dẫn đầu cụm năm nay"})
    assert proposed.status_code == 201, proposed.text
    n = proposed.json()
    assert n["subject_name"] == "Liên minh HTX thành phố Hồ Chí Minh" and n["award"]["code"] == "co_thi_dua_lmhtx_vn"
    assert n["ruleset"]["id"] == "vca" and n["campaign_id"] == campaign["id"]
    assert {c["criterion"]: c["status"] for c in n["checks"]} == {"leads_cluster": "met"}
    early = await s.awards.post(f"/nominations/{n['id']}/submit", headers=s.auth(), json={})
    assert (early.status_code, early.json()["code"]) == (422, "dossier_incomplete")
    n = await dossier(s, n)
    assert n["missing_documents"] == []
    for action in ("submit", "receive"):
        moved = await s.awards.post(f"/nominations/{n['id']}/{action}", headers=s.auth(), json={})
        assert moved.status_code == 200, moved.text
    assigned = await s.awards.post(f"/nominations/{n['id']}/assign", headers=s.auth(), json={"officer": "Đỗ Bích Hường"})
    assert assigned.json()["officer"] == "Đỗ Bích Hường"
    checked = (await s.awards.post(f"/nominations/{n['id']}/check", headers=s.auth(), json={})).json()
    assert checked["state"] == "checked" and checked["eligible"] is True
    assert [step["action"] for step in checked["trail"]] == ["draft", "attach", "attach", "attach", "submit", "receive", "assign", "check"]
    approve_early = await s.awards.post(f"/nominations/{n['id']}/to-council", headers=s.auth(), json={})
    assert approve_early.status_code == 200
    no_ballot = await s.awards.post(f"/nominations/{n['id']}/approve", headers=s.auth(), json={})
    assert (no_ballot.status_code, no_ballot.json()["code"]) == (409, "ballot_not_passed")

    # The cluster votes in secret: one vote a member unit, each through a token of its own; three of them count.
    closes = (date.today() + timedelta(days=2)).isoformat() + "T00:00:00Z"
    voters = {code: await s.token("unit_reporter", code) for code in ("LMHTX-79", "LMHTX-31", "LMHTX-01")}
    tellers = [Teller(voters[code], code) for code in voters]
    ballot = await s.awards.post("/ballots", headers=s.auth(), json={
        "kind": "cluster", "title": f"Bình chọn đề nghị tặng Cờ thi đua năm {THIS_YEAR}", "nominations": [n["id"]], "cluster": "CUM-TP",
        "year": THIS_YEAR, "closes_at": closes, "tellers": list(voters), "meeting_on": f"01/12/{THIS_YEAR}"})
    assert ballot.status_code == 201, ballot.text
    assert (ballot.json()["status"], ballot.json()["threshold"]) == ("keys", 2)
    bid = ballot.json()["id"]
    early = await ballots.vote(s.awards, s.auth(voters["LMHTX-79"]), {**ballot.json(), "public_key": "Ag"}, {n["id"]: "yes"}, "LMHTX-79")
    assert (early.status_code, early.json()["code"]) == (409, "ballot_keys_pending")
    opened = await ballots.make_key(s.awards, bid, tellers)
    receipts = {}
    for code, choice in (("LMHTX-79", "yes"), ("LMHTX-31", "yes"), ("LMHTX-01", "no")):
        cast = await ballots.vote(s.awards, s.auth(voters[code]), opened, {n["id"]: choice}, code)
        assert cast.status_code == 201, cast.text
        receipts[code] = cast.json()["receipt"]
    again = await ballots.vote(s.awards, s.auth(voters["LMHTX-01"]), opened, {n["id"]: "yes"}, "LMHTX-01")
    assert (again.status_code, again.json()["code"]) == (409, "ballot_already_voted")
    outsider = await ballots.vote(s.awards, s.auth(await s.token("unit_reporter", "LMHTX-48")), opened, {n["id"]: "yes"}, "LMHTX-48")
    assert (outsider.status_code, outsider.json()["code"]) == (403, "ballot_not_voter")
    on_behalf = await ballots.vote(s.awards, s.auth(), opened, {n["id"]: "yes"}, "LMHTX-01")
    assert (on_behalf.status_code, on_behalf.json()["code"]) == (403, "ballot_vote_not_own")  # not even the national board
    during = (await s.awards.get(f"/ballots/{bid}", headers=s.auth())).json()
    assert during["voted"] == 3 and during["result"] is None
    hidden = await s.awards.get(f"/ballots/{bid}/box", headers=s.auth())
    assert (hidden.status_code, hidden.json()["code"]) == (409, "ballot_box_not_published")
    counting = (await s.awards.post(f"/ballots/{bid}/close", headers=s.auth())).json()
    assert (counting["status"], counting["result"]) == ("counting", None)
    view = (await s.awards.get(f"/ballots/{bid}/tellers", headers=s.auth())).json()
    own = tellers[0].index_in(view)
    stranger = await s.awards.post(f"/ballots/{bid}/counts", headers=s.auth(voters["LMHTX-79"]), json={
        "unit": "LMHTX-79", "count": {"index": own % 3 + 1, "shares": []}})
    assert (stranger.status_code, stranger.json()["code"]) == (422, "ballot_teller_index")  # one's own index only
    assert (await ballots.count(s.awards, bid, tellers[0])).json()["status"] == "counting"
    closed = (await ballots.count(s.awards, bid, tellers[2])).json()
    tally = closed["result"]["tallies"][0]
    assert (closed["status"], tally["yes"], tally["no"], tally["passed"]) == ("closed", 2, 1, True)  # 2 of 3 ≥ half of all members
    assert closed["nominees"] == {n["id"]: n["subject_name"]}  # a tally names whom it is about
    late = await ballots.count(s.awards, bid, tellers[1])
    assert (late.status_code, late.json()["code"]) == (409, "ballot_not_counting")
    # A voter finds the ballot by its cluster and year; a unit outside it does not see it.
    listed = (await s.awards.get("/ballots", headers=s.auth(voters["LMHTX-31"]), params={"cluster": "CUM-TP", "year": THIS_YEAR})).json()
    assert [(b["id"], b["voted"], b["eligible"], b["passed"]) for b in listed] == [(bid, 3, closed["eligible"], [n["id"]])]
    assert (await s.awards.get("/ballots", headers=s.auth(await s.token("unit_reporter", "LMHTX-48")))).json() == []
    mine = await s.awards.get(f"/ballots/{bid}/receipts/{receipts['LMHTX-01']}", headers=s.auth(voters["LMHTX-01"]))
    assert mine.json() == {"ballot_id": bid, "receipt": receipts["LMHTX-01"], "in_box": True, "counted": True}
    recounted = await ballots.recount(s.awards, s.auth(), bid)  # from what is published alone
    assert (recounted[0][Choice.YES], recounted[0][Choice.NO], recounted[0][Choice.ABSTAIN]) == (2, 1, 0)

    # Nothing stored or published links a voter to a readable choice.
    await ensure_secret(s, bid, list(voters), receipts)

    approved = await s.awards.post(f"/nominations/{n['id']}/approve", headers=s.auth(), json={"reason": "Hội đồng nhất trí"})
    assert approved.status_code == 200 and approved.json()["state"] == "approved", approved.text
    decision = await s.awards.post("/decisions", headers=s.auth(), json={
        "number": "123/QĐ-LMHTXVN", "signed_on": date.today().strftime("%d/%m/%Y"), "signer_title": "Chủ tịch Liên minh HTX Việt Nam",
        "signer_name": "Nguyễn Ngọc Bảo", "nominations": [n["id"]]})
    assert decision.status_code == 201, decision.text
    d = decision.json()
    assert d["recipients"][0]["name"] == "Liên minh HTX thành phố Hồ Chí Minh"
    twice = await s.awards.post("/decisions", headers=s.auth(), json={
        "number": "124/QĐ-LMHTXVN", "signed_on": date.today().isoformat(), "signer_title": "Chủ tịch", "nominations": [n["id"]]})
    assert (twice.status_code, twice.json()["code"]) == (409, "nomination_wrong_state")

    pdf = await s.awards.get(f"/decisions/{d['id']}/certificates.pdf", headers=s.auth())
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    words = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "CỜ THI ĐUA" in words and "Liên minh HTX thành phố Hồ Chí Minh" in words and "123/QĐ-LMHTXVN" in words
    blank = await s.awards.get(f"/decisions/{d['id']}/certificates.pdf", params={"layout": "phoi_bang_khen_a4_ngang"}, headers=s.auth())
    assert "CỜ THI ĐUA" not in PdfReader(io.BytesIO(blank.content)).pages[0].extract_text()  # the blank has it printed already
    assert "NGUYỄN NGỌC BẢO" in words.upper() and "CHỦ TỊCH LIÊN MINH HTX VIỆT NAM" in words  # the signer's title and name
    await documents_fit_for_signing(s, n["id"], bid)

    history = (await s.awards.get("/history", params={"unit": "LMHTX-79"}, headers=s.auth())).json()
    assert [(h["award"]["award_code"], h["award"]["year"]) for h in history] == [("co_thi_dua_lmhtx_vn", THIS_YEAR)]
    counters = (await s.awards.get("/counters", params={"campaign": campaign["id"]}, headers=s.auth())).json()
    assert counters["proposed"] == 1 and counters["approved"] == 1 and counters["returned"] == 0
    revoked = await s.awards.post(f"/decisions/{d['id']}/revocations", headers=s.auth(),
                                  json={"nomination": n["id"], "revocation_number": "9/QĐ-LMHTXVN", "reason": "Kê khai không trung thực"})
    assert revoked.json()["revoked"] == [n["id"]]
    assert (await s.awards.get("/history", params={"unit": "LMHTX-79"}, headers=s.auth())).json()[0]["award"]["revoked"] is True

    types = [e.type for e in await read_stream(s.registry.nats_url, s.registry.nats.identity(TOOLS_IDENTITY)) if e.service == "awards"]
    for expected in ("awards.nomination_drafted", "awards.nomination_submitted", "awards.nomination_received", "awards.nomination_checked",
                     "awards.ballot_opened", "awards.ballot_voted", "awards.ballot_closed", "awards.award_decided", "awards.award_revoked",
                     "awards.nomination_document_attached"):
        assert expected in types, expected
    # Every row the service wrote follows from its log: documents (stored by content) aside, said so.
    replayed = await s.replays_identical("awards")
    assert "✓ nomination_trail:" in replayed and "✓ award_history:" in replayed and "Không so: documents" in replayed


async def documents_fit_for_signing(s: ScoringSystem, nomination: str, ballot: str) -> None:
    """The drafts as Decree 30/2020/NĐ-CP sets administrative documents (issue 18, item 4): A4 with its margins, the
    national name and motto, the number; a decision cites the law and decree in force on its day and the alliance's
    own regulations, never the notes the rules were drawn from; the minutes are dated the meeting's day."""
    from thidua_awards.domain.rulesets import legal_bases, ruleset

    signed_on = date(2025, 3, 1)  # under Law 06/2022 and Decree 98/2023
    for path, method, body in ((f"/ballots/{ballot}/minutes.docx", "GET", None), ("/drafts/cover-letter.docx", "POST", {"nominations": [nomination]}),
                               ("/drafts/decision.docx", "POST", {"nominations": [nomination], "number": "123/QĐ-LMHTXVN",
                                                                  "signed_on": signed_on.strftime("%d/%m/%Y"), "signer_name": "Nguyễn Ngọc Bảo"})):
        response = await s.awards.request(method, path, headers=s.auth(), json=body)
        assert response.status_code == 200, (path, response.text)
        doc = Document(io.BytesIO(response.content))
        section = doc.sections[0]
        mm = [round(length.mm) for length in (section.page_width, section.page_height, section.left_margin, section.right_margin,
                                              section.top_margin)]
        assert mm == [210, 297, 30, 15, 20], path  # A4 (not US Letter), margins as Decree 30 sets them
        heading = " ".join(cell.text for cell in doc.tables[0].rows[0].cells)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading and "Độc lập - Tự do - Hạnh phúc" in heading and "Số:" in heading, path
        motto = next(r for p in doc.tables[0].rows[0].cells[1].paragraphs for r in p.runs if r.text == "Độc lập - Tự do - Hạnh phúc")
        assert motto.underline and motto.bold  # the line beneath the motto
        listed = doc.tables[1] if "signer_name" not in (body or {}) else doc.tables[-1]
        widths = [round(column.width.mm) for column in listed.columns]
        assert widths[0] == 15 and widths[1] == max(widths) and abs(sum(widths) - 165) <= 3, (path, widths)  # "STT" narrow, names wide
        paragraphs = [p.text for p in doc.paragraphs]
        if "minutes" in path:
            assert f"ngày 01 tháng 12 năm {THIS_YEAR}" in heading and f"Hội nghị ngày 01/12/{THIS_YEAR}" in " ".join(paragraphs)
        if "decision" in path:
            grounds = [p.removeprefix("Căn cứ ").removesuffix(";") for p in paragraphs if p.startswith("Căn cứ")]
            assert grounds == legal_bases(ruleset("vca"), signed_on)
            assert grounds[0].startswith("Luật Thi đua, khen thưởng số 06/2022/QH15") and "Nghị định số 98/2023/NĐ-CP" in grounds[1]
            assert not any("Ghi chú" in g or "121/LMHTXVN" in g for g in grounds)
            assert "01 tháng 03 năm 2025" in heading and "NGUYỄN NGỌC BẢO" in " ".join(c.text for t in doc.tables for c in t.rows[0].cells).upper()


async def ensure_secret(s: ScoringSystem, ballot_id: str, voters: list[str], receipts: dict[str, str]) -> None:
    """Every table of the awards database and every awards event: the box holds only encrypted ballots under their
    receipts, and no row or event holds a voter beside a receipt (the raw files are read in test_ballot_files)."""
    await s.awards_app.state.runtime.relay.publish_pending()  # type: ignore[attr-defined]
    runtime = s.awards_app.state.runtime  # type: ignore[attr-defined]
    unit_ids = {(await s.registry.get(f"/units/{code}")).json()["id"] for code in voters}
    async with runtime.db.sessions() as session:
        tables = [row[0] for row in (await session.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table'" if runtime.db.engine.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")))]
        for table in tables:
            for row in (await session.execute(text(f'SELECT * FROM "{table}"'))).all():
                flat = " ".join(str(v) for v in row)
                assert not (any(u in flat for u in unit_ids) and any(r in flat for r in receipts.values())), (table, flat[:300])
        box = (await session.execute(text("SELECT receipt, ballot FROM ballot_box WHERE ballot_id = :b").bindparams(b=ballot_id))).all()
        assert sorted(r.receipt for r in box) == sorted(receipts.values())
        assert not any(f'"{choice}"' in json.dumps(r.ballot) for r in box for choice in ("yes", "no", "abstain"))  # numbers only
    for event in await read_stream(s.registry.nats_url, s.registry.nats.identity(TOOLS_IDENTITY)):
        if event.service == "awards" and event.type == "awards.ballot_voted":
            assert set(event.payload) == {"ballot_id", "voter"}
        if event.service == "awards":
            flat = str(event.payload)
            assert not (any(u in flat for u in unit_ids) and any(r in flat for r in receipts.values())), event.type


async def test_a_person_without_a_required_title_is_not_eligible_with_the_reason(awards_system: ScoringSystem):
    s = awards_system
    people = await tree(s)
    await s.caught_up()
    nam = people["Nguyễn Văn Nam"]
    rated = await s.awards.post("/ratings", headers=s.auth(), json={"subject": {"kind": "person", "ref": nam}, "year": THIS_YEAR, "rating": "excellent"})
    assert rated.status_code == 201, rated.text
    drafted = await s.awards.post("/nominations", headers=s.auth(), json={
        "award": "chien_si_thi_dua_co_so", "year": THIS_YEAR, "subject": {"kind": "person", "ref": nam}, "proposer": "HTX-31-QP",
        "to_unit": "LMHTX-31", "summary": "Xã viên tiêu biểu"})
    assert drafted.status_code == 201, drafted.text
    checks = {c["criterion"]: c for c in drafted.json()["checks"]}
    assert checks["advanced_worker"]["status"] == "not_met"
    assert "Lao động" in checks["advanced_worker"]["label_vi"] and checks["advanced_worker"]["explanation_en"].startswith("Needs")
    assert checks["excellence_or_initiative"]["status"] == "met" and checks["no_discipline"]["status"] == "met"
    assert drafted.json()["eligible"] is False
    n = await dossier(s, drafted.json())
    for action in ("submit", "receive"):
        assert (await s.awards.post(f"/nominations/{n['id']}/{action}", headers=s.auth(), json={})).status_code == 200
    await s.awards.post(f"/nominations/{n['id']}/check", headers=s.auth(), json={})
    refused = await s.awards.post(f"/nominations/{n['id']}/to-council", headers=s.auth(), json={})
    assert (refused.status_code, refused.json()["code"]) == (409, "nomination_not_eligible")
    returned = await s.awards.post(f"/nominations/{n['id']}/return", headers=s.auth(), json={})
    assert (returned.status_code, returned.json()["code"]) == (422, "nomination_needs_reason")
    returned = await s.awards.post(f"/nominations/{n['id']}/return", headers=s.auth(), json={"reason": "Chưa có danh hiệu Lao động tiên tiến"})
    assert returned.json()["state"] == "returned"

    # The title typed in from last year's paper decision: the check now passes.
    typed = await s.awards.post("/history", headers=s.auth(), json={"subject": {"kind": "person", "ref": nam}, "award": "lao_dong_tien_tien",
                                                                    "year": THIS_YEAR, "decision_number": "15/QĐ-HTX"})
    assert typed.status_code == 201, typed.text
    resubmitted = (await s.awards.post(f"/nominations/{n['id']}/submit", headers=s.auth(), json={})).json()
    # Today's rule set (Decree 152/2025) is not settled by the sources: the officer has that one judgement to make.
    assert [c["criterion"] for c in resubmitted["checks"] if c["status"] != "met"] == ["ruleset"] and resubmitted["eligible"] is None
    await s.awards.post(f"/nominations/{n['id']}/receive", headers=s.auth(), json={})
    judged = await s.awards.post(f"/nominations/{n['id']}/check", headers=s.auth(), json={
        "judgements": [{"criterion": "ruleset", "met": True, "reason": "Đã đối chiếu Nghị định 152/2025"}]})
    assert judged.json()["eligible"] is True
    counters = (await s.awards.get("/counters", params={"to_unit": "LMHTX-31"}, headers=s.auth())).json()
    assert counters["returned"] == 1

    reporter = await s.token("unit_reporter", "HTX-31-QP")
    outside = await s.awards.post("/nominations", headers=s.auth(reporter), json={
        "award": "co_thi_dua_lmhtx_vn", "year": THIS_YEAR, "subject": {"kind": "unit", "ref": "LMHTX-79"}, "proposer": "HTX-31-QP", "to_unit": "VCA"})
    assert (outside.status_code, outside.json()["code"]) == (403, "subject_outside_proposer")
    auditor = await s.token("auditor", None)
    assert (await s.awards.get(f"/nominations/{n['id']}", headers=s.auth(auditor))).status_code == 200
    write = await s.awards.post(f"/nominations/{n['id']}/receive", headers=s.auth(auditor), json={})
    assert (write.status_code, write.json()["code"]) == (403, "forbidden_role")


async def test_the_governments_flag_quota_is_never_exceeded_and_the_posting_window_holds_the_council(awards_system: ScoringSystem, monkeypatch):
    s = awards_system
    await tree(s)
    campaign, first_round = await ranked_cluster(s, "CUM-A", ["LMHTX-79", "LMHTX-31"], "LMHTX-79")
    _, second_round = await ranked_cluster(s, "CUM-B", ["LMHTX-01", "LMHTX-48"], "LMHTX-01", campaign)
    nominations = []
    for round_id in (first_round, second_round):
        made = await s.awards.post("/nominations/from-ranking", headers=s.auth(), json={"round": round_id, "award": "co_thi_dua_chinh_phu"})
        assert made.status_code == 201, made.text
        n = await dossier(s, made.json())
        for action in ("submit", "receive"):
            assert (await s.awards.post(f"/nominations/{n['id']}/{action}", headers=s.auth(), json={})).status_code == 200
        judged = await s.awards.post(f"/nominations/{n['id']}/check", headers=s.auth(), json={
            "judgements": [{"criterion": "model", "met": True, "reason": "Điển hình của cả hệ thống"},
                           {"criterion": "ruleset", "met": True, "reason": "Đã đối chiếu Nghị định 152/2025"}]})
        assert judged.json()["eligible"] is True, judged.text
        nominations.append(n)
    # Two cluster leaders this year: at most 20% of them, rounded down but at least one, go to the council.
    assert (await s.awards.post(f"/nominations/{nominations[0]['id']}/to-council", headers=s.auth(), json={})).status_code == 200
    over = await s.awards.post(f"/nominations/{nominations[1]['id']}/to-council", headers=s.auth(), json={})
    assert (over.status_code, over.json()["code"]) == (409, "quota_reached")
    assert "1/1" in over.json()["message_en"] or "1 of 1" in over.json()["message_en"]
    escalated = await s.awards.post(f"/nominations/{nominations[1]['id']}/escalate", headers=s.auth(), json={"reason": "Đề nghị năm sau"})
    assert escalated.json()["state"] == "escalated"

    # State-level: nominees posted for 10 working days before the council may decide.
    posting = await s.awards.post("/postings", headers=s.auth(), json={"to_unit": "VCA", "title": "Công khai đề nghị Cờ thi đua của Chính phủ",
                                                                       "nominations": [nominations[0]["id"]]})
    assert posting.status_code == 201, posting.text
    p = posting.json()
    assert p["working_days"] == 10 and date.fromisoformat(p["closes_on"]) >= date.today() + timedelta(days=11)
    commented = await s.awards.post(f"/postings/{p['id']}/comments", headers=s.auth(), json={"text": "Đơn vị xứng đáng."})
    comment_id = commented.json()["comments"][0]["id"]
    answered = await s.awards.post(f"/postings/{p['id']}/comments/{comment_id}/answer", headers=s.auth(), json={"answer": "Xin cảm ơn."})
    assert answered.json()["comments"][0]["answer"] == "Xin cảm ơn."
    council = await s.awards.post(f"/nominations/{nominations[0]['id']}/approve", headers=s.auth(), json={})
    assert (council.status_code, council.json()["code"]) == (409, "posting_not_over")
    early_close = await s.awards.post(f"/postings/{p['id']}/close", headers=s.auth(), json={})
    assert early_close.status_code == 409

    import thidua_awards.entrypoints.http as awards_http

    monkeypatch.setattr(awards_http, "today_in_vietnam", lambda: date.fromisoformat(p["closes_on"]) + timedelta(days=1))
    late = await s.awards.post(f"/postings/{p['id']}/comments", headers=s.auth(), json={"text": "Muộn"})
    assert (late.status_code, late.json()["code"]) == (409, "posting_closed")
    assert (await s.awards.post(f"/postings/{p['id']}/close", headers=s.auth(), json={})).json()["status"] == "closed"
    still = await s.awards.post(f"/nominations/{nominations[0]['id']}/approve", headers=s.auth(), json={})
    assert (still.status_code, still.json()["code"]) == (409, "ballot_not_passed")  # the posting is over; the vote is still missing

    # The council votes in secret: only its members, each with a token of their own.
    members = []
    for name in ("Nguyễn Ngọc Bảo", "Phạm Ngọc Toại", "Đỗ Bích Hường"):
        members.append((await s.registry.post("/people", {"unit": "VCA", "full_name": name, "position": "Ủy viên Hội đồng TĐKT"})).json()["id"])
    await s.caught_up()
    closes = (date.today() + timedelta(days=2)).isoformat() + "T00:00:00Z"
    council = await s.awards.post("/ballots", headers=s.auth(), json={"kind": "council", "title": "Hội đồng TĐKT xét Cờ thi đua của Chính phủ",
                                                                      "nominations": [nominations[0]["id"]], "year": THIS_YEAR,
                                                                      "voters": members, "closes_at": closes, "tellers": members[:2],
                                                                      "threshold": 1})
    assert council.status_code == 201, council.text
    bid = council.json()["id"]
    tokens = [await s.token("council_member", "VCA", holder="Ủy viên", person=person) for person in members]
    council_tellers = [Teller(token) for token in tokens[:2]]
    opened = await ballots.make_key(s.awards, bid, council_tellers)
    admin_vote = await ballots.vote(s.awards, s.auth(), opened, {nominations[0]["id"]: "yes"})
    assert (admin_vote.status_code, admin_vote.json()["code"]) == (403, "ballot_not_voter")
    for token in tokens:
        cast = await ballots.vote(s.awards, s.auth(token), opened, {nominations[0]["id"]: "yes"})
        assert cast.status_code == 201, cast.text
    assert (await s.awards.post(f"/ballots/{bid}/close", headers=s.auth())).json()["status"] == "counting"
    counted = (await ballots.count(s.awards, bid, council_tellers[1])).json()
    assert counted["result"]["tallies"][0]["passed"] is True and counted["voted"] == 3  # 3 of 3 ≥ 90% of all members
    decided = await s.awards.post(f"/nominations/{nominations[0]['id']}/approve", headers=s.auth(), json={"reason": "Hội đồng nhất trí"})
    assert decided.json()["state"] == "approved", decided.text
    replayed = await s.replays_identical("awards")  # the posting, its comments and answers, the council's box, all from the log
    assert "✓ posting_comments: 1 dòng" in replayed and "✓ ballot_box:" in replayed and "✓ ballot_counts:" in replayed


async def test_records_and_history_come_in_bulk_from_spreadsheets_all_or_none(awards_system: ScoringSystem):
    s = awards_system
    people = await tree(s)
    await s.caught_up()
    rows = [["Mã đơn vị", "Họ tên", "Hình thức khen thưởng", "Năm", "Số quyết định"],
            ["HTX-31-QP", "Nguyễn Văn Nam", "Chiến sĩ thi đua cơ sở", str(THIS_YEAR - 3), "12/QĐ"],
            ["HTX-31-QP", "Nguyễn Văn Nam", "chien_si_thi_dua_co_so", str(THIS_YEAR - 2), "13/QĐ"],
            ["HTX-31-QP", "", "Bằng khen của Liên minh HTX Việt Nam", str(THIS_YEAR - 1), "14/QĐ"],
            ["HTX-31-QP", "Người Không Có", "Lao động tiên tiến", str(THIS_YEAR - 1), ""],
            ["HTX-31-QP", "Trần Thị Hoa", "Huy chương vàng Olympic", str(THIS_YEAR - 1), ""]]
    csv_body = "\n".join(",".join(r) for r in rows).encode()
    rejected = await s.awards.post("/imports/history", params={"wait": 20}, files={"file": ("lich-su.csv", csv_body)}, headers=s.auth())
    assert rejected.status_code == 422, rejected.text
    assert [(e["row"], e["code"]) for e in rejected.json()["details"]["errors"]] == [(5, "record_unknown_subject"), (6, "import_value_not_allowed")]
    assert (await s.awards.get("/history", params={"unit": "HTX-31-QP", "person": "*"}, headers=s.auth())).json() == []
    accepted = await s.awards.post("/imports/history", params={"wait": 20}, files={"file": ("lich-su.csv", "\n".join(",".join(r) for r in rows[:4]).encode())},
                                   headers=s.auth())
    assert accepted.status_code == 200 and accepted.json()["result"]["created"] == 3, accepted.text
    held = (await s.awards.get("/history", params={"person": people["Nguyễn Văn Nam"]}, headers=s.auth())).json()
    assert sorted(h["award"]["year"] for h in held) == [THIS_YEAR - 3, THIS_YEAR - 2]
    ratings = [["Mã đơn vị", "Họ tên", "Năm", "Xếp loại"], ["HTX-31-QP", "Trần Thị Hoa", str(THIS_YEAR), "Hoàn thành xuất sắc nhiệm vụ"]]
    done = await s.awards.post("/imports/ratings", params={"wait": 20}, files={"file": ("xep-loai.csv", "\n".join(",".join(r) for r in ratings).encode())},
                               headers=s.auth())
    assert done.json()["result"]["created"] == 1, done.text
    proposals = [["Mã đơn vị", "Họ tên", "Hình thức khen thưởng", "Năm", "Đơn vị đề nghị", "Cơ quan quyết định", "Tóm tắt thành tích"],
                 ["HTX-31-QP", "Trần Thị Hoa", "Lao động tiên tiến", str(THIS_YEAR), "HTX-31-QP", "HTX-31-QP", "Hoàn thành xuất sắc"],
                 ["HTX-31-QP", "", "Tập thể lao động tiên tiến", str(THIS_YEAR), "LMHTX-31", "LMHTX-31", ""],
                 ["LMHTX-79", "", "Bằng khen của Liên minh HTX Việt Nam", str(THIS_YEAR), "HTX-31-QP", "VCA", ""]]
    body = "\n".join(",".join(r) for r in proposals).encode()
    refused = await s.awards.post("/imports/nominations", params={"wait": 20}, files={"file": ("de-nghi.csv", body)}, headers=s.auth())
    assert [(e["row"], e["code"]) for e in refused.json()["details"]["errors"]] == [(4, "subject_outside_proposer")]  # a cooperative proposes no alliance
    body = "\n".join(",".join(r) for r in proposals[:3]).encode()
    imported = await s.awards.post("/imports/nominations", params={"wait": 20}, files={"file": ("de-nghi.csv", body)}, headers=s.auth())
    assert imported.json()["result"]["created"] == 2, imported.text
    drafted = (await s.awards.get("/nominations", params={"state": "drafted"}, headers=s.auth())).json()
    assert sorted(n["subject_name"] for n in drafted) == ["HTX Sản xuất kinh doanh dịch vụ nông nghiệp Quang Phục", "Trần Thị Hoa"]
    hoa = next(n for n in drafted if n["subject_name"] == "Trần Thị Hoa")
    assert {c["criterion"]: c["status"] for c in hoa["checks"]}["task_good"] == "met"  # rated by the import above
    again = await s.awards.post("/imports/nominations", params={"wait": 20}, files={"file": ("de-nghi.csv", body)}, headers=s.auth())
    assert {e["code"] for e in again.json()["details"]["errors"]} == {"nomination_duplicate"}
    report = await s.awards.get("/reports/0603", params={"year": THIS_YEAR}, headers=s.auth())
    assert report.status_code == 200 and report.json()["rows"][0] == "Tổng số", report.text
    workbook = await s.awards.get("/reports/0601/export.xlsx", params={"year": THIS_YEAR}, headers=s.auth())
    assert workbook.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet["A1"].value == "Biểu số 0601.N/BNV-TĐKT" and sheet["A4"].value == "SỐ PHONG TRÀO THI ĐUA"
    await s.replays_identical("awards")  # imports are runs of events sealed at one moment: their rows too


async def test_a_merger_carries_the_award_history_to_the_successor(awards_system: ScoringSystem):
    s = awards_system
    await tree(s)
    await s.registry.unit("LMHTX-30", "Liên minh HTX tỉnh Hải Dương", "provincial_alliance", "VCA", "30")
    await s.caught_up()
    for year in (THIS_YEAR - 2, THIS_YEAR - 1):
        typed = await s.awards.post("/history", headers=s.auth(), json={"subject": {"kind": "unit", "ref": "LMHTX-30"},
                                                                        "award": "co_thi_dua_lmhtx_vn", "year": year})
        assert typed.status_code == 201, typed.text
    merged = await s.registry.post("/units/LMHTX-30/merge", {"successor": "LMHTX-31", "effective_date": "2025-07-01",
                                                             "reason": "Nghị quyết sắp xếp đơn vị hành chính"})
    assert merged.status_code == 200, merged.text
    await s.caught_up()
    history = (await s.awards.get("/history", params={"unit": "LMHTX-31"}, headers=s.auth())).json()
    assert sorted(h["award"]["year"] for h in history) == [THIS_YEAR - 2, THIS_YEAR - 1]
    assert {h["via_predecessor"]["code"] for h in history} == {"LMHTX-30"}
