"""The registry at national scale: 35,000 cooperatives under 34 provincial alliances.

    uv run python bench/registry_scale.py [--units 35000]

Runs a real nats-server (authenticated) and the registry as its own process on SQLite, then:
  import   a 35,000-row .xlsx through the API as a job (upload, poll to the end), the registry's
           memory growth (peak RSS during the import minus RSS before), and the slowest /health
           answer while the import ran; baseline: the same rows inserted by one plain executemany
  list     GET /units?limit=1000, the first page and one further page by cursor (server time from
           the Server-Timing header); baseline: the same 1,000 rows read by one plain SQL query
  subtree  GET /units/<province>/subtree (about 1,030 units); baseline: one recursive SQL query
  search   GET /units?q=... for a name fragment; baseline: a LIKE scan of the same column
Each figure is printed beside its baseline, measured in the same run, and as a ratio.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.system import start_system  # noqa: E402
from thidua_shared.text import search_key  # noqa: E402

PROVINCES = 34


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def workbook(path: Path, units: int) -> list[tuple[str, str, str, str]]:
    rows = []
    for i in range(units):
        province = f"{i % PROVINCES + 1:02d}"
        rows.append((f"HTX-{province}-{i:06d}", f"Hợp tác xã dịch vụ nông nghiệp số {i} tỉnh {province}", "HTX", f"LMHTX-{province}"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Loại hình", "Mã cấp trên"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return rows


def server_ms(response: httpx.Response) -> float:
    assert response.status_code == 200, response.text
    return float(response.headers["Server-Timing"].split("dur=")[1])


def best_of(measure, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    return min(measure() for _ in range(repeat))


def raw_insert_seconds(tmp: Path, rows: list[tuple[str, str, str, str]]) -> float:
    """The same rows, one plain executemany into a table of the same shape (indexes included)."""
    db = sqlite3.connect(tmp / "raw.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE units (id TEXT PRIMARY KEY, code TEXT UNIQUE, name TEXT, search_name TEXT, search_text TEXT, kind TEXT, "
               "parent_id TEXT, province_code TEXT, status TEXT, created_at TEXT, updated_at TEXT)")
    for column in ("search_name", "kind", "parent_id", "province_code", "status"):
        db.execute(f"CREATE INDEX ix_{column} ON units ({column})")
    values = [(str(uuid.uuid4()), code, name, search_key(name), search_key(f"{code} {name}"), "cooperative", parent, parent[-2:], "active", "t", "t")
              for code, name, _, parent in rows]
    started = time.perf_counter()
    with db:
        db.executemany("INSERT INTO units VALUES (?,?,?,?,?,?,?,?,?,?,?)", values)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def raw_read_ms(db_path: Path, sql: str, params: tuple = ()) -> float:  # type: ignore[type-arg]
    db = sqlite3.connect(db_path)
    started = time.perf_counter()
    db.execute(sql, params).fetchall()
    elapsed = (time.perf_counter() - started) * 1000
    db.close()
    return elapsed


def main(units: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        system = start_system(tmp, ["registry"])
        process, url, token = system.processes["registry"], system.urls["registry"], system.token
        try:
            http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=httpx.Timeout(60, write=600))
            http.post("/units", json={"code": "VCA", "name": "Liên minh Hợp tác xã Việt Nam", "kind": "national_alliance"}).raise_for_status()
            for p in range(1, PROVINCES + 1):
                http.post("/units", json={"code": f"LMHTX-{p:02d}", "name": f"Liên minh HTX tỉnh số {p}", "kind": "provincial_alliance",
                                          "parent": "VCA", "province_code": f"{p:02d}"}).raise_for_status()
            path = tmp / "don-vi.xlsx"
            rows = workbook(path, units)
            print(f"{units} cooperatives under {PROVINCES} provincial alliances; file {path.stat().st_size / 2**20:.1f} MB")

            # --- import ---
            before = rss_mb(process.pid)
            peak, health = [before], []
            done = threading.Event()

            def watch() -> None:
                while not done.is_set():
                    peak.append(rss_mb(process.pid))
                    started = time.perf_counter()
                    httpx.get(f"{url}/health", timeout=30)
                    health.append(time.perf_counter() - started)
                    time.sleep(0.2)

            watcher = threading.Thread(target=watch)
            watcher.start()
            started = time.perf_counter()
            with path.open("rb") as handle:
                job = http.post("/imports/units", files={"file": (path.name, handle)}).json()
            while job["status"] == "running":
                time.sleep(0.5)
                job = http.get(f"/jobs/{job['id']}").json()
            import_seconds = time.perf_counter() - started
            done.set()
            watcher.join()
            assert job["status"] == "succeeded", job
            raw_seconds = raw_insert_seconds(tmp, rows)
            print(f"import {units} rows, end to end   {import_seconds:7.1f} s   raw executemany {raw_seconds:6.2f} s   "
                  f"ratio {import_seconds / raw_seconds:5.0f}   ({units / import_seconds:.0f} rows/s)")
            print(f"registry memory growth          {max(peak) - before:7.0f} MB  (RSS {before:.0f} → peak {max(peak):.0f} MB)")
            print(f"/health during the import       slowest {max(health) * 1000:.0f} ms, median {statistics.median(health) * 1000:.0f} ms")

            # --- reads ---
            db_path = tmp / "var" / "db" / "registry.db"
            first = http.get("/units", params={"limit": 1000})
            page_ms = best_of(lambda: server_ms(http.get("/units", params={"limit": 1000})))
            cursor = first.json()["next_cursor"]
            next_ms = best_of(lambda: server_ms(http.get("/units", params={"limit": 1000, "cursor": cursor})))
            raw_page = best_of(lambda: raw_read_ms(db_path, "SELECT u.*, p.code, p.name, s.code, s.name FROM units u "
                                                   "LEFT JOIN units p ON p.id = u.parent_id LEFT JOIN units s ON s.id = u.successor_id "
                                                   "ORDER BY u.code LIMIT 1000"))
            print(f"GET /units?limit=1000           {page_ms:7.1f} ms  raw query {raw_page:6.1f} ms  ratio {page_ms / raw_page:5.1f}")
            print(f"  next page by cursor           {next_ms:7.1f} ms")
            subtree = http.get("/units/LMHTX-07/subtree", params={"limit": 10000})
            size = len(subtree.json()["items"])
            subtree_ms = best_of(lambda: server_ms(http.get("/units/LMHTX-07/subtree", params={"limit": 10000})))
            raw_subtree = best_of(lambda: raw_read_ms(
                db_path, "WITH RECURSIVE t(id) AS (SELECT id FROM units WHERE code = 'LMHTX-07' UNION ALL "
                         "SELECT u.id FROM units u JOIN t ON u.parent_id = t.id) SELECT u.* FROM units u JOIN t ON u.id = t.id ORDER BY u.code"))
            print(f"a province's subtree ({size} units) {subtree_ms:5.1f} ms  raw query {raw_subtree:6.1f} ms  ratio {subtree_ms / raw_subtree:5.1f}")
            query = "so 1234 tinh"
            found = http.get("/units", params={"q": query})
            search_ms = best_of(lambda: server_ms(http.get("/units", params={"q": query})))
            raw_search = best_of(lambda: raw_read_ms(db_path, "SELECT * FROM units WHERE search_text LIKE ? ORDER BY code LIMIT 100", (f"%{query}%",)))
            print(f"search q={query!r} ({len(found.json()['items'])} found)  {search_ms:6.1f} ms  raw LIKE scan {raw_search:6.1f} ms  "
                  f"ratio {search_ms / raw_search:5.2f}")
        finally:
            system.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=35_000)
    main(parser.parse_args().units)
