"""Nobody reads a secret ballot from the server's files (issue 17, item 2).

Before: after three council members voted, `awards.db-wal` held three versions of the box page, each in
the transaction of the `ballot_voted` event naming its voter. Now choices are encrypted on the voter's
device, so the server never receives one: this test votes on SQLite and on PostgreSQL, then reads, byte
by byte, every file the test's services and nats-server wrote (the databases, SQLite's WAL, the
JetStream store of the event log) and, on PostgreSQL, the WAL segments written meanwhile and the
database's relation files after a checkpoint (dead row versions included). It finds the voters and the
receipts (so it reads where they are) and never a choice beside a nomination, nor any key that opens a
ballot: not a teller's transport key, not a teller's share of the ballot's key, not the key itself.
The tally is right and recountable from what was published."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from thidua_shared import encrypted_ballot as crypto
from thidua_shared import secret_ballot as group
from thidua_shared.events.awards import Choice, TellerDeal

from tests import ballots
from tests.ballots import Teller
from tests.integration.conftest import ScoringSystem
from tests.integration.test_awards_api import THIS_YEAR, ranked_cluster, tree

VOTES = {"LMHTX-79": "yes", "LMHTX-31": "no", "LMHTX-01": "abstain"}


def encodings(secret: int) -> list[bytes]:
    """The ways a number could sit in a file: base64url (our wire), decimal, hex, raw big-endian bytes."""
    return [crypto.number(secret).encode(), str(secret).encode(), f"{secret:x}".encode(), secret.to_bytes(group.ELEMENT_BYTES, "big")]


class Files:
    """Every byte of a set of files, searched as one."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = [p for p in paths if p.is_file()]
        assert self.paths

    def holding(self, needle: bytes | re.Pattern[bytes]) -> list[str]:
        found = []
        for path in self.paths:
            data = path.read_bytes()
            if (needle.search(data) if isinstance(needle, re.Pattern) else needle in data):
                found.append(path.name)
        return found


async def postgres_files(url: str, since_lsn: str) -> Files:
    """The WAL segments from `since_lsn` on, and the database's relation files once a checkpoint wrote them."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as db:
        await db.execute(text("CHECKPOINT"))
        data = Path(await db.scalar(text("SHOW data_directory")))
        first = await db.scalar(text("SELECT pg_walfile_name(CAST(:lsn AS pg_lsn))").bindparams(lsn=since_lsn))
        last = await db.scalar(text("SELECT pg_walfile_name(pg_current_wal_lsn())"))
        oid = await db.scalar(text("SELECT oid FROM pg_database WHERE datname = current_database()"))
    await engine.dispose()
    segments = sorted(p for p in (data / "pg_wal").iterdir() if first <= p.name <= last and len(p.name) == 24)
    return Files([*segments, *(data / "base" / str(oid)).iterdir()])


async def current_lsn(url: str) -> str:
    engine = create_async_engine(url)
    async with engine.connect() as db:
        lsn = str(await db.scalar(text("SELECT pg_current_wal_lsn()::text")))
    await engine.dispose()
    return lsn


async def test_no_file_the_servers_write_pairs_a_voter_with_a_choice(awards_system: ScoringSystem, database_url: str, tmp_path: Path):
    s = awards_system
    postgres = database_url.startswith("postgresql")
    if postgres and not await _data_directory_readable(database_url):
        pytest.skip("PostgreSQL's data directory is not on this machine")
    since = await current_lsn(database_url) if postgres else ""
    await tree(s)
    _, round_id = await ranked_cluster(s, "CUM-TP", list(VOTES), "LMHTX-79")
    nomination = (await s.awards.post("/nominations/from-ranking", headers=s.auth(), json={"round": round_id})).json()["id"]

    voters = {code: await s.token("unit_reporter", code) for code in VOTES}
    tellers = [Teller(voters[code], code) for code in VOTES]
    closes = (date.today() + timedelta(days=2)).isoformat() + "T00:00:00Z"
    opened = await s.awards.post("/ballots", headers=s.auth(), json={
        "kind": "cluster", "title": "Bỏ phiếu kín thử tệp", "nominations": [nomination], "cluster": "CUM-TP", "year": THIS_YEAR,
        "closes_at": closes, "tellers": list(VOTES), "threshold": 2})
    bid = opened.json()["id"]
    ballot = await ballots.make_key(s.awards, bid, tellers)
    receipts = {}
    for code, choice in VOTES.items():
        cast = await ballots.vote(s.awards, s.auth(voters[code]), ballot, {nomination: choice}, code)
        assert cast.status_code == 201, cast.text
        receipts[code] = cast.json()["receipt"]
    assert (await s.awards.post(f"/ballots/{bid}/close", headers=s.auth())).json()["status"] == "counting"
    for teller in tellers[:2]:
        counted = await ballots.count(s.awards, bid, teller)
    result = counted.json()["result"]["tallies"][0]
    assert (result["yes"], result["no"], result["abstain"]) == (1, 1, 1)
    recounted = await ballots.recount(s.awards, s.auth(), bid)
    assert recounted == [{Choice.YES: 1, Choice.NO: 1, Choice.ABSTAIN: 1}]
    await s.caught_up()

    # The secrets a server must never hold: every teller's transport key and share of the ballot's key, and the key.
    view = (await s.awards.get(f"/ballots/{bid}/tellers", headers=s.auth())).json()
    deals = [TellerDeal.model_validate(d) for d in view["deals"]]
    shares = {}
    for teller in tellers:
        index = teller.index_in(view)
        shares[index] = crypto.secret_share(bid, index, teller.keys[0], deals)
    present = sorted(shares)[:2]
    ballot_secret = sum(shares[i] * group.lagrange_at_zero(i, present) for i in present) % group.Q
    assert group.power(group.G, ballot_secret) == crypto.value(ballot["public_key"])  # it is the key, had anyone held it
    secrets = [key for t in tellers for key in (t.keys[0], t.keys[0].hex().encode())]
    secrets += [e for secret in (*shares.values(), ballot_secret) for e in encodings(secret)]

    files = Files(list(tmp_path.rglob("*")))  # every service's database and WAL, the JetStream store, var/
    if postgres:
        pg = await postgres_files(database_url, since)
        files = Files(files.paths + pg.paths)
        assert pg.holding(receipts["LMHTX-79"].encode()), "the scanner reads where PostgreSQL keeps the box"
    unit_ids = [(await s.registry.get(f"/units/{code}")).json()["id"] for code in VOTES]
    for unit_id in unit_ids:  # the voters are in the files (who voted is public) ...
        assert files.holding(unit_id.encode())
    for receipt in receipts.values():  # ... and so is the box
        assert files.holding(receipt.encode())
    # ... but no choice beside a nomination, in any encoding a JSON writer or the old box used,
    choice = re.compile(re.escape(nomination.encode()) + rb'.{0,200}?"(yes|no|abstain)"(?!\s*:)', re.DOTALL)
    assert not files.holding(choice)
    for word in (b"Choice.YES", b"Choice.NO", b"Choice.ABSTAIN"):
        assert not files.holding(word)
    # and no key that would open a ballot.
    for secret in secrets:
        assert not files.holding(secret), "a teller's secret is in a file"


async def _data_directory_readable(url: str) -> bool:
    engine = create_async_engine(url)
    async with engine.connect() as db:
        data = Path(await db.scalar(text("SHOW data_directory")))
    await engine.dispose()
    return (data / "pg_wal").is_dir()
