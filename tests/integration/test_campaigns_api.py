"""The campaigns service over HTTP, its replicas fed by the registry through the real stream."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from tests.integration.conftest import System

THIS_YEAR = date.today().year


def indicators_2013() -> list[dict]:
    """The 2013 letter continues two movements; each becomes a group of criteria on a 100-point scale."""
    return [
        {"code": "I", "title": "Đổi mới phát triển và nâng cao hiệu quả hoạt động của các HTX", "kind": "group", "max_points": 60},
        {"code": "1.1", "parent_code": "I", "title": "Thành lập mới HTX", "kind": "target", "max_points": 30,
         "unit_of_measure": "HTX", "direction": "higher", "target": 10},
        {"code": "1.2", "parent_code": "I", "title": "Tuyên truyền mô hình HTX kiểu mới", "kind": "achieved", "max_points": 30},
        {"code": "II", "title": "HTX tiên phong trong xóa đói, giảm nghèo và xây dựng nông thôn mới", "kind": "achieved", "max_points": 40},
        {"code": "III", "title": "Điểm thưởng sáng kiến", "kind": "bonus_penalty", "max_points": 5, "min_points": 0},
    ]


def campaign_body(issuer: str, **overrides) -> dict:
    body = {
        "issuer": issuer, "letter_number": "121/LMHTXVN-TĐKT", "letter_date": f"{THIS_YEAR}-02-01",
        "title": "Phát động thi đua chào mừng kỷ niệm ngày thành lập Liên minh HTX Việt Nam",
        "theme": "Trách nhiệm – sáng tạo nâng cao hiệu quả HTX", "kind": "special_campaign",
        "period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR + 1}-10-13", "registration_deadline": f"{THIS_YEAR + 1}-06-30",
        "scope": {"unit_kinds": ["provincial_alliance", "cooperative"]},
        "sections": [{"audience": "Đối với các HTX", "text": "Chủ động phát động phong trào thi đua đến từng thành viên."}],
        "milestones": [{"kind": "mid_term", "on": f"{THIS_YEAR}-07-15", "label": "Sơ kết tại kỳ họp Ban Chấp hành"},
                       {"kind": "final", "on": f"{THIS_YEAR + 1}-10-13", "label": "Tổng kết, trao thưởng"}],
        "awards": [{"category": "commendation", "name": "Bằng khen của Liên minh HTX Việt Nam"}],
        "indicators": indicators_2013(),
    }
    return body | overrides


async def tree(s: System) -> None:
    r = s.registry
    await r.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    await r.unit("LMHTX-31", "Liên minh HTX thành phố Hải Phòng", "provincial_alliance", "VCA", "31")
    await r.unit("LMHTX-37", "Liên minh HTX tỉnh Ninh Bình", "provincial_alliance", "VCA", "37")
    await r.unit("HTX-31-QP", "HTX Sản xuất kinh doanh dịch vụ nông nghiệp Quang Phục", "cooperative", "LMHTX-31")
    await r.unit("HTX-37-KT", "HTX Dịch vụ nông nghiệp Khánh Thiện", "cooperative", "LMHTX-37")
    await s.replicated("HTX-37-KT")


async def launched(s: System, body: dict) -> dict:
    drafted = await s.campaigns.post("/campaigns", json=body, headers=s.auth())
    assert drafted.status_code == 201, drafted.text
    launch = await s.campaigns.post(f"/campaigns/{drafted.json()['id']}/launch", headers=s.auth())
    assert launch.status_code == 200, launch.text
    return launch.json()


async def test_a_unit_from_the_registry_registers_for_a_launched_campaign_and_the_events_follow_in_order(system: System):
    await tree(system)
    campaign = await launched(system, campaign_body("VCA"))
    assert campaign["status"] == "launched" and campaign["indicator_tree"][0]["children"][0]["code"] == "1.1"
    assert campaign["indicators"][1]["scoring_rule"]["name"] == "proportional_with_excess_share"

    reporter = await system.token("unit_reporter", "HTX-31-QP", holder="Kế toán HTX Quang Phục")
    registered = await system.campaigns.post(
        f"/campaigns/{campaign['id']}/registrations", headers=system.auth(reporter),
        json={"unit": "HTX-31-QP", "targets": [{"indicator_code": "1.1", "target": 3}], "titles": ["Cờ thi đua của Liên minh HTX Việt Nam"]},
    )
    assert registered.status_code == 201, registered.text
    again = await system.campaigns.post(f"/campaigns/{campaign['id']}/registrations", headers=system.auth(reporter), json={"unit": "HTX-31-QP"})
    assert (again.status_code, again.json()["code"]) == (409, "registration_duplicate")
    other = await system.campaigns.post(f"/campaigns/{campaign['id']}/registrations", headers=system.auth(reporter), json={"unit": "HTX-37-KT"})
    assert (other.status_code, other.json()["code"]) == (403, "forbidden_scope")

    amended = await system.campaigns.patch(f"/registrations/{registered.json()['id']}", headers=system.auth(reporter),
                                           json={"targets": [{"indicator_code": "1.1", "target": 5}]})
    assert amended.status_code == 200 and amended.json()["targets"][0]["target"] == "5"

    withdrawn = await system.campaigns.post(f"/registrations/{registered.json()['id']}/withdraw", headers=system.auth(reporter),
                                            json={"reason": "Đơn vị xin rút"})
    assert withdrawn.json()["status"] == "withdrawn"
    assert (await system.campaigns.patch(f"/registrations/{registered.json()['id']}", headers=system.auth(reporter), json={"titles": []})).status_code == 409
    again_after_withdrawal = await system.campaigns.post(f"/campaigns/{campaign['id']}/registrations", headers=system.auth(reporter),
                                                         json={"unit": "HTX-31-QP"})
    assert again_after_withdrawal.status_code == 201

    for params, expected in (({"status": "launched"}, 1), ({"status": "draft"}, 0), ({"year": THIS_YEAR}, 1), ({"year": 2001}, 0),
                             ({"unit": "HTX-31-QP"}, 1), ({"unit": "VCA"}, 0), ({"level": "national"}, 1)):
        listed = await system.campaigns.get("/campaigns", params=params, headers=system.auth())
        assert len(listed.json()) == expected, params

    runtime = system.campaigns_app.state.runtime  # type: ignore[attr-defined]
    await runtime.relay.publish_pending()
    from thidua_cli.audit import read_stream

    events = [e for e in await read_stream(system.registry.nats_url, system.registry.nats.identity("cli")) if e.service == "campaigns"]
    assert [e.type for e in events] == [
        "campaigns.campaign_drafted", "campaigns.campaign_launched", "campaigns.registration_submitted", "campaigns.registration_amended",
        "campaigns.registration_withdrawn", "campaigns.registration_submitted",
    ]
    assert events[2].actor.name == "Kế toán HTX Quang Phục"
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5, 6]


async def test_out_of_scope_late_and_merged_registrations_are_refused_with_reasons(system: System):
    await tree(system)
    r = system.registry
    await r.unit("LMHTX-10", "Liên minh HTX tỉnh Lào Cai", "provincial_alliance", "VCA", "10")
    await r.unit("LMHTX-15", "Liên minh HTX tỉnh Yên Bái", "provincial_alliance", "VCA", "15")
    await r.unit("HTX-15-VC", "HTX Chè Văn Chấn", "cooperative", "LMHTX-15")
    yen_bai = await launched(system, campaign_body(
        "LMHTX-15", letter_number="252/LMHTX-PTĐTĐ", title="Đợt thi đua đặc biệt chào mừng Đại hội Đảng các cấp",
        scope={"unit_kinds": ["cooperative"]},
    ))
    outside = await system.campaigns.post(f"/campaigns/{yen_bai['id']}/registrations", headers=system.auth(), json={"unit": "HTX-31-QP"})
    assert (outside.status_code, outside.json()["code"]) == (422, "unit_not_in_scope")

    merged = await r.post("/units/LMHTX-15/merge", {"successor": "LMHTX-10", "effective_date": "2025-07-01"})
    assert merged.status_code == 200
    await r.post("/units", {"code": "HTX-10-BH", "name": "HTX Bắc Hà", "kind": "cooperative", "parent": "LMHTX-10"})
    await system.replicated("HTX-10-BH")  # the merger came before it in the stream
    refused = await system.campaigns.post(f"/campaigns/{yen_bai['id']}/registrations", headers=system.auth(), json={"unit": "LMHTX-15"})
    assert refused.status_code == 409
    assert refused.json()["message"] == "Đơn vị «LMHTX-15» đã hợp nhất vào «LMHTX-10» từ ngày 01/07/2025."

    old = await launched(system, campaign_body("VCA", period_start="2019-10-01", period_end="2020-12-31", registration_deadline="2019-11-30"))
    reporter = await system.token("unit_reporter", "HTX-31-QP")
    late = await system.campaigns.post(f"/campaigns/{old['id']}/registrations", headers=system.auth(reporter), json={"unit": "HTX-31-QP"})
    assert (late.status_code, late.json()["code"]) == (409, "registration_closed")
    assert "30/11/2019" in late.json()["message"]
    unexplained = await system.campaigns.post(f"/campaigns/{old['id']}/registrations", headers=system.auth(), json={"unit": "HTX-31-QP"})
    assert (unexplained.status_code, unexplained.json()["code"]) == (422, "registration_late_needs_reason")
    typed_in = await system.campaigns.post(f"/campaigns/{old['id']}/registrations", headers=system.auth(),
                                           json={"unit": "HTX-31-QP", "late_reason": "Đăng ký bằng văn bản ngày 25/11/2019"})
    assert typed_in.status_code == 201 and typed_in.json()["late_reason"] == "Đăng ký bằng văn bản ngày 25/11/2019"


async def test_a_province_adopts_a_national_movement_and_the_link_shows_both_ways(system: System):
    await tree(system)
    national = await launched(system, campaign_body("VCA", letter_number="396/LMHTXVN-TTTT",
                                                    title="Đoàn kết sáng tạo, nâng cao năng suất, chất lượng, hiệu quả, hội nhập quốc tế"))
    officer = await system.token("provincial_officer", "LMHTX-37", holder="Đinh Thái")
    adopted = await system.campaigns.post(f"/campaigns/{national['id']}/adopt", headers=system.auth(officer), json={
        "issuer": "LMHTX-37", "title": "Ninh Bình cụ thể hóa phong trào «Đoàn kết sáng tạo»",
        "period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR}-12-31", "local_targets": {"1.1": 4},
    })
    assert adopted.status_code == 201, adopted.text
    child = adopted.json()
    assert child["parent"]["id"] == national["id"] and child["status"] == "draft"
    assert next(i for i in child["indicators"] if i["code"] == "1.1")["target"] == "4"
    parent = (await system.campaigns.get(f"/campaigns/{national['id']}", headers=system.auth())).json()
    assert [c["id"] for c in parent["children"]] == [child["id"]]
    not_theirs = await system.campaigns.post(f"/campaigns/{national['id']}/adopt", headers=system.auth(officer),
                                             json={"issuer": "LMHTX-31", "title": "Hải Phòng"})
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (403, "forbidden_scope")
    listed = (await system.campaigns.get("/campaigns", params={"level": "provincial"}, headers=system.auth())).json()
    assert [c["id"] for c in listed] == [child["id"]]


async def test_a_cluster_pledge_is_complete_when_every_member_has_signed(system: System):
    await tree(system)
    r = system.registry
    await r.post("/clusters", {"code": "CUM-TP", "name": "Cụm thi đua các thành phố trực thuộc trung ương", "owner": "VCA"})
    await r.put(f"/clusters/CUM-TP/members/{THIS_YEAR}", {"units": ["LMHTX-31", "LMHTX-37"]})
    await r.unit("HTX-31-X", "HTX X", "cooperative", "LMHTX-31")
    await system.replicated("HTX-31-X")
    opened = await system.campaigns.post("/pledges", headers=system.auth(), json={
        "cluster": "CUM-TP", "year": THIS_YEAR, "title": f"Giao ước thi đua năm {THIS_YEAR}", "text": "Các thành viên cam kết ...",
    })
    assert opened.status_code == 201, opened.text
    pledge = opened.json()
    assert sorted(m["code"] for m in pledge["members"]) == ["LMHTX-31", "LMHTX-37"]
    assert not any(m["signed"] for m in pledge["members"])
    first = await system.campaigns.post(f"/pledges/{pledge['id']}/sign", headers=system.auth(), json={"unit": "LMHTX-31"})
    assert first.json()["complete"] is False
    twice = await system.campaigns.post(f"/pledges/{pledge['id']}/sign", headers=system.auth(), json={"unit": "LMHTX-31"})
    assert (twice.status_code, twice.json()["code"]) == (409, "pledge_already_signed")
    stranger = await system.campaigns.post(f"/pledges/{pledge['id']}/sign", headers=system.auth(), json={"unit": "HTX-31-QP"})
    assert (stranger.status_code, stranger.json()["code"]) == (422, "pledge_not_member")
    last = await system.campaigns.post(f"/pledges/{pledge['id']}/sign", headers=system.auth(), json={"unit": "LMHTX-37"})
    assert last.json()["complete"] is True and all(m["signed"] for m in last.json()["members"])
    duplicate = await system.campaigns.post("/pledges", headers=system.auth(), json={"cluster": "CUM-TP", "year": THIS_YEAR, "title": "x", "text": "y"})
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "pledge_exists")


async def test_bad_campaigns_get_clear_errors_and_launched_ones_change_only_by_revision(system: System):
    await tree(system)
    bad = campaign_body("VCA", indicators=[*indicators_2013()[:3], {"code": "II", "title": "x", "kind": "achieved", "max_points": 30}])
    drafted = (await system.campaigns.post("/campaigns", json=bad, headers=system.auth())).json()
    refused = await system.campaigns.post(f"/campaigns/{drafted['id']}/launch", headers=system.auth())
    assert (refused.status_code, refused.json()["code"]) == (422, "indicator_total_mismatch")
    assert refused.json()["message"] == "Tổng điểm các tiêu chí là 90, phải bằng thang điểm 100."

    campaign = await launched(system, campaign_body("VCA"))
    edit = await system.campaigns.patch(f"/campaigns/{campaign['id']}", headers=system.auth(), json={"title": "Sửa lén"})
    assert (edit.status_code, edit.json()["code"]) == (409, "campaign_not_draft")
    no_reason = await system.campaigns.post(f"/campaigns/{campaign['id']}/revise", headers=system.auth(), json={"reason": "", "changes": {"title": "x"}})
    assert no_reason.status_code == 422
    revised = await system.campaigns.post(f"/campaigns/{campaign['id']}/revise", headers=system.auth(),
                                          json={"reason": "Theo Kết luận 56-KL/TW", "changes": {"period_end": f"{THIS_YEAR + 1}-12-31"}})
    assert revised.status_code == 200 and revised.json()["revision"] == 1
    auditor = await system.token("auditor", None)
    officer = await system.token("provincial_officer", "LMHTX-31")
    assert (await system.campaigns.post("/campaigns", json=campaign_body("VCA"), headers=system.auth(auditor))).status_code == 403
    assert (await system.campaigns.post("/campaigns", json=campaign_body("VCA"), headers=system.auth(officer))).status_code == 403
    assert (await system.campaigns.post("/campaigns", json=campaign_body("LMHTX-31"), headers=system.auth(officer))).status_code == 201


async def test_a_campaigns_indicators_and_registrations_export_to_excel(system: System):
    await tree(system)
    campaign = await launched(system, campaign_body("VCA"))
    await system.campaigns.post(f"/campaigns/{campaign['id']}/registrations", headers=system.auth(),
                                json={"unit": "HTX-37-KT", "titles": ["Tập thể lao động xuất sắc"], "targets": [{"indicator_code": "1.1", "target": 2}]})
    response = await system.campaigns.get(f"/campaigns/{campaign['id']}/export.xlsx", headers=system.auth())
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    indicators = [row for row in book["Chỉ tiêu"].iter_rows(values_only=True)]
    assert indicators[3][:4] == ("Mã", "Tiêu chí", "Loại", "Điểm tối đa")
    assert [row[0] for row in indicators[4:]] == ["I", "1.1", "1.2", "II", "III"]
    kinds = {row[2] for row in indicators[4:]} | {row[7] for row in indicators[4:] if row[7]}
    assert "Nhóm tiêu chí (cộng các tiêu chí con)" in kinds and not any("_" in kind for kind in kinds)  # labels, never codes
    registered = list(book["Đăng ký"].iter_rows(values_only=True))
    assert registered[1][:4] == ("HTX-37-KT", "HTX Dịch vụ nông nghiệp Khánh Thiện", "đang đăng ký", "Tập thể lao động xuất sắc")


async def test_the_signed_letter_is_attached_by_its_hash_and_after_launch_only_with_a_reason(system: System):
    import hashlib

    await tree(system)
    drafted = (await system.campaigns.post("/campaigns", json=campaign_body("VCA"), headers=system.auth())).json()
    letter = "121/LMHTXVN-TĐKT – bản ký".encode() * 100
    attached = await system.campaigns.post(f"/campaigns/{drafted['id']}/attachments", headers=system.auth(),
                                           files={"file": ("121-LMHTXVN-TDKT.pdf", letter, "application/pdf")})
    assert attached.status_code == 200, attached.text
    [attachment] = attached.json()["attachments"]
    assert attachment["sha256"] == hashlib.sha256(letter).hexdigest() and attachment["name"] == "121-LMHTXVN-TDKT.pdf"
    downloaded = await system.campaigns.get(attachment["url"], headers=system.auth())
    assert downloaded.content == letter

    await system.campaigns.post(f"/campaigns/{drafted['id']}/launch", headers=system.auth())
    unreasoned = await system.campaigns.post(f"/campaigns/{drafted['id']}/attachments", headers=system.auth(), files={"file": ("phu-luc.pdf", b"%PDF")})
    assert (unreasoned.status_code, unreasoned.json()["code"]) == (422, "revision_needs_reason")
    revised = await system.campaigns.post(f"/campaigns/{drafted['id']}/attachments", params={"reason": "Bổ sung phụ lục"},
                                          headers=system.auth(), files={"file": ("phu-luc.pdf", b"%PDF")})
    assert revised.status_code == 200 and revised.json()["revision"] == 1 and len(revised.json()["attachments"]) == 2
    empty = await system.campaigns.post(f"/campaigns/{drafted['id']}/attachments", headers=system.auth(), files={"file": ("x.pdf", b"")})
    assert (empty.status_code, empty.json()["code"]) == (422, "upload_empty")
    missing = await system.campaigns.get("/attachments/" + "0" * 64, headers=system.auth())
    assert missing.status_code == 404
