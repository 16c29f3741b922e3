"""`thidua audit`: what an inspector, the council or a citizen uses to check the log."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.table import Table
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from thidua_cli.audit import LogVerifier, iter_stored
from thidua_cli.audit.ledger import TreeStore, Witness, WitnessRefused, consistency_text, log_verifier, read_consistency, refresh, witness_name
from thidua_cli.audit.history import Change, history as history_of, workbook
from thidua_cli.audit.stream import stored_messages
from thidua_cli.client import Context, console
from thidua_cli.refs import ID, decision_ref, round_ref
from thidua_shared.events.awards import DECISION_EVENTS
from thidua_shared.i18n import event_name, format_moment, format_number, role_name, translate
from thidua_shared.keys import TrustedKeys, ensure_node_key
from thidua_shared.transparency import merkle
from thidua_shared.transparency.notes import COSIGNATURE_V1, Checkpoint, InclusionProofText, Note, NoteError, Verifier, parse_note, verified_by
from thidua_shared.messaging.nats_access import identity_for
from thidua_shared.topology import SERVICES, TOOLS_IDENTITY

if TYPE_CHECKING:
    from thidua_cli.audit.replay import ReplayOutcome

audit_app = typer.Typer(help="Kiểm toán nhật ký sự kiện / audit the event log", no_args_is_help=True)


async def _verify(c: Context, progress: Progress, every_signature: bool) -> LogVerifier:
    verifier = LogVerifier(TrustedKeys(c.settings.trusted_keys_dir), every_signature=every_signature)
    task = progress.add_task(translate("verify_progress", c.language), total=None)
    async for stored in iter_stored(c.settings.nats_servers, identity_for(c.settings, TOOLS_IDENTITY)):
        verifier.add(stored)
        if verifier.total % 1000 == 0:
            progress.update(task, completed=verifier.total)
    progress.update(task, completed=verifier.total)
    return verifier


def verify_log(c: Context, every_signature: bool = False) -> None:
    """Read the node's whole log once, as a stream, and print one line per chain; exit 1 on any problem."""
    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        verifier = asyncio.run(_verify(c, progress, every_signature))
    reports = verifier.reports()
    for report in reports:
        if report.missing_key:
            c.say("verify_no_key", node=report.node)
        if report.problem_count:
            c.say("verify_bad", chain=report.chain, count=report.count, problems=report.problem_count)
            for problem in report.problems:
                typer.echo(f"  - {problem}")
        else:
            c.say("verify_ok", chain=report.chain, count=report.count)
    for line in verifier.unreadable:
        c.say("verify_unreadable", where=line)
    elapsed = time.perf_counter() - started
    c.say("verify_summary", events=verifier.total, chains=len(verifier.chains), seconds=format_number(elapsed, c.language, 1),
          rate=format_number(verifier.total / elapsed, c.language, 0) if elapsed else "–")
    if not verifier.intact or any(r.missing_key for r in reports):
        raise typer.Exit(1)


@audit_app.command("verify")
def verify(ctx: typer.Context, every_signature: Annotated[bool, typer.Option(
        help="Kiểm chữ ký của từng sự kiện (mặc định: chữ ký cuối mỗi đoạn chuỗi, bảo đảm cả đoạn)")] = False) -> None:
    """Kiểm tra mọi chuỗi của mọi nút trong nhật ký (đọc một lượt, bộ nhớ không đổi) / verify every chain of every node."""
    verify_log(ctx.obj, every_signature)


# --- replay ----------------------------------------------------------------------------------------------
def _print_replay(c: Context, outcome: "ReplayOutcome") -> None:
    spec, replayer = outcome.replayer.spec, outcome.replayer
    for first, last in outcome.holes:
        c.say("audit_replay_hole", first=first, last=last)
    for refusals, code in ((replayer.rejected, "audit_replay_rejected"), (replayer.refused, "audit_replay_refused")):
        if refusals:
            c.say(code, count=len(refusals))
            for r in refusals[:20]:
                typer.echo(f"  - {r.chain} {r.event_type} {r.event_id}: {r.reason}")
    for table in outcome.tables:
        if table.identical:
            c.say("audit_replay_table_ok", table=table.table, rows=table.live_rows)
            continue
        c.say("audit_replay_table_bad", table=table.table, count=table.difference_count, live=table.live_rows, rebuilt=table.rebuilt_rows)
        for line in table.differences:
            typer.echo(f"  - {line}")
    for what, why in spec.skipped.items():
        c.say("audit_replay_not_compared", what=what, why=why)


@audit_app.command("replay")
def replay_command(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="registry, campaigns, scoring hoặc awards")],
    into: Annotated[Path | None, typer.Option(help="Giữ bản dựng lại ở tệp SQLite mới này / keep the rebuilt database here")] = None,
) -> None:
    """Dựng lại trạng thái một dịch vụ chỉ từ nhật ký vào CSDL mới và so với CSDL đang chạy, từng bảng /
    rebuild a service from the log alone into a fresh database and compare it with the live one, table by table."""
    from thidua_cli.audit.replay import live_database_url, replay  # databases and migrations: loaded for this command only

    c: Context = ctx.obj
    if service not in SERVICES:
        raise c.fail("audit_replay_unknown_service", service=service, services=", ".join(SERVICES))
    if into is not None and into.exists():
        raise c.fail("audit_replay_target_exists", path=into)
    live_url = live_database_url(service, c.settings)
    if live_url is None:
        raise c.fail("audit_replay_no_live_database", service=service, node=c.settings.node)
    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with tempfile.TemporaryDirectory(prefix="thidua-replay-") as scratch, Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(translate("audit_replay_progress", c.language, service=service), total=None)
        target = into or Path(scratch) / f"{service}.db"
        outcome = asyncio.run(replay(service, c.settings, live_url, target, lambda n: progress.update(task, completed=n)))
    elapsed = time.perf_counter() - started
    _print_replay(c, outcome)
    replayer = outcome.replayer
    c.say("audit_replay_summary", service=service, events=replayer.read, applied=replayer.applied, seconds=format_number(elapsed, c.language, 1),
          rate=format_number(replayer.read / elapsed, c.language, 0) if elapsed else "–")
    if into is not None:
        c.say("audit_replay_kept", path=into)
    if not outcome.identical:
        c.say("audit_replay_different", tables=sum(not t.identical for t in outcome.tables))
        raise typer.Exit(1)
    c.say("audit_replay_identical", tables=len(outcome.tables))


# --- the transparency log ---------------------------------------------------------------------------------
RANKING_TYPES = ("scoring.ranking_published",)


def _store(c: Context) -> TreeStore:
    return TreeStore(c.settings.ledger_path)


def _node_key(c: Context) -> Ed25519PrivateKey:
    return ensure_node_key(c.settings.keys_dir, c.settings.node)


def _as_witness(c: Context) -> None:
    """A witness is another party, with its own folder and key: the centre cannot vouch for its own log, and a
    witness's key made in the centre's folder would land among the keys the centre trusts."""
    if c.settings.node == c.settings.centre_node:
        raise c.fail("audit_witness_is_centre", node=c.settings.node)


def _read_note(c: Context, path: Path) -> Note:
    try:
        return parse_note(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, NoteError) as exc:
        raise c.fail("audit_bad_file", path=path) from exc


def _verifiers(c: Context, values: list[str] | None) -> list[Verifier]:
    try:
        return [Verifier.from_vkey(v) for v in values or []]
    except NoteError as exc:
        raise c.fail("audit_bad_key") from exc


def refresh_log(c: Context) -> tuple[TreeStore, Note]:
    """The tree brought up to the log, and the checkpoint signed of it."""
    store = _store(c)
    return store, refresh(store, c.settings)


@audit_app.command("log")
def log(ctx: typer.Context, out: Annotated[Path | None, typer.Option(help="Ghi điểm kiểm ra tệp (cho nhân chứng, cho lần so sau)")] = None) -> None:
    """Cập nhật cây Merkle của nhật ký và ký điểm kiểm (checkpoint) / update the Merkle log and sign a checkpoint."""
    c: Context = ctx.obj
    store, note = refresh_log(c)
    store.close()
    checkpoint = Checkpoint.parse(note.text)
    c.say("audit_checkpoint", size=checkpoint.size, root=checkpoint.root.hex())
    if out is None:
        typer.echo(str(note), nl=False)
        return
    out.write_text(str(note), encoding="utf-8")
    c.say("exported", path=out)


@audit_app.command("key")
def key(ctx: typer.Context, witness: Annotated[bool, typer.Option(help="Khóa đồng ký của nút này / this node's witness key")] = False) -> None:
    """In khóa công khai để kiểm chứng (vkey) / print the public key that checks the log's (or this witness's) signatures."""
    c: Context = ctx.obj
    if witness:
        _as_witness(c)
    node_key = _node_key(c)
    verifier = Verifier(witness_name(c.settings.node), COSIGNATURE_V1, node_key.public_key()) if witness else log_verifier(node_key)
    typer.echo(verifier.vkey())


@audit_app.command("prove")
def prove(ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Mã sự kiện, award:<mã hoặc số quyết định> hoặc ranking:<mã vòng chấm hoặc CỤM/NĂM>")],
          out: Annotated[Path | None, typer.Option(help="Tệp .tlog-proof để ghi")] = None) -> None:
    """Lập bằng chứng (tlog-proof) rằng một sự kiện, khen thưởng hoặc xếp hạng nằm trong nhật ký / prove an event, award or ranking is in the log."""
    c: Context = ctx.obj
    store, note = refresh_log(c)
    kind, _, value = ref.partition(":") if ":" in ref else ("event", "", ref)
    found = _leaf(store, kind, value)
    if found is None and kind in PEOPLES_REFS and not ID.match(value):  # a decision's number, a round's cluster and year
        value = PEOPLES_REFS[kind](c, value)
        found = _leaf(store, kind, value)
    if found is None:
        raise c.fail("audit_not_in_log", ref=ref)
    index, stream_seq = found
    size = Checkpoint.parse(note.text).size
    [stored] = asyncio.run(stored_messages(c.settings.nats_servers, identity_for(c.settings, TOOLS_IDENTITY), [stream_seq]))
    proof = InclusionProofText(index, merkle.inclusion_proof(index, size, store.subtree), note, extra=stored.body)
    target = out or Path(f"{value}.tlog-proof")
    target.write_text(str(proof), encoding="utf-8")
    store.close()
    c.say("audit_proof_written", path=target, index=index, size=size)


PEOPLES_REFS = {"award": decision_ref, "ranking": round_ref}


def _leaf(store: TreeStore, kind: str, value: str) -> tuple[int, int] | None:
    """(leaf index, stream sequence) of an event by its id, of an award's decision, or of a round's ranking."""
    about = {"award": DECISION_EVENTS, "ranking": RANKING_TYPES}
    return store.leaf_of_event(value) if kind == "event" else store.last_leaf_about(value, about[kind]) if kind in about else None


@audit_app.command("check")
def check(ctx: typer.Context, proof_file: Path,
          log_key: Annotated[str, typer.Option(help="Khóa công khai của nhật ký trung tâm (vkey)")],
          witness: Annotated[list[str] | None, typer.Option("--witness", help="Khóa của một nhân chứng (vkey), lặp lại")] = None,
          min_cosignatures: Annotated[int, typer.Option(help="Số đồng ký tối thiểu của nhân chứng")] = 0) -> None:
    """Kiểm tra bằng chứng ngoại tuyến, chỉ với khóa công khai của trung tâm / check a proof offline with the centre's public key."""
    c: Context = ctx.obj
    try:
        proof = InclusionProofText.parse(proof_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, NoteError) as exc:
        raise c.fail("audit_bad_file", path=proof_file) from exc
    log_verifier_, witnesses = _verifiers(c, [log_key])[0], _verifiers(c, witness)
    try:
        signed = verified_by(proof.checkpoint, [log_verifier_, *witnesses])
        checkpoint = Checkpoint.parse(proof.checkpoint.text)
    except NoteError as exc:
        raise c.fail("audit_note_unverified") from exc
    cosigners = [v.name for v in signed if v.kind == COSIGNATURE_V1]
    if log_verifier_ not in signed or checkpoint.origin != log_verifier_.name:
        raise c.fail("audit_not_signed_by_log")
    if len(cosigners) < min_cosignatures:
        raise c.fail("audit_too_few_cosignatures", count=len(cosigners), required=min_cosignatures)
    leaf = merkle.leaf_hash(proof.extra or b"")
    if not merkle.verify_inclusion(leaf, proof.index, checkpoint.size, proof.path, checkpoint.root):
        raise c.fail("audit_proof_not_to_root")
    event = json.loads(proof.extra or b"{}")
    c.say("audit_check_ok", index=proof.index, size=checkpoint.size, cosigners=", ".join(cosigners) or "–")
    c.say("audit_event", type=event_name(str(event.get("type")), c.language), id=event.get("id"), node=event.get("node"),
          at=format_moment(datetime.fromisoformat(event["occurred_at"]), c.language) if "occurred_at" in event else "?",
          actor=(event.get("actor") or {}).get("name"))


@audit_app.command("consistency")
def consistency(ctx: typer.Context, old: Path, new: Path,
                out: Annotated[Path | None, typer.Option(help="Ghi bằng chứng nhất quán ra tệp (cho nhân chứng)")] = None) -> None:
    """Chứng minh nhật ký chỉ được ghi thêm giữa hai điểm kiểm / prove the log only grew between two checkpoints."""
    c: Context = ctx.obj
    older, newer = (Checkpoint.parse(_read_note(c, p).text) for p in (old, new))
    store = _store(c)
    try:
        proof = merkle.consistency_proof(older.size, newer.size, store.subtree)
    except (ValueError, LookupError) as exc:
        raise c.fail("audit_no_consistency", old=older.size, new=newer.size) from exc
    finally:
        store.close()
    if out is not None:
        out.write_text(consistency_text(older.size, newer.size, proof), encoding="utf-8")
    if not merkle.verify_consistency(older.size, newer.size, older.root, newer.root, proof):
        raise c.fail("audit_inconsistent", old=older.size, new=newer.size)
    c.say("audit_consistent", old=older.size, new=newer.size)


@audit_app.command("cosign")
def cosign_command(ctx: typer.Context, checkpoint_file: Path,
                   log_key: Annotated[str, typer.Option(help="Khóa công khai của nhật ký trung tâm (vkey)")],
                   proof: Annotated[Path | None, typer.Option(help="Bằng chứng nhất quán từ điểm kiểm đã đồng ký trước")] = None,
                   out: Annotated[Path | None, typer.Option(help="Tệp để ghi điểm kiểm đã đồng ký")] = None) -> None:
    """Nhân chứng: đồng ký điểm kiểm sau khi kiểm tra nhất quán với điểm đã thấy / a witness cosigns a consistent checkpoint."""
    c: Context = ctx.obj
    _as_witness(c)
    note, log = _read_note(c, checkpoint_file), _verifiers(c, [log_key])[0]
    witness = Witness(c.settings.var_dir / "witness", c.settings.node, _node_key(c))
    try:
        path = read_consistency(proof.read_text(encoding="utf-8")) if proof else None
        cosigned = witness.cosign(note, log, path)
    except WitnessRefused as refused:
        raise c.fail(refused.code, **refused.params) from refused
    except (OSError, NoteError, ValueError) as exc:
        raise c.fail("audit_bad_file", path=proof or checkpoint_file) from exc
    target = out or checkpoint_file.with_suffix(".cosigned")
    target.write_text(str(cosigned), encoding="utf-8")
    c.say("audit_cosigned", size=Checkpoint.parse(note.text).size, path=target)


@audit_app.command("add-cosignature")
def add_cosignature(ctx: typer.Context, cosigned_file: Path) -> None:
    """Trung tâm: lưu đồng ký của nhân chứng bên điểm kiểm / the centre keeps a witness's cosignature with its checkpoint."""
    c: Context = ctx.obj
    store = _store(c)
    try:
        merged = store.add_cosignature(_read_note(c, cosigned_file), log_verifier(_node_key(c)))
    except LookupError as exc:
        raise c.fail("audit_cosigned_unknown") from exc
    finally:
        store.close()
    c.say("audit_cosignatures", count=len(merged.signatures) - 1)


@audit_app.command("history")
def history(ctx: typer.Context, kind: Annotated[str, typer.Argument(help="Loại: unit, nomination, decision, review_round, campaign, …")],
            ref: Annotated[str, typer.Argument(help="Mã (id); với đơn vị có thể dùng mã đơn vị")],
            json_out: Annotated[Path | None, typer.Option("--json", help="Ghi ra tệp JSON")] = None,
            xlsx: Annotated[Path | None, typer.Option(help="Ghi ra tệp Excel")] = None) -> None:
    """Ai đã thay đổi gì, khi nào, ở nút nào, vì sao / who changed this, when, on which node, why, and what changed."""
    c: Context = ctx.obj
    store, _ = refresh_log(c)
    sequences = store.leaves_about(kind, ref)
    if not sequences and kind == "unit":  # a unit's code: its id from the registry
        found = c.client("registry").call("GET", f"/units/{ref}", tolerate=("unit_not_found",))
        sequences = store.leaves_about(kind, found["id"]) if found else []
    store.close()
    if not sequences:
        raise c.fail("audit_not_in_log", ref=f"{kind}:{ref}")
    stored = asyncio.run(stored_messages(c.settings.nats_servers, identity_for(c.settings, TOOLS_IDENTITY), sequences))
    entries = history_of([(s.stream_sequence, s.body) for s in stored])
    table = Table(title=translate("audit_history_title", c.language, kind=kind, ref=ref, count=len(entries)), show_lines=True)
    for code in ("column_when", "column_node", "column_event", "column_actor", "column_why", "column_changes"):
        table.add_column(translate(code, c.language), overflow="fold")
    for entry in entries:
        changes = "\n".join(_change(c, ch) for ch in entry.changes[:8])
        if len(entry.changes) > 8 or entry.more_changes:
            changes += "\n" + translate("audit_more_changes", c.language, count=len(entry.changes) - 8 + entry.more_changes)
        table.add_row(format_moment(entry.occurred_at, c.language), entry.node, event_name(entry.type, c.language),
                      f"{entry.actor} ({role_name(entry.role, c.language)})",
                      entry.reason or "", changes)
    console.print(table)
    if json_out is not None:
        json_out.write_text(json.dumps([e.row(c.language) for e in entries], ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    if xlsx is not None:
        xlsx.write_bytes(workbook(entries, translate("audit_history_title", c.language, kind=kind, ref=ref, count=len(entries)), c.language))


def _change(c: Context, change: Change) -> str:
    """"unit.code: None → 'LMHTX-31'" as a person reads it: "Mã: (trống) → LMHTX-31"."""
    def shown(value: object) -> str:
        return translate("audit_empty", c.language) if value in (None, "", [], {}) else str(value)

    return f"{change.label(c.language)}: {shown(change.before)} → {shown(change.after)}"
