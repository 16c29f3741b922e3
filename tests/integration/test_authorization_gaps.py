"""Authorization gaps found by probing awards and scoring (issue 17, item 3), each answered 201 before:
an auditor commenting; a unit rating itself "excellent" and declaring its own initiative, both counted for
eligibility; the national board casting a member's cluster vote; a per-cluster quota counted nationally
for hand-raised nominations; a merged unit nominated under its old code, and its successor's officer
shown nothing of its history."""

from __future__ import annotations

from tests.integration.conftest import ScoringSystem
from tests.integration.test_awards_api import THIS_YEAR, ranked_cluster, tree


async def test_a_units_own_word_counts_only_once_an_office_above_confirms_it(awards_system: ScoringSystem):
    s = awards_system
    people = await tree(s)
    nam = {"kind": "person", "ref": people["Nguyễn Văn Nam"]}
    reporter = await s.token("unit_reporter", "HTX-31-QP", holder="Kế toán HTX Quang Phục")
    officer = await s.token("provincial_officer", "LMHTX-31", holder="Cán bộ thi đua Liên minh HTX Hải Phòng")
    rated = await s.awards.post("/ratings", headers=s.auth(reporter), json={"subject": nam, "year": THIS_YEAR, "rating": "excellent"})
    assert rated.status_code == 201 and rated.json()["claimed"] is True, rated.text
    declared = await s.awards.post("/initiatives", headers=s.auth(reporter), json={
        "subject": nam, "title": "Quy trình sấy vải thiều tiết kiệm điện", "level": "provincial", "year": THIS_YEAR})
    assert declared.status_code == 201 and declared.json()["claimed"] is True, declared.text

    drafted = await s.awards.post("/nominations", headers=s.auth(reporter), json={
        "award": "chien_si_thi_dua_co_so", "year": THIS_YEAR, "subject": nam, "proposer": "HTX-31-QP", "to_unit": "LMHTX-31"})
    assert drafted.status_code == 201, drafted.text
    checks = {c["criterion"]: c["status"] for c in drafted.json()["checks"]}
    assert checks["excellence_or_initiative"] == "not_met"  # claims do not count

    # The unit cannot confirm itself; the province's office can, and then it counts.
    hoa = {"kind": "person", "ref": people["Trần Thị Hoa"]}
    claimed = await s.awards.post("/ratings", headers=s.auth(reporter), json={"subject": hoa, "year": THIS_YEAR, "rating": "excellent"})
    assert claimed.json()["claimed"] is True
    for ask in (s.awards.post(f"/initiatives/{declared.json()['id']}/confirm", headers=s.auth(reporter)),
                s.awards.post("/ratings/confirm", headers=s.auth(reporter), json={"subject": hoa, "year": THIS_YEAR})):
        refused = await ask
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden_role"), refused.text
    confirmed = await s.awards.post("/ratings/confirm", headers=s.auth(officer), json={"subject": hoa, "year": THIS_YEAR})
    assert confirmed.status_code == 200 and confirmed.json()["claimed"] is False, confirmed.text
    again = await s.awards.post("/ratings/confirm", headers=s.auth(officer), json={"subject": hoa, "year": THIS_YEAR})
    assert (again.status_code, again.json()["code"]) == (409, "claim_already_confirmed")
    assert (await s.awards.post(f"/initiatives/{declared.json()['id']}/confirm", headers=s.auth(officer))).status_code == 200
    counted = await s.awards.post("/nominations", headers=s.auth(reporter), json={
        "award": "chien_si_thi_dua_co_so", "year": THIS_YEAR, "subject": hoa, "proposer": "HTX-31-QP", "to_unit": "LMHTX-31"})
    assert {c["criterion"]: c["status"] for c in counted.json()["checks"]}["excellence_or_initiative"] == "met", counted.text

    # An office above records facts directly.
    direct = await s.awards.post("/ratings", headers=s.auth(officer), json={"subject": nam, "year": THIS_YEAR - 1, "rating": "good"})
    assert direct.status_code == 201 and direct.json()["claimed"] is False
    await s.replays_identical("awards")


async def test_a_per_cluster_quota_counts_per_cluster_and_a_merged_unit_is_refused_naming_its_successor(awards_system: ScoringSystem):
    s = awards_system
    r = s.registry
    await tree(s)
    # Two clusters, each led by its ranking's first: Hà Nội in the north's, Hồ Chí Minh City in the south's.
    campaign, _ = await ranked_cluster(s, "CUM-BAC", ["LMHTX-01", "LMHTX-31"], "LMHTX-01")
    await ranked_cluster(s, "CUM-NAM", ["LMHTX-79", "LMHTX-48"], "LMHTX-79", campaign)
    ids = []
    for unit in ("LMHTX-01", "LMHTX-79"):  # one flag for each cluster: neither is over its cluster's quota
        drafted = await s.awards.post("/nominations", headers=s.auth(), json={
            "award": "co_thi_dua_lmhtx_vn", "year": THIS_YEAR, "subject": {"kind": "unit", "ref": unit}, "proposer": "VCA", "to_unit": "VCA"})
        assert drafted.status_code == 201, drafted.text
        ids.append(drafted.json()["id"])
    pdf = b"%PDF-1.4 ho so"
    for nid in ids:
        for kind in ("cover_letter", "achievement_report", "vote_minutes"):
            sha = (await s.awards.post("/documents", headers=s.auth(), files={"file": (f"{kind}.pdf", pdf + kind.encode())})).json()["sha256"]
            await s.awards.post(f"/nominations/{nid}/documents", headers=s.auth(), json={"kind": kind, "sha256": sha})
        for action in ("submit", "receive", "check"):
            moved = await s.awards.post(f"/nominations/{nid}/{action}", headers=s.auth(), json={})
            assert moved.status_code == 200, moved.text
        to_council = await s.awards.post(f"/nominations/{nid}/to-council", headers=s.auth(), json={})
        assert to_council.status_code == 200, to_council.text  # before: the second was refused quota_reached "1/1"

    # The nominees are posted: anyone who writes may comment; an auditor reads and writes nothing.
    posting = await s.awards.post("/postings", headers=s.auth(), json={"to_unit": "VCA", "title": "Công khai Cờ thi đua", "nominations": ids})
    assert posting.status_code == 201, posting.text
    auditor = await s.token("auditor", None)
    commented = await s.awards.post(f"/postings/{posting.json()['id']}/comments", headers=s.auth(auditor), json={"text": "Ý kiến"})
    assert (commented.status_code, commented.json()["code"]) == (403, "forbidden_role")

    # Yên Bái merges into Lào Cai: a new nomination under Yên Bái's code is refused, naming Lào Cai.
    await r.unit("LMHTX-15", "Liên minh HTX tỉnh Yên Bái", "provincial_alliance", "VCA", "15")
    await r.unit("LMHTX-10", "Liên minh HTX tỉnh Lào Cai", "provincial_alliance", "VCA", "10")
    merged = await r.post("/units/LMHTX-15/merge", {"successor": "LMHTX-10", "effective_date": "2025-07-01", "reason": "Nghị quyết 202/2025/QH15"})
    assert merged.status_code in (200, 201), merged.text
    await s.caught_up()
    refused = await s.awards.post("/nominations", headers=s.auth(), json={
        "award": "bang_khen_lmhtx_vn", "year": THIS_YEAR, "subject": {"kind": "unit", "ref": "LMHTX-15"}, "proposer": "VCA", "to_unit": "VCA"})
    assert (refused.status_code, refused.json()["code"]) == (409, "unit_merged_into"), refused.text
    assert "LMHTX-10" in refused.json()["message_vi"]
