"""CLI commands that talk to the awards service: nominations and their dossiers, ballots, postings,
decisions and certificates, history, imports and the statistical reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from thidua_cli import ballot_client
from thidua_cli.client import Context, ServiceClient, console, list_table
from thidua_cli.refs import (BallotArg, DecisionArg, NominationArg, RoundArg, ballot_ref, decision_ref, nomination_ref,
                             nominations_ref, round_ref)
from thidua_shared.i18n import format_date, translate

awards_app = typer.Typer(help="Khen thưởng: đề nghị, hồ sơ, bỏ phiếu, quyết định / awards", no_args_is_help=True)
ballots_app = typer.Typer(help="Bỏ phiếu kín / secret ballots", no_args_is_help=True)
postings_app = typer.Typer(help="Công khai danh sách đề nghị / public postings", no_args_is_help=True)
drafts_app = typer.Typer(help="Dự thảo văn bản (Word, A4): tờ trình, quyết định, biên bản / document drafts", no_args_is_help=True)
awards_app.add_typer(ballots_app, name="ballots")
awards_app.add_typer(postings_app, name="postings")
awards_app.add_typer(drafts_app, name="drafts")
STEPS = ("submit", "receive", "return", "withdraw", "escalate", "to-council", "approve", "reject")


def _t(c: Context, message_code: str, /, **params: object) -> str:
    return translate(message_code, c.language, **params)


def _state(c: Context, state: str) -> str:
    """A nomination's state as a person reads it ("Đã trình Hội đồng"), never its code."""
    return _t(c, f"nomination_state_{state}")


def _client(ctx: typer.Context) -> tuple[Context, ServiceClient]:
    c: Context = ctx.obj
    return c, c.client("awards")


def _print_nomination(c: Context, n: dict[str, Any]) -> None:
    console.print(f"[bold]{n['subject_name']}[/bold] – {n['award'][f'name_{c.language}']} {n['year']}  ({_state(c, n['state'])})", highlight=False)
    console.print(_t(c, "nomination_ruleset", ruleset=n["ruleset"]["title"], eligible=_t(c, f"eligible_{n['eligible']}")), highlight=False)
    table = Table()
    for code in ("column_criterion", "column_status", "column_reason"):
        table.add_column(_t(c, code))
    for check in n["checks"]:
        table.add_row(check[f"label_{c.language}"], _t(c, f"check_{check['status']}"), check[f"explanation_{c.language}"])
    console.print(table)
    if n["missing_documents"]:
        c.say("dossier_missing", documents=", ".join(n["missing_documents"]))
    console.print(n["id"], style="dim")


@awards_app.command("rules")
def rules(ctx: typer.Context) -> None:
    """Các bộ quy tắc và hình thức khen thưởng / the rule sets and their awards."""
    c, client = _client(ctx)
    for ruleset in client.call("GET", "/rulesets"):
        mark = "" if ruleset["settled"] else f"  [yellow]({_t(c, 'unsettled')})[/yellow]"
        console.print(f"[bold]{ruleset['id']}[/bold] – {ruleset['title']} (từ {ruleset['effective_from']}){mark}", highlight=False)
        for award in ruleset["awards"]:
            console.print(f"  {award['code']}: {award[f'name_{c.language}']} – {award['decided_by']}", highlight=False)


@awards_app.command("nominate")
def nominate(ctx: typer.Context, award: Annotated[str, typer.Option()], year: Annotated[int, typer.Option()],
             proposer: Annotated[str, typer.Option(help="Đơn vị đề nghị")], to: Annotated[str, typer.Option(help="Cơ quan quyết định")],
             unit: Annotated[str | None, typer.Option(help="Tập thể được đề nghị")] = None,
             person: Annotated[str | None, typer.Option(help="Id cá nhân được đề nghị")] = None,
             summary: Annotated[str | None, typer.Option(help="Tóm tắt thành tích")] = None) -> None:
    """Soạn đề nghị khen thưởng / draft a nomination."""
    c, client = _client(ctx)
    if (unit is None) == (person is None):
        raise c.fail("nominate_one_subject")
    subject = {"kind": "unit", "ref": unit} if unit else {"kind": "person", "ref": person}
    _print_nomination(c, client.call("POST", "/nominations", json={"award": award, "year": year, "subject": subject, "proposer": proposer,
                                                                  "to_unit": to, "summary": summary}))


@awards_app.command("from-ranking")
def from_ranking(ctx: typer.Context, round_id: RoundArg, award: str = "co_thi_dua_lmhtx_vn") -> None:
    """Đề nghị tặng Cờ cho đơn vị dẫn đầu một bảng xếp hạng / propose a ranking's leader."""
    c, client = _client(ctx)
    round_id = round_ref(c, round_id)
    _print_nomination(c, client.call("POST", "/nominations/from-ranking", json={"round": round_id, "award": award}))


@awards_app.command("show")
def show(ctx: typer.Context, nomination_id: NominationArg) -> None:
    """Hồ sơ: tiêu chí, tài liệu, các bước / a nomination, its checks and its trail."""
    c, client = _client(ctx)
    nomination_id = nomination_ref(c, nomination_id)
    n = client.call("GET", f"/nominations/{nomination_id}")
    _print_nomination(c, n)
    for step in n["trail"]:
        console.print(f"  {step['step']}. {_t(c, 'nomination_action_' + step['action'])} → {_state(c, step['to_state'])} · {step['actor_name']}"
                      + (f" · {step['reason']}" if step["reason"] else ""), highlight=False)


@awards_app.command("list")
def list_(ctx: typer.Context, to: Annotated[str | None, typer.Option("--to")] = None, year: int | None = None,
          state: str | None = None, award: str | None = None) -> None:
    """Danh sách hồ sơ / nominations."""
    c, client = _client(ctx)
    params = {k: v for k, v in {"to_unit": to, "year": year, "state": state, "award": award}.items() if v is not None}
    table = list_table(c, "column_name", "column_award", "column_year", "column_state", "column_id")
    for n in client.call("GET", "/nominations", params=params):
        table.add_row(n["subject_name"], n["award"][f"name_{c.language}"], str(n["year"]), _state(c, n["state"]), n["id"])
    console.print(table)


@awards_app.command("attach")
def attach(ctx: typer.Context, nomination_id: NominationArg, kind: Annotated[str, typer.Option(help="cover_letter | achievement_report | vote_minutes | initiative_certificate | other")],
           file: Path) -> None:
    """Tải và gắn tài liệu vào hồ sơ / upload and attach a dossier document."""
    c, client = _client(ctx)
    nomination_id = nomination_ref(c, nomination_id)
    with file.open("rb") as handle:
        uploaded = client.call("POST", "/documents", files={"file": (file.name, handle)})
    n = client.call("POST", f"/nominations/{nomination_id}/documents", json={"kind": kind, "sha256": uploaded["sha256"]})
    c.say("attached", name=file.name, sha256=uploaded["sha256"])
    if n["missing_documents"]:
        c.say("dossier_missing", documents=", ".join(n["missing_documents"]))


@awards_app.command("step")
def step(ctx: typer.Context, nomination_id: NominationArg, action: Annotated[str, typer.Argument(help=" | ".join(STEPS))],
         reason: Annotated[str | None, typer.Option()] = None) -> None:
    """Một bước của hồ sơ: gửi, tiếp nhận, trả lại, ..., Hội đồng đồng ý / a dossier's step."""
    c, client = _client(ctx)
    nomination_id = nomination_ref(c, nomination_id)
    if action not in STEPS:
        raise c.fail("unknown_step", action=action, known=", ".join(STEPS))
    n = client.call("POST", f"/nominations/{nomination_id}/{action}", json={"reason": reason})
    c.say("nomination_now", state=_state(c, n["state"]))


@awards_app.command("assign")
def assign(ctx: typer.Context, nomination_id: NominationArg, officer: Annotated[str, typer.Option()]) -> None:
    """Chuyển chuyên viên thụ lý / hand to an officer."""
    c, client = _client(ctx)
    nomination_id = nomination_ref(c, nomination_id)
    c.say("nomination_now", state=_state(c, client.call("POST", f"/nominations/{nomination_id}/assign", json={"officer": officer})["state"]))


@awards_app.command("check")
def check(ctx: typer.Context, nomination_id: NominationArg,
          judge: Annotated[list[str] | None, typer.Option("--judge", help="TIÊU_CHÍ=đạt|không:lý do (lặp lại)")] = None) -> None:
    """Kiểm tra điều kiện; cán bộ đánh giá các tiêu chí cần người xét / check eligibility."""
    c, client = _client(ctx)
    nomination_id = nomination_ref(c, nomination_id)
    judgements = []
    for item in judge or []:
        criterion, _, rest = item.partition("=")
        verdict, _, reason = rest.partition(":")
        judgements.append({"criterion": criterion, "met": verdict.strip().lower() in ("dat", "đạt", "yes", "met", "1"), "reason": reason or verdict})
    _print_nomination(c, client.call("POST", f"/nominations/{nomination_id}/check", json={"judgements": judgements}))


@awards_app.command("counters")
def counters(ctx: typer.Context, campaign: str | None = None, to: Annotated[str | None, typer.Option("--to")] = None, year: int | None = None) -> None:
    """Số liệu: đề nghị, trả lại, không đủ điều kiện, đề nghị cấp trên, được duyệt / counters."""
    c, client = _client(ctx)
    found = client.call("GET", "/counters", params={k: v for k, v in {"campaign": campaign, "to_unit": to, "year": year}.items() if v})
    for key in ("proposed", "returned", "not_eligible", "escalated", "approved"):
        console.print(f"{_t(c, 'counter_' + key)}: {found[key]}", highlight=False)


KeyFile = Annotated[Path, typer.Option("--key-file", help="Tệp khoá của thành viên Ban kiểm phiếu (chỉ chủ tệp đọc được) / "
                                                          "the teller's key file (owner-only)")]
UnitOption = Annotated[str | None, typer.Option("--unit", help="Đơn vị (phiếu của cụm) / the unit, in a cluster ballot")]


def _ballot_step(c: Context, step):  # type: ignore[no-untyped-def]
    """Runs a voter's or teller's step; a step that cannot go on ends with its message, not a traceback."""
    try:
        return step()
    except ballot_client.BallotClientError as error:
        params = dict(error.params)
        if "status" in params:
            params["status"] = _t(c, f"ballot_status_{params['status']}")
        raise c.fail(error.code, **params) from None


@ballots_app.command("open")
def ballot_open(ctx: typer.Context, title: Annotated[str, typer.Option()], year: Annotated[int, typer.Option()],
                nomination: Annotated[list[str], typer.Option("--nomination")],
                teller: Annotated[list[str], typer.Option("--teller", help="Ban kiểm phiếu (id cá nhân, hoặc mã đơn vị của cụm)")],
                cluster: str | None = None,
                voter: Annotated[list[str] | None, typer.Option("--voter", help="Thành viên Hội đồng (id cá nhân)")] = None,
                threshold: Annotated[int | None, typer.Option(help="Số thành viên Ban kiểm phiếu cần để kiểm phiếu (mặc định: quá nửa)")] = None,
                hours: Annotated[int, typer.Option(help="Mở trong bao nhiêu giờ")] = 24) -> None:
    """Mở bỏ phiếu kín: của cụm (--cluster) hoặc của Hội đồng (--voter ...) / open a secret ballot."""
    c, client = _client(ctx)
    nomination = nominations_ref(c, nomination)
    closes = (datetime.now(timezone.utc) + timedelta(hours=hours)).isoformat()
    ballot = client.call("POST", "/ballots", json={"kind": "cluster" if cluster else "council", "title": title, "year": year, "cluster": cluster,
                                                   "nominations": nomination, "voters": voter or [], "closes_at": closes,
                                                   "tellers": teller, "threshold": threshold})
    c.say("ballot_opened", id=ballot["id"], voters=len(ballot["voters"]))
    c.say("ballot_keys_wait", tellers=len(ballot["tellers"]), threshold=ballot["threshold"])


@ballots_app.command("list")
def ballot_list(ctx: typer.Context, cluster: Annotated[str | None, typer.Option(help="Mã cụm, khối / the cluster's code")] = None,
                year: int | None = None, status: Annotated[str | None, typer.Option(help="keys | open | counting | closed")] = None) -> None:
    """Các cuộc bỏ phiếu bạn được xem: tiêu đề, cụm, năm, đã bỏ phiếu, trạng thái, mã / the ballots you may see."""
    c, client = _client(ctx)
    found = client.call("GET", "/ballots", params={k: v for k, v in {"cluster": cluster, "year": year, "status": status}.items() if v})
    table = list_table(c, "column_ballot", "column_cluster", "column_year", "column_turnout", "column_status", "column_id")
    for b in found:
        table.add_row(b["title"], b["cluster"]["code"] if b["cluster"] else b["unit"]["code"], str(b["year"]),
                      f"{b['voted']}/{b['eligible']}", _t(c, f"ballot_status_{b['status']}"), b["id"])
    console.print(table)


@ballots_app.command("teller-key")
def teller_key(ctx: typer.Context, key_file: KeyFile, unit: UnitOption = None) -> None:
    """Thành viên Ban kiểm phiếu: tạo (lần đầu) và đăng ký khoá / a teller makes (once) and registers their key."""
    c, client = _client(ctx)
    key = ballot_client.TellerKey.from_file(key_file)
    ballot_client.register(client, key, unit)
    c.say("teller_key_registered", path=key_file)


@ballots_app.command("deal")
def ballot_deal(ctx: typer.Context, ballot_id: BallotArg, key_file: KeyFile, unit: UnitOption = None) -> None:
    """Thành viên Ban kiểm phiếu góp phần khoá của cuộc bỏ phiếu / a teller deals their part of the ballot's key."""
    c, client = _client(ctx)
    ballot_id = ballot_ref(c, ballot_id)
    ballot = _ballot_step(c, lambda: ballot_client.deal(client, ballot_id, ballot_client.TellerKey.from_file(key_file), unit))
    c.say("ballot_dealt" if ballot["status"] == "keys" else "ballot_open_now", dealt=len(ballot["dealt"]), tellers=len(ballot["tellers"]))


@ballots_app.command("vote")
def ballot_vote(ctx: typer.Context, ballot_id: BallotArg, choice: Annotated[list[str], typer.Option("--choice", help="HỒ_SƠ=yes|no|abstain")],
                voter: Annotated[str | None, typer.Option(help="Đơn vị bỏ phiếu (phiếu của cụm)")] = None) -> None:
    """Bỏ phiếu: lựa chọn được mã hoá trên máy này trước khi gửi; in mã biên nhận / vote, encrypted here; prints the receipt."""
    c, client = _client(ctx)
    ballot_id = ballot_ref(c, ballot_id)
    choices = dict(item.split("=", 1) for item in choice if "=" in item)
    receipt = _ballot_step(c, lambda: ballot_client.vote(client, ballot_id, choices, voter))
    c.say("vote_receipt", receipt=receipt["receipt"])


@ballots_app.command("close")
def ballot_close(ctx: typer.Context, ballot_id: BallotArg) -> None:
    """Kết thúc bỏ phiếu, công bố hòm phiếu để Ban kiểm phiếu kiểm / end the voting; the tellers then count."""
    c, client = _client(ctx)
    ballot_id = ballot_ref(c, ballot_id)
    _print_ballot(c, client.call("POST", f"/ballots/{ballot_id}/close"))


@ballots_app.command("count")
def ballot_count(ctx: typer.Context, ballot_id: BallotArg, key_file: KeyFile, unit: UnitOption = None) -> None:
    """Thành viên Ban kiểm phiếu kiểm lại hòm phiếu và góp phần giải mã kết quả / a teller checks the box and counts."""
    c, client = _client(ctx)
    ballot_id = ballot_ref(c, ballot_id)
    _print_ballot(c, _ballot_step(c, lambda: ballot_client.count(client, ballot_id, ballot_client.TellerKey.from_file(key_file), unit)))


def _print_ballot(c: Context, ballot: dict[str, Any]) -> None:
    if ballot["result"] is None:
        c.say("ballot_counting", counted=len(ballot["counted"]), threshold=ballot["threshold"])
        return
    for t in ballot["result"]["tallies"]:
        c.say("tally_line", nomination=ballot.get("nominees", {}).get(t["nomination_id"], t["nomination_id"]), yes=t["yes"], no=t["no"], abstain=t["abstain"],
              result=_t(c, "passed" if t["passed"] else "not_passed"))
    c.say("box_digest", digest=ballot["result"]["box_digest"])


@ballots_app.command("verify")
def ballot_verify(ctx: typer.Context, ballot_id: BallotArg, receipt: str) -> None:
    """Kiểm tra phiếu của mình có trong hòm phiếu bằng mã biên nhận / check your ballot is in the box."""
    c, client = _client(ctx)
    ballot_id = ballot_ref(c, ballot_id)
    found = client.call("GET", f"/ballots/{ballot_id}/receipts/{receipt}")
    c.say("receipt_counted" if found["counted"] else "receipt_in_box")


@ballots_app.command("minutes")
def ballot_minutes(ctx: typer.Context, ballot_id: BallotArg, out: Path) -> None:
    """Biên bản kiểm phiếu (.docx) / the minutes."""
    c, client = _client(ctx)
    ballot_id = ballot_ref(c, ballot_id)
    out.write_bytes(client.download(f"/ballots/{ballot_id}/minutes.docx"))
    c.say("exported", path=out)


@postings_app.command("open")
def posting_open(ctx: typer.Context, to: Annotated[str, typer.Option("--to")], title: Annotated[str, typer.Option()],
                 nomination: Annotated[list[str], typer.Option("--nomination")], days: int | None = None) -> None:
    """Công khai danh sách (ngày làm việc, trừ ngày nghỉ, lễ, Tết) / post nominees publicly."""
    c, client = _client(ctx)
    nomination = nominations_ref(c, nomination)
    posting = client.call("POST", "/postings", json={"to_unit": to, "title": title, "nominations": nomination, "working_days": days})
    c.say("posting_opened", id=posting["id"], closes=posting["closes_on"], days=posting["working_days"])


@postings_app.command("list")
def posting_list(ctx: typer.Context, to: Annotated[str | None, typer.Option("--to", help="Cơ quan xét (mã đơn vị)")] = None,
                 status: Annotated[str | None, typer.Option(help="open | closed")] = None) -> None:
    """Các đợt công khai danh sách đề nghị: tiêu đề, đến ngày, số người, trạng thái, mã / postings."""
    c, client = _client(ctx)
    table = list_table(c, "column_title", "column_until", "column_count", "column_status", "column_id")
    for p in client.call("GET", "/postings", params={k: v for k, v in {"to_unit": to, "status": status}.items() if v}):
        table.add_row(p["title"], format_date(date.fromisoformat(p["closes_on"]), c.language), str(len(p["nominations"])),
                      _t(c, f"posting_status_{p['status']}"), p["id"])
    console.print(table)


@postings_app.command("comment")
def posting_comment(ctx: typer.Context, posting_id: str, text: Annotated[str, typer.Option()], author: str | None = None) -> None:
    """Góp ý / comment."""
    c, client = _client(ctx)
    client.call("POST", f"/postings/{posting_id}/comments", json={"text": text, "author": author})
    c.say("comment_sent")


@postings_app.command("close")
def posting_close(ctx: typer.Context, posting_id: str) -> None:
    """Kết thúc công khai / close a posting."""
    c, client = _client(ctx)
    client.call("POST", f"/postings/{posting_id}/close")
    c.say("posting_closed_msg")


@awards_app.command("decide")
def decide(ctx: typer.Context, number: Annotated[str, typer.Option()], signed_on: Annotated[str, typer.Option(help="dd/mm/yyyy")],
           signer: Annotated[str, typer.Option(help="Chức vụ người ký / the signer's title")],
           nomination: Annotated[list[str], typer.Option("--nomination")],
           signer_name: Annotated[str | None, typer.Option(help="Họ tên người ký / the signer's name")] = None) -> None:
    """Ban hành quyết định khen thưởng / issue a numbered decision."""
    c, client = _client(ctx)
    nomination = nominations_ref(c, nomination)
    decision = client.call("POST", "/decisions", json={"number": number, "signed_on": signed_on, "signer_title": signer,
                                                       "signer_name": signer_name, "nominations": nomination})
    c.say("decision_issued", number=decision["number"], count=len(decision["recipients"]), id=decision["id"])


@awards_app.command("decisions")
def decisions(ctx: typer.Context, number: Annotated[str | None, typer.Option(help="Số quyết định / the decision's number")] = None,
              year: int | None = None, to: Annotated[str | None, typer.Option("--to", help="Cơ quan quyết định (mã đơn vị)")] = None) -> None:
    """Các quyết định khen thưởng: số, ngày ký, hình thức, số người được khen, mã / decisions, found by their number."""
    c, client = _client(ctx)
    found = client.call("GET", "/decisions", params={k: v for k, v in {"number": number, "year": year, "to_unit": to}.items() if v})
    names = {a["code"]: a[f"name_{c.language}"] for s in client.call("GET", "/rulesets") for a in s["awards"]}  # an award by its name
    table = list_table(c, "column_decision", "column_when", "column_award", "column_year", "column_count", "column_id")
    for d in found:
        table.add_row(d["number"], format_date(date.fromisoformat(d["signed_on"]), c.language), names.get(d["award_code"], d["award_code"]),
                      str(d["year"]),
                      str(len(d["recipients"])), d["id"])
    console.print(table)


DRAFTS = {"to-trinh": "/drafts/cover-letter.docx", "quyet-dinh": "/drafts/decision.docx"}


@drafts_app.command("to-trinh")
def draft_cover_letter(ctx: typer.Context, nomination: Annotated[list[str], typer.Option("--nomination")],
                       out: Annotated[Path, typer.Option("--out")] = Path("to-trinh.docx"), number: str | None = None) -> None:
    """Dự thảo tờ trình đề nghị khen thưởng (Word, A4) / the cover letter, as a Word draft."""
    _draft(ctx, DRAFTS["to-trinh"], {"nominations": nomination, "number": number}, out)


@drafts_app.command("quyet-dinh")
def draft_decision(ctx: typer.Context, nomination: Annotated[list[str], typer.Option("--nomination")],
                   out: Annotated[Path, typer.Option("--out")] = Path("du-thao-quyet-dinh.docx"), number: str | None = None,
                   signed_on: Annotated[str | None, typer.Option(help="dd/mm/yyyy: căn cứ pháp lý theo ngày này")] = None,
                   signer_name: str | None = None) -> None:
    """Dự thảo quyết định khen thưởng (Word, A4, đủ căn cứ) / the decision, as a Word draft with its legal grounds."""
    _draft(ctx, DRAFTS["quyet-dinh"], {"nominations": nomination, "number": number, "signed_on": signed_on, "signer_name": signer_name}, out)


@drafts_app.command("bien-ban")
def draft_minutes(ctx: typer.Context, ballot_id: BallotArg, out: Annotated[Path, typer.Option("--out")] = Path("bien-ban-kiem-phieu.docx")) -> None:
    """Biên bản kiểm phiếu của một cuộc bỏ phiếu đã kiểm (Word) / a counted ballot's minutes."""
    c, client = _client(ctx)
    ballot_id = ballot_ref(c, ballot_id)
    out.write_bytes(client.download(f"/ballots/{ballot_id}/minutes.docx"))
    c.say("exported", path=out)


def _draft(ctx: typer.Context, path: str, body: dict[str, Any], out: Path) -> None:
    c, client = _client(ctx)
    body["nominations"] = nominations_ref(c, body["nominations"])
    out.write_bytes(client.download(path, method="POST", json={k: v for k, v in body.items() if v is not None}))
    c.say("exported", path=out)


@awards_app.command("certificates")
def certificates(ctx: typer.Context, decision_id: DecisionArg, out: Path, layout: str = "plain", nomination: str | None = None) -> None:
    """In giấy chứng nhận (PDF) / print the certificates."""
    c, client = _client(ctx)
    decision_id = decision_ref(c, decision_id)
    nomination = nomination_ref(c, nomination) if nomination else None
    params = {k: v for k, v in {"layout": layout, "nomination": nomination}.items() if v}
    out.write_bytes(client.download(f"/decisions/{decision_id}/certificates.pdf", params=params))
    c.say("exported", path=out)


@awards_app.command("history")
def history(ctx: typer.Context, unit: str | None = None, person: str | None = None, year: int | None = None) -> None:
    """Lịch sử khen thưởng / award history."""
    c, client = _client(ctx)
    table = Table()
    for code in ("column_year", "column_award", "column_name", "column_decision"):
        table.add_column(_t(c, code))
    for h in client.call("GET", "/history", params={k: v for k, v in {"unit": unit, "person": person, "year": year}.items() if v}):
        mark = f" ({_t(c, 'revoked')})" if h["award"]["revoked"] else ""
        via = f" ← {h['via_predecessor']['code']}" if h["via_predecessor"] else ""
        table.add_row(str(h["award"]["year"]), h["award_name"] + mark, h["name"] + via, h["award"]["decision_number"] or "")
    console.print(table)


@awards_app.command("import")
def import_(ctx: typer.Context, kind: Annotated[str, typer.Argument(help="history | ratings | initiatives | disciplines | nominations")],
            file: Path, dry_run: Annotated[bool, typer.Option("--dry-run")] = False) -> None:
    """Nhập từ Excel/CSV, tất cả hoặc không / import, all or nothing."""
    c, client = _client(ctx)
    result = client.import_file(f"/imports/{kind}", file, dry_run)
    c.say("import_records_done", count=result["created"], kind=kind)


@awards_app.command("report")
def report(ctx: typer.Context, form: Annotated[str, typer.Argument(help="0601 | 0602 | 0603")], year: int | None = None,
           xlsx: Path | None = None) -> None:
    """Báo cáo thống kê theo Thông tư 02/2023/TT-BNV / a statistical report."""
    c, client = _client(ctx)
    params = {"year": year} if year else {}
    if xlsx is not None:
        xlsx.write_bytes(client.download(f"/reports/{form}/export.xlsx", params=params))
        c.say("exported", path=xlsx)
        return
    found = client.call("GET", f"/reports/{form}", params=params)
    table = Table(title=f"{found['code']} – {found['title']}")
    table.add_column(_t(c, "column_criterion"))
    for column in found["columns"]:
        table.add_column(column["label"] if not column["group"] else f"{column['group']}: {column['label']}")
    for label, cells in zip(found["rows"], found["cells"], strict=True):
        table.add_row(label, *map(str, cells))
    console.print(table)
