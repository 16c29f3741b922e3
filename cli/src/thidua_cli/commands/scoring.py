"""CLI commands that talk to the scoring service, and `recompute`, which checks a published ranking
on this machine: the engine runs here, on the inputs the service kept, and the bytes must match."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from thidua_cli.refs import CampaignArg, RoundArg, campaign_ref, round_ref
from thidua_cli.client import Context, ServiceClient, console, list_table
from thidua_cli.commands.campaigns import _read_json
from thidua_shared.i18n import format_moment, format_number, translate

scoring_app = typer.Typer(help="Báo cáo kết quả, chấm điểm, bảng điểm / results, scoring, score tables", no_args_is_help=True)
rounds_app = typer.Typer(help="Vòng chấm của cụm, khối / review rounds", no_args_is_help=True)
scoring_app.add_typer(rounds_app, name="rounds")

PERIOD_HELP = "mid_term (sơ kết) | final (tổng kết)"


def _t(c: Context, message_code: str, /, **params: object) -> str:
    return translate(message_code, c.language, **params)


def _client(ctx: typer.Context) -> tuple[Context, ServiceClient]:
    c: Context = ctx.obj
    return c, c.client("scoring")


def _pairs(c: Context, items: list[str] | None) -> list[tuple[str, str]]:
    """MÃ=GIÁ_TRỊ options as pairs."""
    pairs = []
    for item in items or []:
        code, sep, value = item.partition("=")
        if not sep or not code.strip():
            raise c.fail("bad_pair", item=item)
        pairs.append((code.strip(), value.strip()))
    return pairs


def _results(c: Context, values: list[str] | None, achieved: list[str] | None) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = [{"indicator_code": code, "value": value} for code, value in _pairs(c, values)]
    for code, answer in _pairs(c, achieved):
        results.append({"indicator_code": code, "achieved": answer.lower() in ("1", "true", "yes", "co", "có", "dat", "đạt")})
    return results


def _body(c: Context, file: Path | None, campaign: str | None, unit: str | None, period: str,
          values: list[str] | None, achieved: list[str] | None) -> dict[str, Any]:
    if file is not None:
        return _read_json(c, file)
    if not campaign or not unit:
        raise c.fail("scoring_needs_campaign_unit")
    return {"campaign": campaign_ref(c, campaign), "unit": unit, "period": period, "results": _results(c, values, achieved)}


Values = Annotated[list[str] | None, typer.Option("--value", help="Kết quả MÃ=SỐ (lặp lại), ví dụ --value 9.1=12")]
Achieved = Annotated[list[str] | None, typer.Option("--achieved", help="Tiêu chí đạt/không MÃ=có|không (lặp lại)")]
FromFile = Annotated[Path | None, typer.Option("--file", help="Tệp JSON đầy đủ (xem /docs của dịch vụ scoring)")]


@scoring_app.command("preview")
def preview(ctx: typer.Context, campaign: Annotated[str | None, typer.Option()] = None, unit: Annotated[str | None, typer.Option()] = None,
            period: Annotated[str, typer.Option(help=PERIOD_HELP)] = "final", value: Values = None, achieved: Achieved = None,
            file: FromFile = None) -> None:
    """Xem trước điểm tự chấm theo quy tắc của phong trào / the self-score, before reporting."""
    c, client = _client(ctx)
    scored = client.call("POST", "/submissions/preview", json=_body(c, file, campaign, unit, period, value, achieved))
    table = Table(title=_t(c, "self_score_title", unit=scored["unit"]["name"]))
    for code in ("column_code", "column_criterion", "column_points", "column_max"):
        table.add_column(_t(c, code))
    for line in scored["lines"]:
        table.add_row(line["indicator_code"], line["title"], _n(c, line["points"]), _n(c, line["max_points"]))
    console.print(table)
    c.say("self_score_total", total=_n(c, scored["total"]), scale=_n(c, scored["scale"]))


@scoring_app.command("submit")
def submit(ctx: typer.Context, campaign: Annotated[str | None, typer.Option()] = None, unit: Annotated[str | None, typer.Option()] = None,
           period: Annotated[str, typer.Option(help=PERIOD_HELP)] = "final", value: Values = None, achieved: Achieved = None,
           evidence: Annotated[list[Path] | None, typer.Option("--evidence", help="Tệp minh chứng (lặp lại)")] = None,
           reason: Annotated[str | None, typer.Option(help="Lý do sửa đổi")] = None,
           late_reason: Annotated[str | None, typer.Option(help="Nhập bổ sung sau hạn: lý do")] = None, file: FromFile = None) -> None:
    """Báo cáo kết quả (hoặc sửa), có minh chứng / report results (or revise them), with evidence."""
    c, client = _client(ctx)
    body = _body(c, file, campaign, unit, period, value, achieved)
    cited = [_upload(client, path) for path in evidence or []]
    body["evidence"] = sorted({*body.get("evidence", []), *cited})
    body.update({k: v for k, v in {"reason": reason, "late_reason": late_reason}.items() if v})
    sent = client.call("POST", "/submissions", json=body)
    c.say("submitted", unit=sent["unit"]["code"], version=sent["version"], total=_n(c, sent["self_total"]))


def _upload(client: ServiceClient, path: Path) -> str:
    with path.open("rb") as handle:
        return client.call("POST", "/evidence", files={"file": (path.name, handle)})["sha256"]


@scoring_app.command("reports")
def reports(ctx: typer.Context, campaign: Annotated[str, typer.Option(help="Mã hoặc số văn bản của phong trào")],
            unit: Annotated[str | None, typer.Option()] = None, period: Annotated[str | None, typer.Option(help=PERIOD_HELP)] = None) -> None:
    """Các bản báo cáo kết quả của một phong trào: đơn vị, kỳ, phiên bản, tự chấm, mã / a campaign's reports."""
    c, client = _client(ctx)
    params = {k: v for k, v in {"campaign": campaign_ref(c, campaign), "unit": unit, "period": period}.items() if v}
    table = list_table(c, "column_code", "column_name", "column_period", "column_version", "column_total", "column_id")
    for s in client.call("GET", "/submissions", params=params):
        table.add_row(s["unit"]["code"], s["unit"]["name"], _t(c, f"report_period_{s['period']}"), str(s["version"]), _n(c, s["self_total"]), s["id"])
    console.print(table)


@scoring_app.command("evidence")
def evidence(ctx: typer.Context, file: Path) -> None:
    """Tải minh chứng lên, in mã SHA-256 để trích dẫn / upload evidence; prints the SHA-256 to cite."""
    c, client = _client(ctx)
    c.say("evidence_uploaded", name=file.name, sha256=_upload(client, file))


@rounds_app.command("open")
def rounds_open(
    ctx: typer.Context, campaign: Annotated[str, typer.Option()], cluster: Annotated[str, typer.Option()], year: Annotated[int, typer.Option()],
    period: Annotated[str, typer.Option(help=PERIOD_HELP)] = "final",
    rule: Annotated[str, typer.Option(help="rotation (chấm chéo luân phiên) | leader (văn phòng cụm trưởng) | panel | manual")] = "rotation",
    reviewers: Annotated[int, typer.Option(help="Số đơn vị chấm mỗi đơn vị")] = 2,
    panel: Annotated[list[str] | None, typer.Option("--panel", help="Đơn vị trong hội đồng chấm (lặp lại)")] = None,
    aggregation: Annotated[str, typer.Option(help="mean | median | trimmed_mean")] = "mean",
    normalization: Annotated[str, typer.Option(help="none | zscore | rescale")] = "none",
    corrects: Annotated[str | None, typer.Option(help="Vòng chấm đã đóng được đính chính")] = None,
    reason: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Mở vòng chấm của cụm/khối / open a cluster's review round."""
    c, client = _client(ctx)
    opened = client.call("POST", "/rounds", json={
        "campaign": campaign_ref(c, campaign), "cluster": cluster, "year": year, "period": period, "corrects": corrects, "reason": reason,
        "rule": {"kind": rule, "reviewers_per_unit": reviewers, "panel": panel or []},
        "policy": {"aggregation": aggregation, "normalization": normalization},
    })
    c.say("round_opened", id=opened["id"], members=len(opened["members"]), assignments=len(opened["assignments"]))


@rounds_app.command("list")
def rounds_list(ctx: typer.Context, campaign: Annotated[str | None, typer.Option()] = None, cluster: Annotated[str | None, typer.Option()] = None,
                year: Annotated[int | None, typer.Option()] = None) -> None:
    """Các vòng chấm / review rounds."""
    c, client = _client(ctx)
    campaign = campaign_ref(c, campaign) if campaign else None
    found = client.call("GET", "/rounds", params={k: v for k, v in {"campaign": campaign, "cluster": cluster, "year": year}.items() if v})
    table = Table()
    table.add_column(_t(c, "column_round"), overflow="fold", min_width=36)  # the whole id: it is what the other commands take
    for code in ("column_cluster", "column_year", "column_status", "column_members"):
        table.add_column(_t(c, code))
    for r in found:
        table.add_row(r["id"], r["cluster"]["name"], str(r["year"]), _t(c, f"round_status_{r['status']}"), str(len(r["members"])))
    console.print(table)


@rounds_app.command("show")
def rounds_show(ctx: typer.Context, round_id: RoundArg) -> None:
    """Phân công, xung đột, giải trình của vòng chấm / a round's assignments, conflicts, explanations."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    r = client.call("GET", f"/rounds/{round_id}")
    console.print(f"[bold]{r['cluster']['name']}[/bold] – {r['campaign_title']} ({_t(c, 'round_status_' + r['status'])})", highlight=False)
    table = Table(title=_t(c, "assignments_title"))
    for code in ("column_reviewer", "column_reviewed_unit", "column_reviewed"):
        table.add_column(_t(c, code))
    for a in r["assignments"]:
        table.add_row(a["reviewer"]["code"], a["unit"]["code"], "✓" if a["reviewed"] else "")
    console.print(table)
    for conflict in r["conflicts"]:
        c.say("conflict_line", reviewer=conflict["reviewer"]["code"], unit=conflict["unit"]["code"], reason=conflict["reason"])
    c.say("round_owner", node=r["node"])
    for h in r["handovers"]:
        c.say("handover_line", at=format_moment(datetime.fromisoformat(h["handed_at"]), c.language), from_node=h["from_node"], to_node=h["to_node"], by=h["handed_by"], reason=h["reason"])


@rounds_app.command("handover")
def rounds_handover(ctx: typer.Context, round_id: RoundArg, to: Annotated[str, typer.Option(help="Nút nhận vòng chấm, ví dụ vn")],
                    reason: Annotated[str, typer.Option(help="Lý do bàn giao")]) -> None:
    """Trung tâm bàn giao vòng chấm cho nút khác (nút tỉnh mất, hoặc trả lại) / the centre hands a round over to another node."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    r = client.call("POST", f"/rounds/{round_id}/handover", json={"to_node": to, "reason": reason})
    c.say("handed_over", id=r["id"], node=r["node"], digest=r["handovers"][-1]["state_digest"])


@rounds_app.command("ask-back")
def rounds_ask_back(ctx: typer.Context, round_id: RoundArg, reason: Annotated[str, typer.Option(help="Lý do đề nghị")]) -> None:
    """Từ nút tỉnh: đề nghị trung tâm trả lại vòng chấm đã tiếp nhận / from a province's node: ask for a round back."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    r = client.call("POST", f"/rounds/{round_id}/return-request", json={"reason": reason})
    c.say("asked_back", id=r["id"], centre=c.settings.centre_node)


@scoring_app.command("review")
def review(ctx: typer.Context, round_id: RoundArg, reviewer: Annotated[str, typer.Option()], unit: Annotated[str, typer.Option()],
           score: Annotated[list[str], typer.Option("--score", help="Điểm MÃ=ĐIỂM (lặp lại), ví dụ --score 1=25")],
           comment: Annotated[list[str] | None, typer.Option("--comment", help="Nhận xét MÃ=NỘI DUNG (lặp lại)")] = None) -> None:
    """Chấm điểm một đơn vị được phân công / score an assigned unit."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    notes = dict(_pairs(c, comment))
    scores = [{"indicator_code": code, "points": points, "comment": notes.get(code)} for code, points in _pairs(c, score)]
    done = client.call("POST", f"/rounds/{round_id}/reviews", json={"reviewer": reviewer, "unit": unit, "scores": scores})
    c.say("reviewed", unit=unit, stage=done["stage"])


@scoring_app.command("conflict")
def conflict(ctx: typer.Context, round_id: RoundArg, reviewer: Annotated[str, typer.Option()], unit: Annotated[str, typer.Option()],
             reason: Annotated[str, typer.Option()]) -> None:
    """Khai xung đột lợi ích / declare a conflict of interest."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    client.call("POST", f"/rounds/{round_id}/conflicts", json={"reviewer": reviewer, "unit": unit, "reason": reason})
    c.say("conflict_declared", reviewer=reviewer, unit=unit)


@scoring_app.command("explain")
def explain(ctx: typer.Context, round_id: RoundArg, unit: Annotated[str, typer.Option()], criterion: Annotated[str, typer.Option()],
            text: Annotated[str, typer.Option()]) -> None:
    """Giải trình một điểm chưa đồng ý / explain a disputed score."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    client.call("POST", f"/rounds/{round_id}/explanations", json={"unit": unit, "indicator_code": criterion, "text": text})
    c.say("explained", unit=unit, criterion=criterion)


@scoring_app.command("close")
def close(ctx: typer.Context, round_id: RoundArg,
          accept_missing: Annotated[bool, typer.Option("--accept-missing", help="Đóng dù còn thiếu lượt chấm / close with reviews missing")] = False,
          reason: Annotated[str | None, typer.Option(help="Lý do đóng khi còn thiếu / why it closes with work missing")] = None) -> None:
    """Khóa vòng chấm: công bố bảng điểm và xếp hạng / close the round: the table and ranking are published."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    _print_table(c, client.call("POST", f"/rounds/{round_id}/close", json={"accept_missing": accept_missing, "reason": reason}))


@scoring_app.command("table")
def table(ctx: typer.Context, round_id: RoundArg,
          xlsx: Annotated[Path | None, typer.Option(help="Ghi bảng điểm ra tệp Excel")] = None,
          csv: Annotated[Path | None, typer.Option(help="Ghi bảng điểm ra tệp CSV")] = None) -> None:
    """Bảng điểm và xếp hạng của cụm / the cluster's score table and ranking."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    for path, suffix in ((xlsx, "xlsx"), (csv, "csv")):
        if path is not None:
            path.write_bytes(client.download(f"/rounds/{round_id}/table.{suffix}"))
            c.say("exported", path=path)
    if xlsx is None and csv is None:
        _print_table(c, client.call("GET", f"/rounds/{round_id}/table"))


def _print_table(c: Context, scored: dict[str, Any]) -> None:
    title = f"{scored['cluster']['name']} – {scored['year']}" + (f" ({_t(c, 'provisional')})" if scored["provisional"] else "")
    table = Table(title=title)
    for code in ("column_rank", "column_code", "column_name", "column_total"):
        table.add_column(_t(c, code))
    for row in scored["rows"]:
        rank = f"{row['rank']}=" if row["tied_with"] else str(row["rank"])
        table.add_row(rank, row["unit"]["code"], row["unit"]["name"], _n(c, row["total"]))
    console.print(table)
    leader = next((r["unit"]["name"] for r in scored["rows"] if r["unit_id"] == scored["leader_unit_id"]), None)
    c.say("leader_is", name=leader) if leader else c.say("open_tie")
    if scored.get("table_digest"):
        c.say("table_digest", digest=scored["table_digest"])
    if closing := scored.get("closed_with_missing"):
        c.say("closed_with_missing", count=len(closing["missing"]), reason=closing["reason"])


@scoring_app.command("targets")
def targets(ctx: typer.Context, campaign_id: CampaignArg, period: Annotated[str, typer.Option(help=PERIOD_HELP)] = "final",
            unit: Annotated[str | None, typer.Option()] = None, xlsx: Annotated[Path | None, typer.Option()] = None) -> None:
    """Chỉ tiêu, thực hiện, % so với chỉ tiêu, điểm / target, actual, % of target, points."""
    c, client = _client(ctx)
    campaign_id = campaign_ref(c, campaign_id)
    params = {k: v for k, v in {"period": period, "unit": unit}.items() if v}
    if xlsx is not None:
        xlsx.write_bytes(client.download(f"/campaigns/{campaign_id}/targets.xlsx", params=params))
        c.say("exported", path=xlsx)
        return
    for sheet in client.call("GET", f"/campaigns/{campaign_id}/targets", params=params):
        table = Table(title=f"{sheet['unit']['name']} ({sheet['unit']['code']})")
        for code in ("column_criterion", "column_target", "column_actual", "column_percent", "column_points"):
            table.add_column(_t(c, code))
        for line in sheet["lines"]:
            table.add_row(line["title"], _n(c, line["target"]), _n(c, line["actual"]),
                          _n(c, line["percent_of_target"]) + "%" if line["percent_of_target"] is not None else "", _n(c, line["points"]))
        console.print(table)


@scoring_app.command("recompute")
def recompute(ctx: typer.Context, round_id: RoundArg,
              inputs: Annotated[Path | None, typer.Option(help="Tệp dữ liệu đầu vào đã tải (không hỏi dịch vụ)")] = None,
              expect: Annotated[str | None, typer.Option(help="Mã SHA-256 bảng điểm đã công bố (khi dùng --inputs)")] = None) -> None:
    """Tính lại bảng điểm trên máy này từ dữ liệu đầu vào đã lưu; so từng byte với bảng đã công bố /
    recompute a published table on this machine from its stored inputs, byte for byte."""
    from thidua_scoring.domain import engine  # the very engine the service runs

    c: Context = ctx.obj
    if inputs is not None:
        document = _read_json(c, inputs)
        published = expect
    else:
        client = c.client("scoring")
        round_id = round_ref(c, round_id)
        document = client.call("GET", f"/rounds/{round_id}/inputs")
        published = client.call("GET", f"/rounds/{round_id}/table")["table_digest"]
    _, digest = engine.recompute(document)
    c.say("recomputed", inputs=engine.digest(document), digest=digest)
    if published is None:
        return
    if digest != published:
        raise c.fail("recompute_differs", published=published, digest=digest)
    c.say("recompute_identical")


@scoring_app.command("inputs")
def inputs_(ctx: typer.Context, round_id: RoundArg, out: Path) -> None:
    """Tải dữ liệu đầu vào của vòng chấm đã đóng, để tính lại ở nơi khác / download a closed round's inputs."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    document = client.call("GET", f"/rounds/{round_id}/inputs")
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    c.say("exported", path=out)


def _n(c: Context, value: object) -> str:
    """A number from the API (a decimal string) as its reader writes it: 100,00 and 4.162 in Vietnamese."""
    if value is None or value == "":
        return ""
    try:
        return format_number(Decimal(str(value)), c.language)
    except ArithmeticError:
        return str(value)
