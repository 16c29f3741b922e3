"""`audit replay`'s parts without a server: every service says how each of its events is written back
(or why none is), names only real tables and columns it cannot rebuild, and the comparison names every
difference between two real SQLite databases, whatever their order or types."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, insert

import thidua_shared.events.all  # noqa: F401  (every service's events in the catalog)
from thidua_cli.audit.replay import replay_spec
from thidua_shared.db import Database
from thidua_shared.events.catalog import CATALOG
from thidua_shared.events.envelope import at_moment, utc_now
from thidua_shared.replay import compare_databases
from thidua_shared.replay.compare import plain
from thidua_shared.settings import Settings
from thidua_shared.topology import SERVICES


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_event_of_a_service_is_written_back_or_said_why_not(service: str, tmp_path: Path) -> None:
    spec = replay_spec(service, Settings(var_dir=tmp_path))
    own_types = {event_type for event_type, _ in CATALOG if event_type.startswith(f"{service}.")}
    handled = set(spec.own_events.handlers) | set(spec.own_events.batch_handlers)
    assert own_types - handled - set(spec.writes_no_table) == set()
    assert handled | set(spec.writes_no_table) <= own_types  # nothing written for an event that does not exist
    tables = spec.metadata.tables
    for name in spec.not_in_log:
        table, _, column = name.partition(".")
        assert table in tables and (not column or column in tables[table].c), name
        assert " / " in spec.not_in_log[name]  # said in both languages
    assert set(spec.comparable_rows) <= {name for name in spec.not_in_log if "." not in name}


def test_a_unit_of_work_stamps_its_rows_and_its_events_with_one_moment() -> None:
    moment = datetime(2017, 12, 20, 7, 5, tzinfo=UTC)
    with at_moment(moment):
        assert utc_now() == moment
        with at_moment() as inner:
            assert utc_now() == inner != moment
        assert utc_now() == moment
    assert utc_now() != moment


def test_plain_values_agree_across_databases() -> None:
    aware = datetime(2026, 11, 25, 13, 0, 0, 123456, tzinfo=UTC)
    assert plain(aware) == plain(aware.replace(tzinfo=None))  # SQLite gives UTC times back without a zone
    assert plain({"b": 1, "a": [1, 2]}) == plain({"a": [1, 2], "b": 1})
    assert plain(1.50) == plain(1.5) == "1.5"
    assert plain(True) is True and plain(None) is None


metadata = MetaData()
things = Table(
    "things", metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("data", JSON, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=True),
)


async def _database(path: Path, rows: list[dict]) -> Database:  # type: ignore[type-arg]
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        if rows:
            await connection.execute(insert(things), rows)
    return db


async def test_the_comparison_names_every_difference_row_and_column(tmp_path: Path) -> None:
    at = datetime(2017, 12, 20, 7, 5, tzinfo=UTC)
    row = {"id": "Đ-1", "year": 2017, "name": "Hợp tác xã Quang Phục", "data": {"a": 1, "b": [1]}, "at": at, "written_at": at}
    live_rows = [row, {**row, "id": "b", "name": "đổi tên"}, {**row, "id": "c"}, {**row, "year": 2016, "written_at": None}]
    log_rows = [{**row, "data": {"b": [1], "a": 1}, "written_at": None}, {**row, "id": "b"}, {**row, "id": "d"},
                {**row, "year": 2016, "written_at": None}]
    live, rebuilt = await _database(tmp_path / "live.db", live_rows), await _database(tmp_path / "log.db", log_rows)
    try:
        [result] = await compare_databases(live.engine, rebuilt.engine, metadata, {"things.written_at": "ghi / written"})
        assert (result.live_rows, result.rebuilt_rows, result.difference_count) == (4, 4, 3)
        assert result.skipped_columns == ["written_at"]
        assert result.differences == [
            "things[b, 2017].name: 'đổi tên' ≠ 'Hợp tác xã Quang Phục' (đang chạy / live ≠ nhật ký / log)",
            "things[c, 2017]: chỉ có ở CSDL đang chạy / only in the live database",
            "things[d, 2017]: chỉ có trong bản dựng lại từ nhật ký / only in the state rebuilt from the log",
        ]  # "Đ-1" sorts after the ASCII ids (by its UTF-8 bytes, as SQLite and PostgreSQL's "C" order it): same on both
        [whole] = await compare_databases(live.engine, rebuilt.engine, metadata, {})
        assert whole.difference_count == 4 and any(".written_at:" in d for d in whole.differences)
        [same] = await compare_databases(live.engine, live.engine, metadata, {})
        assert same.identical and same.live_rows == 4
    finally:
        await live.dispose()
        await rebuilt.dispose()


@pytest.mark.postgres
async def test_a_live_postgresql_database_compares_with_the_rebuilt_sqlite_one(postgres_url: str, tmp_path: Path) -> None:
    """Production runs on PostgreSQL, a replay writes SQLite: the same rows (ids beyond ASCII among them,
    times with their zone) read back in the same order and compare equal; one change is named."""
    at = datetime(2017, 12, 20, 7, 5, 9, 123456, tzinfo=UTC)
    rows = [{"id": key, "year": 2017, "name": key, "data": {"k": key}, "at": at, "written_at": None}
            for key in ("Đ-1", "a", "Z", "ă", "b-2", "B-2", "hợp tác xã")]
    live = Database.from_url(postgres_url)
    async with live.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(insert(things), rows)
    rebuilt = await _database(tmp_path / "log.db", rows)
    try:
        [same] = await compare_databases(live.engine, rebuilt.engine, metadata, {})
        assert same.identical and same.live_rows == same.rebuilt_rows == len(rows), same.differences
        async with live.engine.begin() as connection:
            await connection.execute(things.update().where(things.c.id == "ă").values(name="ấ"))
        [changed] = await compare_databases(live.engine, rebuilt.engine, metadata, {})
        assert changed.differences == ["things[ă, 2017].name: 'ấ' ≠ 'ă' (đang chạy / live ≠ nhật ký / log)"]
    finally:
        await live.dispose()
        await rebuilt.dispose()


async def test_a_replay_where_the_service_has_no_database_says_so_and_makes_none(tmp_path: Path, monkeypatch) -> None:
    """A provincial node runs scoring only: replaying its registry names that, and leaves no empty database behind."""
    from tests.support import run_cli

    monkeypatch.delenv("THIDUA_REGISTRY_DATABASE_URL", raising=False)
    province = {"THIDUA_VAR_DIR": str(tmp_path), "THIDUA_NODE": "hp", "THIDUA_CENTRE_URL": "nats-leaf://127.0.0.1:7422", "THIDUA_LANGUAGE": "vi"}
    said = await run_cli(["audit", "replay", "registry"], province)
    assert said.returncode == 1 and "Dịch vụ registry không có CSDL trên nút hp" in " ".join(said.stderr.split())
    assert not (tmp_path / "db").exists()
    unknown = await run_cli(["audit", "replay", "khen-thuong"], {"THIDUA_VAR_DIR": str(tmp_path), "THIDUA_LANGUAGE": "vi"})
    assert unknown.returncode == 1 and "Không có dịch vụ «khen-thuong»" in " ".join(unknown.stderr.split())


async def test_the_replayer_writes_own_events_back_and_never_a_forged_one(tmp_path: Path) -> None:
    """Three registry events of the centre's chain, the third sealed with a key that is not the centre's:
    two units rebuilt (outbox and chain head with them), the forged one rejected with the reason."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from thidua_shared.events.envelope import SYSTEM_ACTOR, new_event_id
    from thidua_shared.events.registry import UnitKind, UnitRegistered, UnitSnapshot, UnitStatus
    from thidua_shared.keys import TrustedKeys, public_key_path, write_public_key
    from thidua_shared.messaging.unit_of_work import EventSource, PendingEvent, seal_events
    from thidua_shared.messaging.verification import EventVerifier
    from thidua_shared.replay import Replayer

    settings = Settings(var_dir=tmp_path, node="vn")
    centre, forger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    write_public_key(public_key_path(settings.trusted_keys_dir, "vn"), centre.public_key())
    units = [UnitSnapshot(id=f"u{i}", code=f"HTX-{i}", name=f"Hợp tác xã {i}", kind=UnitKind.COOPERATIVE, parent_id=None,
                          province_code="31", status=UnitStatus.ACTIVE) for i in range(3)]
    pending = [PendingEvent(UnitRegistered(unit=u), u.id, SYSTEM_ACTOR, new_event_id(), None) for u in units]
    at = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    genuine = seal_events(pending[:2], EventSource("vn", "registry", centre), 0, "0" * 64, at)
    forged = seal_events(pending[2:], EventSource("vn", "registry", forger), 2, genuine[-1][0].hash, at)
    stored = [(e.subject, body, {"Thidua-Hash": e.hash, "Thidua-Signature": e.signature}) for e, body in [*genuine, *forged]]

    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'rebuilt.db'}")
    spec = replay_spec("registry", settings)
    replayer = Replayer(spec, "vn", db, EventVerifier(TrustedKeys(settings.trusted_keys_dir)))
    try:
        await replayer.create_tables()
        await replayer.write(replayer.prepare(stored))
        await replayer.finish()
        tables = spec.metadata.tables
        async with db.engine.connect() as connection:
            rows = (await connection.execute(tables["units"].select().order_by("code"))).all()
            outbox = (await connection.execute(tables["outbox"].select())).all()
            head = (await connection.execute(tables["chain_head"].select())).one()
        assert [(r.code, r.search_name, r.created_at) for r in rows] == [
            ("HTX-0", "hop tac xa 0", at.replace(tzinfo=None)), ("HTX-1", "hop tac xa 1", at.replace(tzinfo=None))]
        assert [r.position for r in outbox] == [1, 2] and bytes(outbox[0].data) == stored[0][1]
        assert (head.chain, head.last_sequence, head.last_hash) == ("vn.registry", 2, genuine[-1][0].hash)
        assert (replayer.read, replayer.applied, len(replayer.rejected)) == (3, 2, 1)
        assert replayer.rejected[0].event_type == "registry.unit_registered" and "chữ ký" in replayer.rejected[0].reason
    finally:
        await db.dispose()
