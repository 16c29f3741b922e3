"""CLI commands that talk to the registry service: units, clusters, people, import, tokens."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from thidua_cli.client import Context, console, list_table, write_token_file
from thidua_shared.i18n import format_date, format_number, role_name, translate

units_app = typer.Typer(help="Đơn vị / units", no_args_is_help=True)
clusters_app = typer.Typer(help="Cụm, khối thi đua / clusters and blocks", no_args_is_help=True)
people_app = typer.Typer(help="Cá nhân / people", no_args_is_help=True)
import_app = typer.Typer(help="Nhập dữ liệu từ Excel/CSV / import from Excel or CSV", no_args_is_help=True)
tokens_app = typer.Typer(help="Mã truy cập / access tokens", no_args_is_help=True)

def _t(c: Context, message_code: str, /, **params: object) -> str:
    return translate(message_code, c.language, **params)


def _parse_date(value: str) -> date:
    """Dates as people type them: 01/07/2025 or 2025-07-01."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise typer.BadParameter(f"{value}: dd/mm/yyyy")


def _units_table(c: Context, items: list[dict[str, Any]]) -> Table:
    table = Table()
    for code in ("column_code", "column_name", "column_kind", "column_province", "column_parent", "column_status"):
        table.add_column(_t(c, code))
    for u in items:
        table.add_row(
            u["code"], u["name"], _t(c, f"kind_{u['kind']}"), u.get("province_code") or "",
            (u.get("parent") or {}).get("code", ""), _t(c, f"status_{u['status']}"),
        )
    return table


# --- units -------------------------------------------------------------------------
@units_app.command("list")
def units_list(
    ctx: typer.Context,
    q: Annotated[str | None, typer.Option("--q", "-q", help="Tìm theo tên/mã, có hoặc không dấu")] = None,
    kind: str | None = None,
    province: str | None = None,
    status: str | None = None,
    parent: str | None = None,
    limit: int = 100,
) -> None:
    """Liệt kê, tìm kiếm đơn vị / list and search units."""
    c: Context = ctx.obj
    params = {k: v for k, v in {"q": q, "kind": kind, "province": province, "status": status, "parent": parent, "limit": limit}.items() if v is not None}
    page = c.client("registry").call("GET", "/units", params=params)
    console.print(_units_table(c, page["items"]))
    _say_total(c, page)


def _named(unit: dict[str, Any]) -> str:
    """A unit as a person finds it: its name, its code beside it ("Liên minh HTX tỉnh Lào Cai (LMHTX-10)")."""
    return f"{unit['name']} ({unit['code']})"


@units_app.command("show")
def units_show(ctx: typer.Context, unit: str) -> None:
    """Xem một đơn vị (mã cũ dẫn tới đơn vị kế thừa) / show a unit."""
    c: Context = ctx.obj
    u = c.client("registry").call("GET", f"/units/{unit}")
    console.print(_units_table(c, [u]))
    if u.get("successor"):
        c.say("merged_into_line", successor=_named(u["successor"]), date=format_date(date.fromisoformat(u["status_date"]), c.language),
              current=_named(u.get("current") or u["successor"]))


@units_app.command("subtree")
def units_subtree(ctx: typer.Context, unit: str) -> None:
    """Đơn vị và các đơn vị cấp dưới / a unit and its descendants."""
    c: Context = ctx.obj
    page = c.client("registry").call("GET", f"/units/{unit}/subtree")
    console.print(_units_table(c, page["items"]))
    _say_total(c, page)


@units_app.command("add")
def units_add(
    ctx: typer.Context,
    code: str,
    name: str,
    kind: Annotated[str, typer.Option(help="cooperative, cooperative_union, provincial_alliance, ...")],
    parent: Annotated[str | None, typer.Option(help="Mã đơn vị cấp trên / parent code")] = None,
    province: Annotated[str | None, typer.Option(help="Mã tỉnh / province code")] = None,
) -> None:
    """Đăng ký đơn vị / register a unit."""
    c: Context = ctx.obj
    body = {"code": code, "name": name, "kind": kind, "parent": parent, "province_code": province}
    u = c.client("registry").call("POST", "/units", json=body)
    c.say("unit_saved", code=u["code"], name=u["name"])


@units_app.command("merge")
def units_merge(
    ctx: typer.Context, unit: str, successor: str,
    effective: Annotated[str, typer.Option("--from", help="Ngày hiệu lực dd/mm/yyyy")],
    reason: str | None = None,
) -> None:
    """Hợp nhất đơn vị vào đơn vị kế thừa / merge a unit into its successor."""
    c: Context = ctx.obj
    when = _parse_date(effective)
    body = {"successor": successor, "effective_date": when.isoformat(), "reason": reason}
    u = c.client("registry").call("POST", f"/units/{unit}/merge", json=body)
    c.say("unit_merged", code=u["code"], successor=u["successor"]["code"], date=format_date(when, c.language))


@units_app.command("dissolve")
def units_dissolve(ctx: typer.Context, unit: str, effective: Annotated[str, typer.Option("--from")], reason: str | None = None) -> None:
    """Giải thể đơn vị / dissolve a unit."""
    c: Context = ctx.obj
    body = {"effective_date": _parse_date(effective).isoformat(), "reason": reason}
    u = c.client("registry").call("POST", f"/units/{unit}/dissolve", json=body)
    c.say("unit_saved", code=u["code"], name=u["name"])


# --- clusters ------------------------------------------------------------------------
@clusters_app.command("list")
def clusters_list(ctx: typer.Context, kind: str | None = None) -> None:
    """Danh sách cụm/khối / list clusters and blocks."""
    c: Context = ctx.obj
    items = c.client("registry").call("GET", "/clusters", params={"kind": kind} if kind else {})
    table = Table()
    for code in ("column_code", "column_name", "column_kind", "column_owner"):
        table.add_column(_t(c, code))
    for cl in items:
        table.add_row(cl["code"], cl["name"], _t(c, f"kind_{cl['kind']}"), cl["owner"]["code"])
    console.print(table)


@clusters_app.command("add")
def clusters_add(ctx: typer.Context, code: str, name: str, owner: str, kind: str = "cluster") -> None:
    """Thành lập cụm/khối / form a cluster or block."""
    c: Context = ctx.obj
    cl = c.client("registry").call("POST", "/clusters", json={"code": code, "name": name, "owner": owner, "kind": kind})
    c.say("cluster_saved", code=cl["code"], name=cl["name"])


@clusters_app.command("members")
def clusters_members(
    ctx: typer.Context, cluster: str, year: int,
    set_units: Annotated[list[str] | None, typer.Option("--set", help="Đặt danh sách thành viên (lặp lại) / set members")] = None,
) -> None:
    """Xem hoặc đặt thành viên năm / show or set the members of a year."""
    c: Context = ctx.obj
    client = c.client("registry")
    if set_units:
        change = client.call("PUT", f"/clusters/{cluster}/members/{year}", json={"units": set_units})
        c.say("members_saved", year=year, count=len(change["members"]), added=len(change["added"]), removed=len(change["removed"]))
        return
    data = client.call("GET", f"/clusters/{cluster}/members/{year}")
    table = Table(title=f"{data['cluster']['name']} – {year}")
    table.add_column(_t(c, "column_code"))
    table.add_column(_t(c, "column_name"))
    table.add_column("")
    leader, deputy = (data.get("leader") or {}).get("id"), (data.get("deputy") or {}).get("id")
    for m in data["members"]:
        role = _t(c, "column_leader") if m["id"] == leader else _t(c, "column_deputy") if m["id"] == deputy else ""
        table.add_row(m["code"], m["name"], role)
    console.print(table)


@clusters_app.command("elect")
def clusters_elect(
    ctx: typer.Context, cluster: str, year: int, leader: str,
    deputy: str | None = None,
    on: Annotated[str | None, typer.Option(help="Ngày bầu dd/mm/yyyy")] = None,
) -> None:
    """Ghi nhận cụm trưởng (và cụm phó) của năm / record the leader (and deputy) of a year."""
    c: Context = ctx.obj
    body = {"leader": leader, "deputy": deputy, "elected_on": _parse_date(on).isoformat() if on else None}
    term = c.client("registry").call("POST", f"/clusters/{cluster}/leaders/{year}", json=body)
    deputy_text = f", {_t(c, 'column_deputy').lower()} {term['deputy']['code']}" if term.get("deputy") else ""
    c.say("leader_saved", year=year, leader=term["leader"]["code"], deputy=deputy_text)


@clusters_app.command("leaders")
def clusters_leaders(ctx: typer.Context, cluster: str) -> None:
    """Lịch sử cụm trưởng theo năm / leader rotation history."""
    c: Context = ctx.obj
    terms = c.client("registry").call("GET", f"/clusters/{cluster}/leaders")
    table = Table()
    for code in ("column_year", "column_leader", "column_deputy"):
        table.add_column(_t(c, code))
    for t in terms:
        table.add_row(str(t["year"]), f"{t['leader']['code']} – {t['leader']['name']}", (t.get("deputy") or {}).get("code", ""))
    console.print(table)


# --- people ----------------------------------------------------------------------------
@people_app.command("list")
def people_list(ctx: typer.Context, unit: str | None = None, q: str | None = None) -> None:
    """Danh sách cá nhân / list people."""
    c: Context = ctx.obj
    params = {k: v for k, v in {"unit": unit, "q": q}.items() if v}
    items = c.client("registry").call("GET", "/people", params=params)
    table = Table()
    for code in ("column_name", "column_position", "column_unit"):
        table.add_column(_t(c, code))
    for p in items:
        table.add_row(p["full_name"], p.get("position") or "", p["unit"]["code"])
    console.print(table)


@people_app.command("add")
def people_add(ctx: typer.Context, unit: str, full_name: str, position: str | None = None,
               national_id: Annotated[str | None, typer.Option(help="CMND/CCCD (chỉ lưu dạng băm)")] = None) -> None:
    """Đăng ký cá nhân / register a person."""
    c: Context = ctx.obj
    body = {"unit": unit, "full_name": full_name, "position": position, "national_id": national_id}
    p = c.client("registry").call("POST", "/people", json=body)
    c.say("person_saved", name=p["full_name"], unit=p["unit"]["code"])


# --- import ------------------------------------------------------------------------------
@import_app.command("units")
def import_units(ctx: typer.Context, file: Path, dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra")] = False) -> None:
    """Nhập đơn vị từ .xlsx hoặc .csv: tất cả hoặc không / import units, all or nothing."""
    c: Context = ctx.obj
    result = c.client("registry").import_file("/imports/units", file, dry_run)
    c.say("import_checked" if dry_run else "import_done", count=result["created"])


@import_app.command("people")
def import_people(ctx: typer.Context, file: Path, dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra")] = False) -> None:
    """Nhập cá nhân (mã đơn vị, họ tên, chức vụ, số CMND/CCCD) từ .xlsx hoặc .csv: tất cả hoặc không / import people."""
    c: Context = ctx.obj
    result = c.client("registry").import_file("/imports/people", file, dry_run)
    c.say("import_people_checked" if dry_run else "import_people_done", count=result["created"])


TEMPLATES = {"units": "registry", "people": "registry", "history": "awards", "ratings": "awards", "initiatives": "awards",
             "disciplines": "awards", "nominations": "awards"}


@import_app.command("template")
def import_template(ctx: typer.Context, kind: Annotated[str, typer.Argument(help=", ".join(TEMPLATES))],
                    out: Annotated[Path | None, typer.Option("--out", help="Tệp ghi ra (mặc định: mau-nhap-<loại>.xlsx)")] = None) -> None:
    """Tải mẫu tệp nhập: tiêu đề tiếng Việt, ghi chú từng cột, một dòng ví dụ / download an import's template."""
    c: Context = ctx.obj
    if kind not in TEMPLATES:
        raise c.fail("import_kind_unknown", kind=kind, allowed=", ".join(TEMPLATES))
    target = out or Path(f"mau-nhap-{kind}.xlsx")
    target.write_bytes(c.client(TEMPLATES[kind]).download(f"/imports/{kind}/template.xlsx"))
    c.say("exported", path=target)


# --- tokens ----------------------------------------------------------------------------------
@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    holder: Annotated[str, typer.Option(help="Tên người giữ mã / holder's name")],
    role: Annotated[str, typer.Option(help="national_admin, provincial_officer, cluster_leader, unit_reporter, reviewer, council_member, auditor")],
    scope: Annotated[str | None, typer.Option(help="Mã đơn vị phạm vi / scope unit code")] = None,
    person: Annotated[str | None, typer.Option(help="Id cá nhân / person id")] = None,
    out: Annotated[Path | None, typer.Option(help="Ghi mã vào tệp (chỉ chủ tệp đọc được) thay vì in ra / write the token to an owner-only file")] = None,
) -> None:
    """Cấp mã truy cập (lưu dạng băm) / issue an access token (stored hashed)."""
    c: Context = ctx.obj
    body = {"holder_name": holder, "role": role, "scope_unit": scope, "person": person}
    issued = c.client("registry").call("POST", "/tokens", json=body)
    role_shown, scope_shown = role_name(issued["role"], c.language), scope or _t(c, "whole_federation")
    if out is None:
        c.say("token_created", token=issued["token"], role=role_shown, scope=scope_shown)
    else:
        write_token_file(out, issued["token"])
        c.say("token_created_in_file", path=out, role=role_shown, scope=scope_shown)
    c.say("token_id_line", id=issued["id"])  # what `tokens revoke` takes


@tokens_app.command("list")
def tokens_list(ctx: typer.Context, all_: Annotated[bool, typer.Option("--all", help="Cả mã đã thu hồi / revoked ones too")] = False) -> None:
    """Mã truy cập đã cấp: người giữ, vai trò, phạm vi, ngày cấp, mã (không bao giờ in lại mã) / tokens issued."""
    c: Context = ctx.obj
    table = list_table(c, "column_holder", "column_role", "column_scope", "column_when", "column_status", "column_id")
    for t in c.client("registry").call("GET", "/tokens", params={"active": not all_}):
        issued = format_date(datetime.fromisoformat(t["issued_at"]).date(), c.language)
        table.add_row(t["holder_name"], role_name(t["role"], c.language), t["scope"] or _t(c, "whole_federation"), issued,
                      _t(c, "token_revoked_state" if t["revoked_at"] else "token_active_state"), t["id"])
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(ctx: typer.Context, token_id: str) -> None:
    """Thu hồi mã truy cập / revoke an access token."""
    c: Context = ctx.obj
    c.client("registry").call("DELETE", f"/tokens/{token_id}")
    c.say("token_revoked", id=token_id)


def _say_total(c: Context, page: dict) -> None:  # type: ignore[type-arg]
    """How many there are; a page whose total was not counted says how many it shows (never "Tổng: None")."""
    if page.get("total") is None:
        c.say("shown_count", count=format_number(len(page["items"]), c.language))
    else:
        c.say("total", total=format_number(page["total"], c.language))
