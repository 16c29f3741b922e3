"""The registry over HTTP, with its real lifespan (migrations, NATS, relay), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from sqlalchemy import text

from thidua_shared.events.envelope import verify_chain
from thidua_shared.keys import load_public_key, public_key_path

from tests.integration.conftest import RegistryClient


async def national_tree(r: RegistryClient) -> None:
    await r.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    await r.unit("LMHTX-31", "Liên minh HTX thành phố Hải Phòng", "provincial_alliance", "VCA", "31")
    await r.unit("LMHTX-48", "Liên minh HTX thành phố Đà Nẵng", "provincial_alliance", "VCA", "48")
    await r.unit("HTX-31-QP", "HTX Sản xuất kinh doanh dịch vụ nông nghiệp Quang Phục", "cooperative", "LMHTX-31")
    await r.unit("HTX-48-HV", "HTX Nông nghiệp Hòa Vang", "cooperative", "LMHTX-48")


async def test_units_form_a_tree_searchable_with_and_without_diacritics(registry: RegistryClient):
    await national_tree(registry)
    coop = (await registry.get("/units/htx-31-qp")).json()
    assert coop["parent"]["code"] == "LMHTX-31" and coop["province_code"] == "31"  # province inherited from the parent

    for query in ("hai phong", "Hải Phòng", "HẢI PHÒNG"):
        found = (await registry.get("/units", params={"q": query})).json()
        assert [u["code"] for u in found["items"]] == ["LMHTX-31"], query
    subtree = (await registry.get("/units/LMHTX-31/subtree")).json()
    assert {u["code"] for u in subtree["items"]} == {"LMHTX-31", "HTX-31-QP"}
    openapi = (await registry.http.get("/openapi.json")).json()
    assert "/units/{unit_ref}/merge" in openapi["paths"]


async def test_every_change_is_a_signed_chained_event_with_the_actor_from_the_token(registry: RegistryClient):
    await national_tree(registry)
    officer = await registry.token("provincial_officer", "LMHTX-31", holder="Nguyễn Văn An")
    response = await registry.post("/units", {"code": "HTX-31-TL", "name": "HTX Tân Liên", "kind": "cooperative", "parent": "LMHTX-31"}, officer)
    assert response.status_code == 201, response.text

    events = await registry.events()
    types = [e.type for e in events]
    assert types.count("registry.unit_registered") == 6
    assert "registry.access_token_issued" in types
    last = events[-1]
    assert last.type == "registry.unit_registered" and last.payload["unit"]["code"] == "HTX-31-TL"
    assert (last.actor.name, last.actor.role.value) == ("Nguyễn Văn An", "provincial_officer")
    assert last.node == "vn" and last.subject == "thidua.events.vn.registry.unit_registered"
    key = load_public_key(public_key_path(registry.settings.keys_dir, "vn"))
    assert verify_chain(events, key) == []
    issued = next(e for e in events if e.type == "registry.access_token_issued" and e.payload["holder_name"] == "Nguyễn Văn An")
    assert officer not in issued.model_dump_json()  # only the token's hash travels


async def test_bad_input_gets_a_clear_4xx_and_changes_nothing(registry: RegistryClient):
    await national_tree(registry)
    before = len(await registry.events())

    duplicate = await registry.post("/units", {"code": "lmhtx-31", "name": "Trùng mã", "kind": "provincial_alliance", "parent": "VCA"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "unit_code_taken"
    assert duplicate.json()["message"] == "Mã đơn vị «LMHTX-31» đã tồn tại."
    english = await registry.post("/units", {"code": "LMHTX-31", "name": "x", "kind": "provincial_alliance", "parent": "VCA"},
                                  headers={"Accept-Language": "en"})
    assert english.json()["message"] == "Unit code 'LMHTX-31' already exists."

    unknown_parent = await registry.post("/units", {"code": "HTX-X", "name": "HTX X", "kind": "cooperative", "parent": "KHONG-CO"})
    assert (unknown_parent.status_code, unknown_parent.json()["code"]) == (404, "parent_not_found")
    cycle = await registry.patch("/units/LMHTX-31", {"parent": "HTX-31-QP"})
    assert (cycle.status_code, cycle.json()["code"]) == (422, "hierarchy_cycle")
    orphan = await registry.post("/units", {"code": "HTX-Y", "name": "HTX Y", "kind": "cooperative"})
    assert (orphan.status_code, orphan.json()["code"]) == (422, "parent_required")
    malformed = await registry.post("/units", {"code": "HTX-Z", "kind": "khong-ro"})
    assert malformed.status_code == 422 and malformed.json()["code"] == "validation_failed"
    assert malformed.json()["message_en"] == "The submitted data is not valid. Name: missing (required)"
    assert [d["message_vi"] for d in malformed.json()["details"]] == [
        "Tên: chưa nhập (bắt buộc)", "Loại: phải là một trong: national_alliance, provincial_alliance, cooperative, cooperative_union, "
        "cooperative_group, credit_fund, department, public_service_unit, member_enterprise"]
    dissolve_parent = await registry.post("/units/LMHTX-31/dissolve", {"effective_date": "2026-01-01"})
    assert (dissolve_parent.status_code, dissolve_parent.json()["code"]) == (409, "unit_has_active_children")

    assert len(await registry.events()) == before
    assert (await registry.get("/units/HTX-X")).status_code == 404


async def test_a_merged_province_keeps_its_history_and_leads_to_its_successor(registry: RegistryClient):
    await registry.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    await registry.unit("LMHTX-10", "Liên minh HTX tỉnh Lào Cai", "provincial_alliance", "VCA", "10")
    await registry.unit("LMHTX-15", "Liên minh HTX tỉnh Yên Bái", "provincial_alliance", "VCA", "15")
    await registry.unit("HTX-15-VC", "HTX Chè Văn Chấn", "cooperative", "LMHTX-15")

    merged = await registry.post("/units/LMHTX-15/merge", {"successor": "LMHTX-10", "effective_date": "2025-07-01", "reason": "Nghị quyết 202/2025/QH15"})
    assert merged.status_code == 200, merged.text

    old = (await registry.get("/units/LMHTX-15")).json()
    assert old["status"] == "merged" and old["status_date"] == "2025-07-01"
    assert old["successor"]["code"] == "LMHTX-10" and old["current"]["code"] == "LMHTX-10"
    assert (await registry.get("/units/HTX-15-VC")).json()["parent"]["code"] == "LMHTX-10"  # the members follow

    refused = await registry.post("/units", {"code": "HTX-15-NEW", "name": "HTX mới", "kind": "cooperative", "parent": "LMHTX-15"})
    assert refused.status_code == 409
    assert refused.json()["message"] == "Đơn vị «LMHTX-15» đã hợp nhất vào «LMHTX-10» từ ngày 01/07/2025."
    again = await registry.post("/units/LMHTX-15/merge", {"successor": "LMHTX-10", "effective_date": "2025-07-01"})
    assert again.status_code == 409
    types = [e.type for e in await registry.events()]
    assert types[-2:] == ["registry.unit_updated", "registry.unit_merged"]


async def test_clusters_have_members_and_one_leader_per_year(registry: RegistryClient):
    await registry.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    cities = {"01": "Hà Nội", "31": "Hải Phòng", "48": "Đà Nẵng", "92": "Cần Thơ", "79": "Hồ Chí Minh"}
    for code, name in cities.items():
        await registry.unit(f"LMHTX-{code}", f"Liên minh HTX thành phố {name}", "provincial_alliance", "VCA", code)
    cluster = await registry.post("/clusters", {"code": "CUM-TP", "name": "Cụm thi đua các thành phố trực thuộc trung ương", "owner": "VCA"})
    assert cluster.status_code == 201, cluster.text

    members = await registry.put("/clusters/CUM-TP/members/2017", {"units": [f"LMHTX-{c}" for c in cities]})
    assert members.status_code == 200 and len(members.json()["added"]) == 5
    elected = await registry.post("/clusters/CUM-TP/leaders/2017", {"leader": "LMHTX-79", "deputy": "LMHTX-01"})
    assert elected.status_code == 201 and elected.json()["leader"]["code"] == "LMHTX-79"

    twice = await registry.post("/clusters/CUM-TP/leaders/2017", {"leader": "LMHTX-48"})
    assert (twice.status_code, twice.json()["code"]) == (409, "leader_already_elected")
    not_member = await registry.post("/clusters/CUM-TP/leaders/2018", {"leader": "LMHTX-48"})
    assert (not_member.status_code, not_member.json()["code"]) == (422, "leader_not_member")

    await registry.put("/clusters/CUM-TP/members/2018", {"units": [f"LMHTX-{c}" for c in cities]})
    await registry.post("/clusters/CUM-TP/leaders/2018", {"leader": "LMHTX-48", "elected_on": "2017-12-07"})
    history = (await registry.get("/clusters/CUM-TP/leaders")).json()
    assert [(t["year"], t["leader"]["code"]) for t in history] == [(2017, "LMHTX-79"), (2018, "LMHTX-48")]
    year = (await registry.get("/clusters/CUM-TP/members/2017")).json()
    assert year["leader"]["code"] == "LMHTX-79" and year["deputy"]["code"] == "LMHTX-01" and len(year["members"]) == 5
    types = [e.type for e in await registry.events()]
    assert types.count("registry.cluster_leader_elected") == 2 and "registry.cluster_membership_changed" in types


async def test_people_are_registered_without_their_national_id_in_clear(registry: RegistryClient):
    await national_tree(registry)
    person = await registry.post("/people", {"unit": "HTX-31-QP", "full_name": "Phạm Thị Lan", "position": "Giám đốc", "national_id": "031185001234"})
    assert person.status_code == 201, person.text
    assert person.json()["has_national_id"] is True
    again = await registry.post("/people", {"unit": "HTX-48-HV", "full_name": "Người khác", "national_id": "031 185 001 234"})
    assert (again.status_code, again.json()["code"]) == (409, "person_already_registered")
    found = (await registry.get("/people", params={"q": "pham thi lan"})).json()
    assert [p["full_name"] for p in found] == ["Phạm Thị Lan"]

    runtime = registry.http._transport.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.db.sessions() as session:
        stored = (await session.execute(text("SELECT * FROM people"))).mappings().one()
    assert "031185001234" not in str(dict(stored))
    assert all("031185001234" not in e.model_dump_json() for e in await registry.events())


async def test_a_reporter_of_one_cooperative_reaches_nothing_of_another(registry: RegistryClient):
    await national_tree(registry)
    reporter = await registry.token("unit_reporter", "HTX-31-QP", holder="Kế toán HTX Quang Phục")
    auditor = await registry.token("auditor", None, holder="Thanh tra")
    officer_31 = await registry.token("provincial_officer", "LMHTX-31")

    assert (await registry.get("/units/HTX-31-QP", reporter)).status_code == 200
    other = await registry.get("/units/HTX-48-HV", reporter)
    assert (other.status_code, other.json()["code"]) == (403, "forbidden_scope")
    listed = (await registry.get("/units", reporter)).json()
    assert [u["code"] for u in listed["items"]] == ["HTX-31-QP"]
    assert (await registry.patch("/units/HTX-48-HV", {"name": "Đổi tên trái phép"}, reporter)).status_code == 403
    assert (await registry.post("/people", {"unit": "HTX-48-HV", "full_name": "X"}, reporter)).status_code == 403
    assert (await registry.post("/units", {"code": "HTX-31-N", "name": "N", "kind": "cooperative", "parent": "HTX-31-QP"}, reporter)).status_code == 403
    renamed = await registry.patch("/units/HTX-31-QP", {"name": "HTX Quang Phục"}, reporter)
    assert renamed.status_code == 200

    assert (await registry.get("/units/HTX-48-HV", auditor)).status_code == 200
    assert (await registry.patch("/units/HTX-48-HV", {"name": "x"}, auditor)).status_code == 403
    assert (await registry.post("/units", {"code": "HTX-48-N", "name": "N", "kind": "cooperative", "parent": "LMHTX-48"}, officer_31)).status_code == 403
    assert (await registry.post("/tokens", {"holder_name": "x", "role": "national_admin"}, officer_31)).status_code == 403
    # Who holds which token: the national board sees it (never a token or its hash); nobody else does.
    assert (await registry.get("/tokens", officer_31)).status_code == 403
    held = (await registry.get("/tokens", registry.admin_token)).json()
    assert {"provincial_officer", "unit_reporter", "auditor"} <= {t["role"] for t in held}
    assert all(set(t) == {"id", "holder_name", "role", "scope", "person_id", "issued_at", "revoked_at"} for t in held)
    assert "LMHTX-31" in {t["scope"] for t in held}
    assert (await registry.http.get("/units")).status_code == 401
    bad = await registry.http.get("/units", headers={"Authorization": "Bearer tdt_sai"})
    assert (bad.status_code, bad.json()["code"]) == (401, "token_invalid")


async def test_import_is_all_or_nothing_with_a_report_per_row(registry: RegistryClient):
    await national_tree(registry)
    rows = [
        ["Mã đơn vị", "Tên đơn vị", "Loại hình", "Mã cấp trên"],
        ["LHHTX-31", "Liên hiệp HTX Thủy sản Hải Phòng", "Liên hiệp HTX", "LMHTX-31"],
        ["HTX-31-B", "HTX Dịch vụ Bàng La", "HTX", "LHHTX-31"],  # its parent is defined one row above
        ["HTX-31-C", "", "HTX", "LMHTX-31"],
        ["HTX-31-D", "HTX D", "không rõ", "LMHTX-31"],
        ["HTX-31-QP", "Trùng mã", "HTX", "LMHTX-31"],
    ]
    bad_csv = "\n".join(",".join(r) for r in rows).encode()
    rejected = await registry.http.post("/imports/units", params={"wait": 20}, files={"file": ("don-vi.csv", bad_csv)}, headers=registry.as_(registry.admin_token))
    assert rejected.status_code == 422
    errors = rejected.json()["details"]["errors"]
    assert [(e["row"], e["code"]) for e in errors] == [(4, "import_required_value"), (5, "import_value_not_allowed"), (6, "unit_code_taken")]
    # Each column named as the file names it, the values a column accepts listed (before: "(name) … cột «name»").
    assert errors[0]["header"] == "Tên đơn vị" and errors[0]["message_vi"] == "Thiếu giá trị ở cột «Tên đơn vị»."
    assert errors[1]["header"] == "Loại hình" and "dùng một trong: " in errors[1]["message_vi"] and "hop tac xa" in errors[1]["message_vi"]
    assert all(e["message_vi"] and e["message_en"] for e in errors)
    assert (await registry.get("/units/LHHTX-31")).status_code == 404  # nothing was imported

    # The template, as downloaded, imports (its example row under its parent LMHTX-31).
    template = await registry.http.get("/imports/units/template.xlsx", headers=registry.as_(registry.admin_token))
    assert template.status_code == 200 and template.headers["content-type"].startswith("application/vnd.openxmlformats")
    tried = await registry.http.post("/imports/units", params={"wait": 20, "dry_run": True}, headers=registry.as_(registry.admin_token),
                                     files={"file": ("mau-nhap-don-vi.xlsx", template.content)})
    assert tried.status_code == 200 and tried.json()["result"]["created"] == 1, tried.text

    workbook = Workbook()
    for row in rows[:3]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    accepted = await registry.http.post("/imports/units", params={"wait": 20}, files={"file": ("don-vi.xlsx", buffer.getvalue())}, headers=registry.as_(registry.admin_token))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "succeeded" and accepted.json()["result"]["created"] == 2
    assert (await registry.get("/units/HTX-31-B")).json()["parent"]["code"] == "LHHTX-31"

    garbage = await registry.http.post("/imports/units", params={"wait": 20}, files={"file": ("x.xlsx", b"not a workbook")}, headers=registry.as_(registry.admin_token))
    assert (garbage.status_code, garbage.json()["code"]) == (422, "upload_not_xlsx")
    wrong_type = await registry.http.post("/imports/units", params={"wait": 20}, files={"file": ("x.pdf", b"%PDF")}, headers=registry.as_(registry.admin_token))
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (422, "upload_unsupported_file")
    header_only = io.StringIO()
    csv.writer(header_only).writerow(["ten", "loai"])
    missing = await registry.http.post("/imports/units", params={"wait": 20}, files={"file": ("x.csv", header_only.getvalue().encode())}, headers=registry.as_(registry.admin_token))
    assert (missing.status_code, missing.json()["code"]) == (422, "import_missing_columns")


async def test_people_are_imported_from_a_spreadsheet_all_or_none(registry: RegistryClient):
    await registry.unit("VCA", "Liên minh Hợp tác xã Việt Nam", "national_alliance")
    await registry.unit("LMHTX-31", "Liên minh HTX thành phố Hải Phòng", "provincial_alliance", "VCA", "31")
    await registry.unit("HTX-31-QP", "HTX Quang Phục", "cooperative", "LMHTX-31")
    header = ["Mã đơn vị", "Họ và tên", "Chức vụ", "Số CCCD"]
    rows = [
        ["HTX-31-QP", "Nguyễn Văn Nam", "Chủ nhiệm HTX", "031080001234"],
        ["HTX-31-QP", "Trần Thị Hoa", "Kế toán", ""],
        ["HTX-31-XX", "Lê Văn Ba", "", ""],
        ["HTX-31-QP", "Nguyễn Văn Nam (trùng)", "", "031 080 001 234"],
    ]

    def csv_of(lines: list[list[str]]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, *lines])
        return buffer.getvalue().encode()

    headers = registry.as_(registry.admin_token)
    rejected = await registry.http.post("/imports/people", params={"wait": 20}, files={"file": ("nguoi.csv", csv_of(rows))}, headers=headers)
    assert rejected.status_code == 422, rejected.text
    assert [(e["row"], e["code"]) for e in rejected.json()["details"]["errors"]] == [(4, "unit_not_found"), (5, "import_person_twice")]
    assert (await registry.get("/people", params={"unit": "HTX-31-QP"})).json() == []  # nothing was written
    accepted = await registry.http.post("/imports/people", params={"wait": 20}, files={"file": ("nguoi.csv", csv_of(rows[:2]))}, headers=headers)
    assert accepted.status_code == 200 and accepted.json()["result"]["created"] == 2, accepted.text
    names = sorted(p["full_name"] for p in (await registry.get("/people", params={"unit": "HTX-31-QP"})).json())
    assert names == ["Nguyễn Văn Nam", "Trần Thị Hoa"]
    again = await registry.http.post("/imports/people", params={"wait": 20}, files={"file": ("nguoi.csv", csv_of(rows[:1]))}, headers=headers)
    assert [e["code"] for e in again.json()["details"]["errors"]] == ["person_already_registered"]
    assert sum(e.type == "registry.person_registered" for e in await registry.events()) == 2


async def test_a_request_correlation_id_reaches_its_events(registry: RegistryClient):
    correlation = "01a207c2-da31-74e0-a7f8-31fa7aef462b"
    response = await registry.post("/units", {"code": "VCA", "name": "Liên minh Hợp tác xã Việt Nam", "kind": "national_alliance"},
                                   headers={"X-Correlation-Id": correlation})
    assert response.headers["X-Correlation-Id"] == correlation
    event = (await registry.events())[-1]
    assert str(event.correlation_id) == correlation
