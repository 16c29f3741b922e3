"""Bad input never hurts the service: every finding of the hardening issue, answered with a clear 4xx."""

from __future__ import annotations

import io
import time
import zipfile

from tests.integration.conftest import RegistryClient, System
from tests.integration.test_campaigns_api import campaign_body, launched, tree

HUGE = 10**30


async def test_numbers_and_text_out_of_bounds_get_a_4xx(registry: RegistryClient):
    await registry.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    for path in (f"/units?offset={HUGE}", f"/people?offset={HUGE}", f"/units?limit={HUGE}", "/units?limit=0",
                 f"/clusters/X/members/{HUGE}", "/units?cursor=%%%"):
        response = await registry.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
        assert response.json()["message_vi"] and response.json()["message_en"]
    nul = await registry.post("/units", {"code": "HTX-NUL", "name": "HTX\x00 ẩn", "kind": "cooperative", "parent": "VCA"})
    assert (nul.status_code, nul.json()["code"]) == (422, "validation_failed")
    assert "control character" in str(nul.json()["details"])
    assert (await registry.get("/units/HTX-NUL")).status_code == 404


async def test_text_is_stored_as_nfc_whatever_keyboard_typed_it(registry: RegistryClient):
    import unicodedata

    await registry.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    decomposed = unicodedata.normalize("NFD", "Liên minh HTX tỉnh Ninh Bình")
    created = await registry.unit("LMHTX-37", decomposed, "provincial_alliance", "VCA", "37")
    assert created["name"] == unicodedata.normalize("NFC", decomposed) != decomposed


async def test_a_unit_reporter_may_rename_its_unit_but_not_move_it(registry: RegistryClient):
    await registry.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    await registry.unit("LMHTX-31", "Liên minh HTX thành phố Hải Phòng", "provincial_alliance", "VCA", "31")
    await registry.unit("HTX-31-QP", "HTX Quang Phục", "cooperative", "LMHTX-31")
    reporter = await registry.token("unit_reporter", "HTX-31-QP")
    moved = await registry.patch("/units/HTX-31-QP", {"province_code": "01"}, reporter)
    assert (moved.status_code, moved.json()["code"]) == (403, "field_not_editable")
    renamed = await registry.patch("/units/HTX-31-QP", {"name": "HTX Sản xuất kinh doanh dịch vụ nông nghiệp Quang Phục"}, reporter)
    assert renamed.status_code == 200 and renamed.json()["province_code"] == "31"


async def test_an_upload_is_refused_before_it_is_read_and_beyond_its_limits(registry: RegistryClient):
    auditor = await registry.token("auditor", None)
    big = b"code,name,kind\n" + b"x" * (5 * 2**20)
    refused = await registry.http.post("/imports/units", files={"file": ("don-vi.csv", big)}, headers=registry.as_(auditor))
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden_role")  # the role, not the file, answered
    too_big = b"code,name,kind\n" + b"x" * (21 * 2**20)
    over = await registry.http.post("/imports/units", files={"file": ("don-vi.csv", too_big)}, headers=registry.as_(registry.admin_token))
    assert (over.status_code, over.json()["code"]) == (413, "payload_too_large")
    assert "20 MB" in over.json()["message_vi"]


async def test_an_xlsx_that_unpacks_to_a_huge_sheet_is_refused_without_freezing_the_service(registry: RegistryClient):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:  # 120 MB of XML in a file of a few hundred KB
            chunk = b"<row><c><v>1</v></c></row>" * 40_000
            for _ in range(120 * 2**20 // len(chunk)):
                sheet.write(chunk)
    assert len(bomb.getvalue()) < 2**20
    started = time.monotonic()
    response = await registry.http.post("/imports/units", params={"wait": 20}, files={"file": ("bom.xlsx", bomb.getvalue())},
                                        headers=registry.as_(registry.admin_token))
    assert (response.status_code, response.json()["code"]) == (422, "upload_unpacks_too_large")
    assert time.monotonic() - started < 10
    assert (await registry.http.get("/health")).status_code == 200


async def test_campaign_numbers_are_finite_and_sane(system: System):
    await tree(system)
    for scale in (-1, 0, 1e308, "NaN", "Infinity"):
        response = await system.campaigns.post("/campaigns", json=campaign_body("VCA", scale=scale), headers=system.auth())
        assert response.status_code == 422, (scale, response.text)
    bad_points = campaign_body("VCA")
    bad_points["indicators"][0]["max_points"] = 1e308
    assert (await system.campaigns.post("/campaigns", json=bad_points, headers=system.auth())).status_code == 422
    campaign = await launched(system, campaign_body("VCA"))
    for target in (-1e308, 1e308, "NaN"):
        registered = await system.campaigns.post(f"/campaigns/{campaign['id']}/registrations", headers=system.auth(),
                                                 json={"unit": "HTX-31-QP", "targets": [{"indicator_code": "1.1", "target": target}]})
        assert registered.status_code == 422, (target, registered.text)
    assert (await system.campaigns.get("/campaigns", params={"year": HUGE}, headers=system.auth())).status_code == 422


async def test_pledges_registrations_and_drafts_are_read_only_within_scope(system: System):
    await tree(system)
    r = system.registry
    await r.post("/clusters", {"code": "CUM-TP", "name": "Cụm thi đua các thành phố", "owner": "VCA"})
    await r.put("/clusters/CUM-TP/members/2026", {"units": ["LMHTX-31"]})
    await r.unit("HTX-31-Y", "HTX Y", "cooperative", "LMHTX-31")
    await system.replicated("HTX-31-Y")
    pledge = (await system.campaigns.post("/pledges", headers=system.auth(), json={
        "cluster": "CUM-TP", "year": 2026, "title": "Giao ước 2026", "text": "Cam kết"})).json()
    outsider = await system.token("unit_reporter", "HTX-37-KT")
    member = await system.token("provincial_officer", "LMHTX-31")
    assert (await system.campaigns.get(f"/pledges/{pledge['id']}", headers=system.auth(outsider))).status_code == 403
    assert (await system.campaigns.get(f"/pledges/{pledge['id']}", headers=system.auth(member))).status_code == 200

    campaign = await launched(system, campaign_body("VCA"))
    registration = (await system.campaigns.post(f"/campaigns/{campaign['id']}/registrations", headers=system.auth(),
                                                json={"unit": "HTX-31-QP"})).json()
    assert (await system.campaigns.get(f"/registrations/{registration['id']}", headers=system.auth(outsider))).status_code == 403
    assert (await system.campaigns.get(f"/registrations/{registration['id']}", headers=system.auth(member))).status_code == 200
    listed = (await system.campaigns.get(f"/campaigns/{campaign['id']}/registrations", headers=system.auth(outsider))).json()
    assert listed == []  # a unit sees its own subtree's registrations only

    draft = (await system.campaigns.post("/campaigns", json=campaign_body("LMHTX-31"), headers=system.auth(member))).json()
    assert (await system.campaigns.get(f"/campaigns/{draft['id']}", headers=system.auth(outsider))).status_code == 403
    assert draft["id"] not in [c["id"] for c in (await system.campaigns.get("/campaigns", headers=system.auth(outsider))).json()]


async def test_the_frameworks_own_refusals_come_in_the_bilingual_body(registry: RegistryClient):
    """Found: `{"detail": "Not Found"}`, `{"detail": "There was an error parsing the body"}`, `{"detail": "Invalid multipart data."}`."""
    deep = "[" * 400_000 + "]" * 400_000
    answers = {
        "unknown route": await registry.get("/khong-co"),
        "method": await registry.http.delete("/units", headers=registry.as_(registry.admin_token)),
        "deep JSON": await registry.http.post("/units", content=deep, headers=registry.as_(registry.admin_token) | {"content-type": "application/json"}),
        "huge integer": await registry.http.post("/units", content='{"code": ' + "9" * 5000 + "}",
                                                 headers=registry.as_(registry.admin_token) | {"content-type": "application/json"}),
        "invalid UTF-8": await registry.http.post("/units", content=b'{"code": "\xde\xad"}',
                                                  headers=registry.as_(registry.admin_token) | {"content-type": "application/json"}),
        "long multipart filename": await registry.http.post("/imports/units", files={"file": ("x" * 100_000 + ".csv", b"code\n")},
                                                            headers=registry.as_(registry.admin_token)),
    }
    for what, answer in answers.items():
        assert 400 <= answer.status_code < 500, (what, answer.status_code, answer.text)
        body = answer.json()
        assert set(body) >= {"code", "message", "message_vi", "message_en"}, (what, body)
        assert body["message_vi"] != body["message_en"] and "detail" not in body, (what, body)
    assert answers["unknown route"].json()["code"] == "route_not_found"
    assert answers["method"].json()["code"] == "method_not_allowed" and "DELETE" in answers["method"].json()["message_vi"]


async def test_a_document_is_what_its_name_says_or_it_is_refused(awards_system):  # type: ignore[no-untyped-def]
    s = awards_system
    await s.caught_up()
    fakes = {"elf.pdf": b"\x7fELF\x02\x01\x01" + bytes(120), "trang.pdf": b"<!DOCTYPE html><html><body>x</body></html>",
             "setup.pdf": b"MZ\x90\x00" + bytes(200), "anh.png": b"%PDF-1.4 not an image"}
    for name, content in fakes.items():
        for service, path in ((s.awards, "/documents"), (s.scoring, "/evidence")):
            refused = await service.post(path, headers=s.auth(), files={"file": (name, content, "application/pdf")})
            assert (refused.status_code, refused.json()["code"]) == (422, "document_content_mismatch"), (name, path, refused.text)
    accepted = await s.awards.post("/documents", headers=s.auth(), files={"file": ("to-trinh.pdf", b"%PDF-1.4 to trinh")})
    assert accepted.status_code == 201 and accepted.json()["media_type"] == "application/pdf"


async def test_references_exist_dates_are_sane_and_a_report_is_never_empty(awards_system):  # type: ignore[no-untyped-def]
    from tests.integration.test_awards_api import tree

    s = awards_system
    people = await tree(s)
    await s.caught_up()
    person = people["Nguyễn Văn Nam"]
    unknown_campaign = await s.awards.post("/nominations", headers=s.auth(), json={
        "award": "giay_khen", "year": 2026, "subject": {"kind": "person", "ref": person}, "proposer": "HTX-31-QP", "to_unit": "LMHTX-31",
        "campaign": "0190a3c2-0000-7000-8000-000000000000"})
    assert (unknown_campaign.status_code, unknown_campaign.json()["code"]) == (404, "campaign_not_found"), unknown_campaign.text
    for starts, ends in (("0001-01-01", None), ("9999-12-31", None), ("2026-05-01", "2026-01-01")):
        discipline = await s.awards.post("/disciplines", headers=s.auth(), json={
            "subject": {"kind": "person", "ref": person}, "level": "reprimand", "starts_on": starts, "ends_on": ends, "reason": "x"})
        assert discipline.status_code == 422, (starts, ends, discipline.text)
    reversed_report = await s.awards.get("/reports/0601", headers=s.auth(), params={"from": "2030-01-01", "to": "2001-12-31"})
    assert (reversed_report.status_code, reversed_report.json()["code"]) == (422, "period_reversed")
    empty = await s.scoring.post("/submissions", headers=s.auth(), json={
        "campaign": "0190a3c2-0000-7000-8000-000000000000", "unit": "HTX-31-QP", "period": "final", "results": []})
    assert empty.status_code == 422, empty.text
