"""CLI commands that talk to the campaigns service."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.tree import Tree

from thidua_cli.refs import CampaignArg, PledgeArg, campaign_ref, pledge_ref
from thidua_cli.client import Context, console, list_table
from thidua_shared.i18n import format_date, format_number, translate

campaigns_app = typer.Typer(help="Phong trào, đợt thi đua / campaigns", no_args_is_help=True)
pledges_app = typer.Typer(help="Giao ước thi đua của cụm / cluster pledges", no_args_is_help=True)


def _t(c: Context, message_code: str, /, **params: object) -> str:
    return translate(message_code, c.language, **params)


def _d(c: Context, iso: str | None) -> str:
    return format_date(date.fromisoformat(iso), c.language) if iso else ""


@campaigns_app.command("list")
def campaigns_list(
    ctx: typer.Context,
    level: Annotated[str | None, typer.Option(help="national | provincial")] = None,
    status: str | None = None,
    year: int | None = None,
    unit: Annotated[str | None, typer.Option(help="Phong trào có đơn vị này trong đối tượng")] = None,
) -> None:
    """Danh sách phong trào / list campaigns."""
    c: Context = ctx.obj
    params = {k: v for k, v in {"level": level, "status": status, "year": year, "unit": unit}.items() if v is not None}
    items = c.client("campaigns").call("GET", "/campaigns", params=params)
    table = list_table(c, "column_letter", "column_title", "column_issuer", "column_period", "column_status", "column_id")
    for item in items:
        table.add_row(item.get("letter_number") or "", item["title"], (item.get("issuer") or {}).get("code", ""),
                      f"{_d(c, item['period_start'])} – {_d(c, item['period_end'])}", _t(c, f"campaign_{item['status']}"), item["id"])
    console.print(table)


@campaigns_app.command("show")
def campaigns_show(ctx: typer.Context, campaign_id: CampaignArg) -> None:
    """Xem phong trào và cây tiêu chí / show a campaign with its indicator tree."""
    c: Context = ctx.obj
    campaign_id = campaign_ref(c, campaign_id)  # an id, or the letter's number people know it by
    item = c.client("campaigns").call("GET", f"/campaigns/{campaign_id}")
    console.print(f"[bold]{item['title']}[/bold]", highlight=False)
    console.print(f"{item.get('letter_number') or ''}  {_d(c, item.get('letter_date'))}  ·  "
                  f"{_d(c, item['period_start'])} – {_d(c, item['period_end'])}  ·  {_t(c, 'campaign_' + item['status'])}", highlight=False)
    if item.get("parent"):
        console.print(_t(c, "adopted_from", title=item["parent"]["title"]), highlight=False)
    for child in item.get("children", []):
        console.print(_t(c, "adopted_by", title=child["title"]), highlight=False)
    root = Tree(_t(c, "indicators_scale", scale=item["scale"]))
    _add_nodes(root, item.get("indicator_tree", []))
    console.print(root)


def _add_nodes(parent: Tree, nodes: list[dict[str, Any]]) -> None:
    for node in nodes:
        target = f" – chỉ tiêu {node['target']} {node.get('unit_of_measure') or ''}" if node.get("target") is not None else ""
        _add_nodes(parent.add(f"{node['code']}. {node['title']} ({node['max_points']} đ){target}"), node["children"])


@campaigns_app.command("create")
def campaigns_create(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="Tệp JSON mô tả phong trào (xem /docs)")]) -> None:
    """Soạn phong trào (nháp) từ tệp JSON / draft a campaign from a JSON file."""
    c: Context = ctx.obj
    item = c.client("campaigns").call("POST", "/campaigns", json=_read_json(c, file))
    c.say("campaign_drafted", title=item["title"], id=item["id"])


@campaigns_app.command("revise")
def campaigns_revise(
    ctx: typer.Context, campaign_id: CampaignArg,
    reason: Annotated[str, typer.Option(help="Lý do điều chỉnh (bắt buộc)")],
    changes: Annotated[Path, typer.Option(help="Tệp JSON các trường điều chỉnh, ví dụ {\"period_end\": \"2021-03-31\"}")],
) -> None:
    """Điều chỉnh phong trào đã phát động, có lý do / revise a launched campaign with a reason."""
    c: Context = ctx.obj
    campaign_id = campaign_ref(c, campaign_id)  # an id, or the letter's number people know it by
    item = c.client("campaigns").call("POST", f"/campaigns/{campaign_id}/revise", json={"reason": reason, "changes": _read_json(c, changes)})
    c.say("campaign_revised", title=item["title"], revision=item["revision"])


@campaigns_app.command("attach")
def campaigns_attach(ctx: typer.Context, campaign_id: CampaignArg, file: Path,
                     reason: Annotated[str | None, typer.Option(help="Bắt buộc sau khi phát động")] = None) -> None:
    """Đính kèm văn bản (bản ký) / attach the signed letter or another document."""
    c: Context = ctx.obj
    campaign_id = campaign_ref(c, campaign_id)  # an id, or the letter's number people know it by
    with file.open("rb") as handle:
        item = c.client("campaigns").call("POST", f"/campaigns/{campaign_id}/attachments", params={"reason": reason} if reason else {},
                                          files={"file": (file.name, handle)})
    c.say("attached", name=file.name, sha256=item["attachments"][-1]["sha256"])


def _read_json(c: Context, path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise c.fail("bad_json_file", path=path, reason=str(exc)) from None


@campaigns_app.command("launch")
def campaigns_launch(ctx: typer.Context, campaign_id: CampaignArg) -> None:
    """Phát động / launch a draft."""
    c: Context = ctx.obj
    campaign_id = campaign_ref(c, campaign_id)  # an id, or the letter's number people know it by
    item = c.client("campaigns").call("POST", f"/campaigns/{campaign_id}/launch")
    c.say("campaign_launched_msg", title=item["title"])


@campaigns_app.command("register")
def campaigns_register(
    ctx: typer.Context, campaign_id: CampaignArg, unit: str,
    title: Annotated[list[str] | None, typer.Option("--title", help="Danh hiệu đăng ký (lặp lại)")] = None,
    target: Annotated[list[str] | None, typer.Option("--target", help="Chỉ tiêu cam kết MÃ=GIÁ_TRỊ (lặp lại)")] = None,
) -> None:
    """Đăng ký thi đua cho một đơn vị / register a unit for a campaign."""
    c: Context = ctx.obj
    campaign_id = campaign_ref(c, campaign_id)  # an id, or the letter's number people know it by
    targets = [{"indicator_code": code, "target": value} for code, value in (t.split("=", 1) for t in target or [])]
    c.client("campaigns").call("POST", f"/campaigns/{campaign_id}/registrations", json={"unit": unit, "titles": title or [], "targets": targets})
    c.say("registered", unit=unit)


@campaigns_app.command("export")
def campaigns_export(ctx: typer.Context, campaign_id: CampaignArg, out: Path) -> None:
    """Xuất Excel chỉ tiêu và đăng ký / export indicators and registrations to .xlsx."""
    c: Context = ctx.obj
    campaign_id = campaign_ref(c, campaign_id)  # an id, or the letter's number people know it by
    out.write_bytes(c.client("campaigns").download(f"/campaigns/{campaign_id}/export.xlsx"))
    c.say("exported", path=out)


@campaigns_app.command("registrations")
def campaigns_registrations(ctx: typer.Context, campaign_id: CampaignArg) -> None:
    """Các đơn vị đã đăng ký thi đua: danh hiệu, chỉ tiêu cam kết, mã / a campaign's registrations."""
    c: Context = ctx.obj
    campaign_id = campaign_ref(c, campaign_id)
    table = list_table(c, "column_code", "column_name", "column_title", "column_target", "column_status", "column_id")
    for r in c.client("campaigns").call("GET", f"/campaigns/{campaign_id}/registrations"):
        targets = ", ".join(f"{t['indicator_code']}={format_number(Decimal(str(t['target'])), c.language)}" for t in r["targets"])
        table.add_row(r["unit_code"], r["unit_name"], "; ".join(r["titles"]), targets, _t(c, f"registration_{r['status']}"), r["id"])
    console.print(table)


@pledges_app.command("open")
def pledges_open(ctx: typer.Context, cluster: str, year: int,
                 title: Annotated[str, typer.Option(help="Tên giao ước")], text: Annotated[str, typer.Option(help="Nội dung cam kết")]) -> None:
    """Mở giao ước thi đua năm của cụm / open a cluster's pledge for a year."""
    c: Context = ctx.obj
    pledge = c.client("campaigns").call("POST", "/pledges", json={"cluster": cluster, "year": year, "title": title, "text": text})
    c.say("pledge_opened", id=pledge["id"], members=len(pledge["members"]))


@pledges_app.command("list")
def pledges_list(ctx: typer.Context, cluster: Annotated[str, typer.Option(help="Mã cụm, khối / the cluster's code")],
                 year: int | None = None) -> None:
    """Các giao ước của một cụm, khối: năm, tiêu đề, đủ chữ ký chưa, mã / a cluster's pledges."""
    c: Context = ctx.obj
    pledges = c.client("campaigns").call("GET", "/pledges", params={k: v for k, v in {"cluster": cluster, "year": year}.items() if v})
    table = list_table(c, "column_year", "column_title", "column_status", "column_id")
    for pledge in pledges:
        table.add_row(str(pledge["year"]), pledge["title"], _t(c, "pledge_state_complete" if pledge["complete"] else "pledge_state_open"),
                      pledge["id"])
    console.print(table)


@pledges_app.command("show")
def pledges_show(ctx: typer.Context, pledge_id: PledgeArg) -> None:
    """Xem giao ước và chữ ký / show a pledge and who signed."""
    c: Context = ctx.obj
    pledge_id = pledge_ref(c, pledge_id)
    pledge = c.client("campaigns").call("GET", f"/pledges/{pledge_id}")
    table = Table(title=f"{pledge['title']} ({_t(c, 'pledge_state_complete' if pledge['complete'] else 'pledge_state_open')})")
    for code in ("column_code", "column_name", "column_signed"):
        table.add_column(_t(c, code))
    for member in pledge["members"]:
        table.add_row(member["code"], member["name"], member["signed_by"] or "")
    console.print(table)


@pledges_app.command("sign")
def pledges_sign(ctx: typer.Context, pledge_id: PledgeArg, unit: str) -> None:
    """Ký giao ước thay mặt một đơn vị thành viên / sign for a member unit."""
    c: Context = ctx.obj
    pledge_id = pledge_ref(c, pledge_id)
    pledge = c.client("campaigns").call("POST", f"/pledges/{pledge_id}/sign", json={"unit": unit})
    c.say("pledge_signed", unit=unit, done=sum(m["signed"] for m in pledge["members"]), total=len(pledge["members"]))
