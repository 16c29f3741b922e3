"""The centre's transparency log from the command line, on a real node's log: a signed checkpoint, a
proof of one event (and of an award, a ranking) checked offline with only the centre's public key,
consistency between checkpoints, and a witness that cosigns and refuses a rewritten history."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from thidua_cli.audit.ledger import consistency_text
from thidua_shared.events.envelope import GENESIS_HASH
from thidua_shared.keys import load_private_key, private_key_path
from thidua_shared.spreadsheets import read_rows
from thidua_shared.transparency import merkle
from thidua_shared.transparency.notes import Checkpoint, Note, parse_note, sign

from tests.nodes import Node
from tests.support import CliResult, run_cli, sealed_event

pytestmark = pytest.mark.timeout(180)


async def thidua(args: list[str], node: Node | None = None, witness_dir: Path | None = None) -> CliResult:
    """The CLI as the centre's auditor runs it (`node`), or as Hải Phòng's witness (`witness_dir`)."""
    if node is not None:
        return await run_cli(args, node.cli_env())
    return await run_cli(args, {"THIDUA_NODE": "hp", "THIDUA_VAR_DIR": str(witness_dir), "THIDUA_CENTRE_URL": "nats-leaf://127.0.0.1:7422",
                                "THIDUA_TRUSTED_KEYS": str(witness_dir / "keys"), "THIDUA_LANGUAGE": "vi", "COLUMNS": "200"})


def ok(done: CliResult) -> str:
    """What it printed, whitespace folded (the console wraps at the width it finds)."""
    assert done.returncode == 0, done.stdout + done.stderr
    return done.said


def checkpoint_from(done: CliResult) -> str:
    """The signed checkpoint `audit log` prints after its summary line (as printed, not folded)."""
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout[done.stdout.index("thidua.vn/log\n"):]


async def test_prove_check_consistency_and_witnesses(centre: Node, tmp_path: Path) -> None:
    events = await centre.write("registry", "registry.unit_registered", 12)
    ranking = (await centre.write("scoring", "scoring.ranking_published", 3))[1]
    log_key = (await thidua(["audit", "key"], centre)).stdout.strip()
    first = tmp_path / "first.checkpoint"
    first.write_text(checkpoint_from(await thidua(["audit", "log"], centre)))
    assert Checkpoint.parse(parse_note(first.read_text()).text).size == 15

    # One event's proof, checked offline with only the log's key; a changed proof fails.
    proof = tmp_path / "event.tlog-proof"
    assert "vị trí 4 trong cây 15 sự kiện" in ok(await thidua(["audit", "prove", str(events[4].id), "--out", str(proof)], centre))
    checked = ok(await thidua(["audit", "check", str(proof), "--log-key", log_key], witness_dir=tmp_path / "reader"))
    assert "Hợp lệ: sự kiện ở vị trí 4" in checked and str(events[4].id) in checked and "Sự kiện Thêm đơn vị" in checked
    forged = tmp_path / "forged.tlog-proof"
    lines = proof.read_text().split("\n")  # header, extra (the event), index, then the path's hashes
    lines[3] = lines[4]  # one hash of the path replaced by another
    forged.write_text("\n".join(lines))
    refused = await thidua(["audit", "check", str(forged), "--log-key", log_key], witness_dir=tmp_path / "reader")
    assert refused.returncode == 1 and "KHÔNG hợp lệ" in refused.complained

    ranking_proof = tmp_path / "ranking.tlog-proof"
    ok(await thidua(["audit", "prove", f"ranking:{ranking.aggregate.id}", "--out", str(ranking_proof)], centre))
    assert "Công bố bảng điểm và xếp hạng" in ok(await thidua(["audit", "check", str(ranking_proof), "--log-key", log_key], witness_dir=tmp_path / "reader"))
    missing = await thidua(["audit", "prove", "award:00000000-0000-4000-8000-000000000000"], centre)
    assert missing.returncode == 1 and "Không tìm thấy" in missing.complained

    # Hải Phòng's node witnesses: it cosigns the first checkpoint, then the second with a consistency proof.
    witness = tmp_path / "hp"
    ok(await thidua(["audit", "cosign", str(first), "--log-key", log_key], witness_dir=witness))
    await centre.write("campaigns", "campaigns.campaign_drafted", 6)
    second = tmp_path / "second.checkpoint"
    second.write_text(checkpoint_from(await thidua(["audit", "log"], centre)))
    consistency = tmp_path / "first-second.proof"
    assert "Nhất quán" in ok(await thidua(["audit", "consistency", str(first), str(second), "--out", str(consistency)], centre))
    ok(await thidua(["audit", "cosign", str(second), "--log-key", log_key, "--proof", str(consistency), "--out", str(tmp_path / "second.cosigned")],
              witness_dir=witness))
    assert "1 đồng ký" in ok(await thidua(["audit", "add-cosignature", str(tmp_path / "second.cosigned")], centre))
    witness_key = (await thidua(["audit", "key", "--witness"], witness_dir=witness)).stdout.strip()
    ok(await thidua(["audit", "prove", str(events[0].id), "--out", str(proof)], centre))
    cosigned = ok(await thidua(["audit", "check", str(proof), "--log-key", log_key, "--witness", witness_key, "--min-cosignatures", "1"],
                         witness_dir=tmp_path / "reader"))
    assert "đồng ký: thidua.vn/witness/hp" in cosigned
    short = await thidua(["audit", "check", str(proof), "--log-key", log_key, "--witness", witness_key, "--min-cosignatures", "2"],
                   witness_dir=tmp_path / "reader")
    assert short.returncode == 1

    # The log's key re-signs a rewritten history of the same size: consistency fails, the witness refuses.
    size = Checkpoint.parse(parse_note(second.read_text()).text).size
    rewritten = merkle.MemoryTree()
    for index in range(size):
        rewritten.append(merkle.leaf_hash(f"khác {index}".encode()))
    key = load_private_key(private_key_path(centre.settings.keys_dir, "vn"))
    rewritten.append(merkle.leaf_hash(b"them"))
    lie = Checkpoint("thidua.vn/log", size + 1, rewritten.root(size + 1))
    fake = tmp_path / "rewritten.checkpoint"
    fake.write_text(str(Note(lie.text(), [sign(lie.text(), "thidua.vn/log", key)])))
    honest_proof = merkle.consistency_proof(size, size + 1, rewritten.subtree)
    assert not merkle.verify_consistency(size, size + 1, Checkpoint.parse(parse_note(second.read_text()).text).root, lie.root, honest_proof)
    (tmp_path / "lie.proof").write_text(consistency_text(size, size + 1, honest_proof))
    refused = await thidua(["audit", "cosign", str(fake), "--log-key", log_key, "--proof", str(tmp_path / "lie.proof")], witness_dir=witness)
    assert refused.returncode == 1 and "từ chối" in refused.complained and "rewrote its history" in refused.complained
    inconsistent = await thidua(["audit", "consistency", str(second), str(fake)], centre)
    assert inconsistent.returncode == 1


async def test_who_changed_this(centre: Node, tmp_path: Path) -> None:
    """A unit registered, renamed and merged: its history names who, when (Vietnam's time), why, and what changed."""
    steps = [("registry.unit_registered", {"unit": {"id": "U1", "code": "HTX-31-A", "name": "HTX Nông nghiệp A", "status": "active"}}),
             ("registry.unit_updated", {"unit": {"id": "U1", "code": "HTX-31-A", "name": "HTX Nông nghiệp Tiên Lãng", "status": "active"}}),
             ("registry.unit_merged", {"unit": {"id": "U1", "code": "HTX-31-A", "name": "HTX Nông nghiệp Tiên Lãng", "status": "merged"},
                                       "reason": "Sáp nhập theo Nghị quyết của Đại hội thành viên"})]
    nc = await centre.connect("registry")
    try:
        prev = GENESIS_HASH
        for sequence, (event_type, payload) in enumerate(steps, start=1):
            event = sealed_event(centre.key, "vn", event_type, sequence, prev, payload, aggregate_kind="unit")
            event = event.model_copy(update={"aggregate": event.aggregate.model_copy(update={"id": "U1"})}).sealed(centre.key)
            prev = event.hash
            body, headers = event.to_message()
            await nc.jetstream().publish(event.subject, body, headers=headers)
    finally:
        await nc.close()
    out_json, out_xlsx = tmp_path / "u1.json", tmp_path / "u1.xlsx"
    shown = ok(await thidua(["audit", "history", "unit", "U1", "--json", str(out_json), "--xlsx", str(out_xlsx)], centre))
    assert "Lịch sử unit U1: 3 sự kiện" in shown  # the table; its cells are checked in the JSON below
    rows = json.loads(out_json.read_text())
    assert [r["type"] for r in rows] == [t for t, _ in steps]
    assert rows[1]["changes"] == [{"path": "unit.name", "before": "HTX Nông nghiệp A", "after": "HTX Nông nghiệp Tiên Lãng"}]
    assert rows[2]["changes"] == [{"path": "reason", "before": None, "after": "Sáp nhập theo Nghị quyết của Đại hội thành viên"},
                                  {"path": "unit.status", "before": "active", "after": "merged"}]  # canonical JSON: keys in order
    assert rows[2]["reason"] == "Sáp nhập theo Nghị quyết của Đại hội thành viên" and rows[0]["actor"]
    assert re.fullmatch(r"\d\d:\d\d \d\d/\d\d/\d{4}", rows[0]["at"])  # Vietnam's time, as a reader writes it
    sheet = list(read_rows(out_xlsx, "u1.xlsx"))
    assert [r["event"] for r in rows] == ["Thêm đơn vị", "Sửa thông tin đơn vị", "Hợp nhất đơn vị"]  # never the type's code
    assert sheet[1][:3] == ["Thời điểm (giờ Việt Nam)", "Nút", "Sự kiện"] and any("Hợp nhất đơn vị" in row for row in sheet)
    unknown = await thidua(["audit", "history", "nomination", "khong-co"], centre)
    assert unknown.returncode == 1 and "Không tìm thấy" in unknown.complained
