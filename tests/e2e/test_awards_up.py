"""End to end through `thidua up`: the demo's 2017 cluster meeting, from the published rankings to a
decided award; the certificate printed by `thidua awards certificates` reads back as the decision says,
and every awards event in the stream is signed and chained."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import sysconfig
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from thidua_shared.events.envelope import verify_chain
from thidua_shared.keys import load_public_key, public_key_path
from thidua_shared.transparency import merkle
from thidua_shared.transparency.notes import InclusionProofText

from tests.e2e.test_thidua_up import Up, service_events, thidua
from tests.support import run_cli, wait_for

pytestmark = pytest.mark.e2e


def test_the_2017_meeting_ends_in_a_decided_flag_and_its_certificate(tmp_path: Path):
    up = Up(tmp_path / "var").start()
    try:
        demo = thidua(up, "demo")
        assert demo.returncode == 0, demo.stdout + demo.stderr
        awards = httpx.Client(base_url=up.awards, headers=up.admin(), timeout=30)
        decided = [n for n in awards.get("/nominations", params={"state": "decided"}).json()]
        assert sorted(n["subject_name"] for n in decided) == ["HTX Sản xuất kinh doanh dịch vụ nông nghiệp Quang Phục",
                                                              "Liên minh HTX thành phố Hồ Chí Minh"]
        hcm = awards.get(f"/nominations/{next(n['id'] for n in decided if n['subject_name'].startswith('Liên minh'))}").json()
        assert hcm["source"] == "ranking" and hcm["ranking_round_id"] and hcm["ballots"][0]["passed"] is True
        decision_number = hcm["trail"][-1]["reason"]
        history = awards.get("/history", params={"unit": "LMHTX-79"}).json()
        flag = next(h for h in history if h["award"]["award_code"] == "co_thi_dua_lmhtx_vn")["award"]
        assert flag["year"] == 2017 and flag["decision_number"] == decision_number
        [decision] = awards.get("/decisions", params={"number": decision_number}).json()
        out = tmp_path / "co-thi-dua.pdf"
        printed = thidua(up, "awards", "certificates", decision["id"], str(out))
        assert printed.returncode == 0, printed.stdout + printed.stderr
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages]
        assert len(pages) == 2 and any("Liên minh HTX thành phố Hồ Chí Minh" in p for p in pages)
        assert all("CỜ THI ĐUA" in p and decision_number in p for p in pages)
        events = service_events(up, 10, "awards")
        # The decision is in the centre's transparency log: its proof checks offline with the log's key alone.
        assert (up.var / "ledger" / "checkpoint").exists()  # `up` signed a first checkpoint itself
        proof = tmp_path / "decision.tlog-proof"
        proved = thidua(up, "audit", "prove", f"award:{decision['id']}", "--out", str(proof))
        assert proved.returncode == 0, proved.stdout + proved.stderr
        log_key = thidua(up, "audit", "key").stdout.strip()
        checked = thidua(up, "audit", "check", str(proof), "--log-key", log_key)
        assert checked.returncode == 0 and "Quyết định khen thưởng" in " ".join(checked.stdout.split()), checked.stdout + checked.stderr
        # Each certificate's QR code (and the small print beside it) says where the proof is, and its leaf.
        leaf = merkle.leaf_hash(InclusionProofText.parse(proof.read_text()).extra or b"").hex()
        printed_text = "".join("".join(p.split()) for p in pages)
        assert printed_text.count(f"minh-bach/award:{decision['id']}?leaf={leaf}") == 2
        council_votes_from_the_command_line(up, tmp_path, hcm["id"])
        found_by_what_people_know(up, decision_number, decision["id"])
        verified = thidua(up, "audit", "verify")
        assert verified.returncode == 0 and "Chuỗi vn.awards" in verified.stdout, verified.stdout + verified.stderr
        every_service_replays_identical(up)
    finally:
        assert up.stop() == 0
    assert "awards.award_decided" in [e.type for e in events] and "awards.ballot_closed" in [e.type for e in events]
    key = load_public_key(public_key_path(tmp_path / "var" / "keys", "vn"))
    assert verify_chain(events, key) == []


def council_votes_from_the_command_line(up: Up, tmp_path: Path, nomination: str) -> None:
    """A council of one votes through the CLI: the member's key file is made owner-only, the choice is encrypted
    on this machine, and the member, as the only teller, counts."""
    registry = httpx.Client(base_url=up.registry, headers=up.admin(), timeout=30)
    person = registry.post("/people", json={"unit": "VCA", "full_name": "Trần Thị Hội Đồng", "position": "Ủy viên Hội đồng"}).json()["id"]
    token = registry.post("/tokens", json={"holder_name": "Ủy viên", "role": "council_member", "scope_unit": "VCA", "person": person}).json()["token"]
    key_file = tmp_path / "kiem-phieu.key"
    member = ("--token", token)
    wait_for(lambda: httpx.get(f"{up.awards}/rulesets", headers={"Authorization": f"Bearer {token}"}).status_code == 200, 60,
             "the awards service to know the new token and person")

    def ok(*args: str) -> str:
        done = thidua(up, *args)
        assert done.returncode == 0, done.stdout + done.stderr
        return " ".join(done.stdout.split())  # as read, whatever the terminal's width wrapped

    ok(*member, "awards", "ballots", "teller-key", "--key-file", str(key_file))
    assert key_file.stat().st_mode & 0o777 == 0o600
    opened = ok("awards", "ballots", "open", "--title", "Hội đồng xét lại", "--year", "2017", "--nomination", nomination,
                "--voter", person, "--teller", person)
    ballot = re.search(r"bỏ phiếu (\S+) cho", opened).group(1)  # type: ignore[union-attr]
    assert "cuộc bỏ phiếu đã mở" in ok(*member, "awards", "ballots", "deal", ballot, "--key-file", str(key_file))
    receipt = re.search(r"[0-9a-f]{64}", ok(*member, "awards", "ballots", "vote", ballot, "--choice", f"{nomination}=yes")).group(0)  # type: ignore[union-attr]
    assert "đang kiểm phiếu" in ok("awards", "ballots", "close", ballot)
    assert "đồng ý 1, không đồng ý 0, không ý kiến 0 – đạt" in ok(*member, "awards", "ballots", "count", ballot, "--key-file", str(key_file))
    assert "đã được tính" in ok(*member, "awards", "ballots", "verify", ballot, receipt)


def found_by_what_people_know(up: Up, decision_number: str, decision_id: str) -> None:
    """Issue 18, item 6: a campaign by its letter's number, a decision by its number, a cluster's pledges, a token's
    id to revoke it with: every list shows ids, every success says what was done."""
    def said(*args: str) -> str:  # as on a wide terminal: a table's cells are not wrapped
        command = [str(Path(sysconfig.get_path("scripts")) / "thidua"), *args]
        done = subprocess.run(command, env={**up.env, "COLUMNS": "250"}, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return " ".join(done.stdout.split())

    assert "Đoàn kết sáng tạo" in said("campaigns", "show", "396/LMHTXVN-TTTT")  # before: {'detail': 'Not Found'}
    assert decision_id in said("awards", "decisions", "--number", decision_number)
    assert "Giao ước thi đua năm 2026" in said("pledges", "list", "--cluster", "CUM-TP-TRUNG-UONG")
    issued = said("tokens", "create", "--holder", "Nguyễn Văn An", "--role", "provincial_officer", "--scope", "LMHTX-31")
    token_id = re.search(r"tokens revoke (\S+)\)", issued).group(1)  # type: ignore[union-attr]
    assert "Đã thu hồi mã truy cập" in said("tokens", "revoke", token_id)


def every_service_replays_identical(up: Up) -> None:
    """`audit replay` rebuilds each service from the log alone, identical to the live one, table by table;
    a row changed behind the log's back is named."""
    for url in (up.registry, up.campaigns, up.scoring, up.awards):
        deadline = time.monotonic() + 60
        while any(c["lag"] for c in httpx.get(f"{url}/health", timeout=10).json()["consumers"]):
            assert time.monotonic() < deadline, f"{url}: consumers still behind"
            time.sleep(0.2)
    env = {**up.env, "COLUMNS": "200"}
    for service, table in (("registry", "units"), ("campaigns", "registrations"), ("scoring", "reviews"), ("awards", "nomination_trail")):
        replayed = asyncio.run(run_cli(["audit", "replay", service], env))
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        assert "Giống hệt CSDL đang chạy" in replayed.said and f"✓ {table}:" in replayed.said, replayed.stdout
    # The flag's history row altered in the live database, where no event says so: the replay names it.
    with sqlite3.connect(up.var / "db" / "awards.db") as db:
        db.execute("UPDATE award_history SET year = 2016 WHERE award_code = 'co_thi_dua_lmhtx_vn' AND source = 'decided'")
    altered = asyncio.run(run_cli(["audit", "replay", "awards"], env))
    assert altered.returncode == 1 and "KHÁC CSDL đang chạy" in altered.said, altered.stdout
    assert "✗ award_history: 2 khác biệt" in altered.said and ".year: 2016 ≠ 2017" in altered.said, altered.stdout
