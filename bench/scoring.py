"""Scoring benchmarks, each figure beside a baseline measured in the same run.

    uv run python bench/scoring.py [--submissions 1000] [--units 35000] [--skip-system]

(a) End to end, through the real system (an authenticated nats-server; registry, campaigns and
    scoring as their own processes on SQLite): N cooperatives registered for a launched campaign
    each report their results over HTTP (8 at a time); the clock runs from the first request until
    the scoring service's standings consumer has applied the last `scoring.submission_received`
    read back from the stream (HTTP → use case → outbox → relay → stream → consumer → standings).
    Baselines on a plain nats-server of the same run: raw `js.publish` of N bodies of the same size, waiting for
    each acknowledgement, and a raw pull + ack of them.
(b) The engine alone, pure: a national round (35,000 units in 700 blocks of 50, 20 criteria,
    3 reviewers each) scored and ranked, block by block, and the same at a tenth of the size; the
    ratio of the two shows whether it grows linearly. Baseline: a plain float mean of every cell's
    reviews and a sort of each block by total, on the same data (the arithmetic with no rules,
    no exact decimals, no tie-break).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx
import nats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.system import BenchSystem, start_system, wait_caught_up  # noqa: E402
from thidua_cli.natsserver import NatsServer  # noqa: E402
from thidua_shared.messaging.streams import apply_streams  # noqa: E402
from thidua_shared.messaging.nats_access import identity_for  # noqa: E402
from thidua_shared.runtime import tune_garbage_collector  # noqa: E402
from thidua_shared.topology import ADMIN_IDENTITY  # noqa: E402

from thidua_scoring.domain import engine  # noqa: E402
from thidua_scoring.domain.engine import EngineInputs, Review  # noqa: E402
from thidua_scoring.domain.results import criteria_of  # noqa: E402
from thidua_scoring.domain.rules import Result  # noqa: E402
from thidua_shared.events.campaigns import CampaignSnapshot  # noqa: E402
from thidua_shared.events.scoring import ScoringPolicy  # noqa: E402

from tests.scoring_block import THIS_YEAR, criteria  # noqa: E402

CONCURRENCY = 8


# --- (a) end to end ----------------------------------------------------------------------------
def prepare(system: BenchSystem, count: int) -> str:
    """A province, `count` cooperatives, a launched campaign they all registered for; the scoring service caught up."""
    registry, campaigns = (httpx.Client(base_url=system.urls[s], headers=system.headers, timeout=60) for s in ("registry", "campaigns"))
    registry.post("/units", json={"code": "VCA", "name": "Liên minh Hợp tác xã Việt Nam", "kind": "national_alliance"}).raise_for_status()
    registry.post("/units", json={"code": "LMHTX-15", "name": "Liên minh HTX tỉnh Yên Bái", "kind": "provincial_alliance",
                                  "parent": "VCA", "province_code": "15"}).raise_for_status()
    codes = [f"HTX-15-{i:05d}" for i in range(count)]
    asyncio.run(_post_all(system.urls["registry"], system.headers, "/units",
                          [{"code": c, "name": f"HTX dịch vụ số {c[-5:]}", "kind": "cooperative", "parent": "LMHTX-15"} for c in codes]))
    wait_caught_up(system)
    body = {"issuer": "LMHTX-15", "title": "Phong trào thi đua (benchmark)", "period_start": f"{THIS_YEAR}-01-01",
            "period_end": f"{THIS_YEAR + 1}-12-31", "scope": {"unit_kinds": ["cooperative"]}, "indicators": criteria()}
    campaign = campaigns.post("/campaigns", json=body).json()
    campaigns.post(f"/campaigns/{campaign['id']}/launch").raise_for_status()
    asyncio.run(_post_all(system.urls["campaigns"], system.headers, f"/campaigns/{campaign['id']}/registrations", [{"unit": c} for c in codes]))
    wait_caught_up(system)
    return campaign["id"]


async def _post_all(url: str, headers: dict[str, str], path: str, bodies: list[dict]) -> float:
    """POST every body, CONCURRENCY at a time; the seconds it took."""
    queue: asyncio.Queue[dict] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            response = await client.post(path, json=body)
            assert response.status_code == 201, response.text

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    return time.perf_counter() - started


def report_body(campaign_id: str, code: str, rng: random.Random) -> dict:
    return {"campaign": campaign_id, "unit": code, "period": "final", "results": [
        {"indicator_code": "1", "value": rng.randrange(0, 30)}, {"indicator_code": "2", "value": rng.randrange(20, 80)},
        {"indicator_code": "3", "achieved": rng.random() < 0.7}, {"indicator_code": "4", "value": rng.randrange(0, 15)},
        {"indicator_code": "5", "value": rng.randrange(-2, 3)},
    ]}


def end_to_end(system: BenchSystem, campaign_id: str, count: int) -> tuple[float, float]:
    """(submissions per second until the standings consumer applied the last one, seconds the HTTP part took)."""
    rng = random.Random(7)
    bodies = [report_body(campaign_id, f"HTX-15-{i:05d}", rng) for i in range(count)]
    scoring = system.urls["scoring"]
    started = time.perf_counter()
    http_seconds = asyncio.run(_post_all(scoring, system.headers, "/submissions", bodies))
    while True:
        standings = httpx.get(f"{scoring}/campaigns/{campaign_id}/standings", params={"limit": 1000}, headers=system.headers).json()
        health = httpx.get(f"{scoring}/health").json()
        lag = next(c["lag"] for c in health["consumers"] if c["name"] == "scoring-standings")
        if len(standings) == min(count, 1000) and lag == 0 and health["outbox_pending"] == 0:
            break
        time.sleep(0.02)
    return count / (time.perf_counter() - started), http_seconds


async def raw_backbone(store: Path, count: int, size: int) -> tuple[float, float]:
    """Raw nats-py on a plain nats-server of this run (same binary, same disk): publish `count` bodies of
    `size` bytes (ack each), then pull + ack them in batches of 512."""
    server = NatsServer(store_dir=store).start()
    try:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await apply_streams(js, "vn")
        body = b"x" * size
        started = time.perf_counter()
        for i in range(count):
            await js.publish(f"thidua.events.vn.rawbench.bench.{i}", body, stream="EVENTS", headers={"Nats-Msg-Id": f"raw-{i}"})
        publish = count / (time.perf_counter() - started)
        sub = await js.pull_subscribe("thidua.events.vn.rawbench.>", durable="raw-bench", stream="EVENTS")
        received, started = 0, time.perf_counter()
        while received < count:
            for message in await sub.fetch(batch=512, timeout=5):
                await message.ack()
                received += 1
        pull = count / (time.perf_counter() - started)
        await nc.close()
    finally:
        server.stop()
    return publish, pull


def submission_event_size(system: BenchSystem) -> int:
    """The size of one submission event's body as the stream holds it."""
    async def read() -> int:
        nc = await nats.connect(system.nats.url, **identity_for(system.settings, ADMIN_IDENTITY).connect_options())
        message = await nc.jetstream().get_last_msg("EVENTS", "thidua.events.vn.scoring.>")
        await nc.close()
        return len(message.data or b"")
    return asyncio.run(read())


# --- (b) the engine -------------------------------------------------------------------------------
def national_criteria() -> CampaignSnapshot:
    """20 criteria in 4 groups of 5: targets, achieved/not, per occurrence."""
    indicators = []
    for g in range(4):
        indicators.append({"code": f"G{g}", "title": f"Nhóm {g + 1}", "kind": "group", "max_points": 25})
        for k, kind in enumerate(["target", "achieved", "per_occurrence", "target", "achieved"]):
            item = {"code": f"{g}.{k}", "parent_code": f"G{g}", "title": f"Tiêu chí {g}.{k}", "kind": kind, "max_points": 5}
            if kind == "target":
                item |= {"unit_of_measure": "%", "direction": "higher", "target": 100}
            if kind == "per_occurrence":
                item |= {"points_per_occurrence": 1}
            indicators.append(item)
    return CampaignSnapshot.model_validate({
        "id": "bench", "issuer_unit_id": "vca", "letter_number": None, "letter_date": None, "title": "bench", "theme": None,
        "kind": "regular_movement", "period_start": None, "period_end": None, "registration_deadline": None, "scale": 100,
        "scope": {}, "sections": [], "milestones": [], "awards": [], "attachments": [], "indicators": indicators,
        "parent_id": None, "status": "launched", "revision": 0,
    })


def blocks(count: int, size: int = 50, reviewers: int = 3) -> list[EngineInputs]:
    nodes = tuple(criteria_of(national_criteria()))
    leaves = [n for n in nodes if n.leaf is not None]
    rng = random.Random(11)
    made = []
    for b in range(count):
        units = [f"b{b}-u{i}" for i in range(size)]
        results = {u: {n.code: Result(achieved=rng.random() < 0.7) if n.kind == "achieved" else Result(value=rng.randrange(0, 200) * 10**6)
                       for n in leaves} for u in units}
        reviews = [Review(units[(i + k) % size], u, n.code, 1, rng.randrange(0, n.max_points + 1, 100))
                   for i, u in enumerate(units) for k in range(1, reviewers + 1) for n in leaves]
        made.append(EngineInputs(round={"id": f"block-{b}"}, scale=100 * 10**4, nodes=nodes, policy=ScoringPolicy(), members=tuple(units),
                                 results=results, reviews=engine.by_cell(reviews), self_points={}))
    return made


def plain_floats(data: list[EngineInputs]) -> float:
    """The baseline: every cell's reviews averaged as floats, each block sorted by total."""
    started = time.perf_counter()
    for inputs in data:
        totals: dict[str, float] = {}
        for (unit, _code), entries in inputs.reviews.items():
            totals[unit] = totals.get(unit, 0.0) + sum(p for _, _, p in entries) / len(entries)
        sorted(totals.items(), key=lambda item: -item[1])
    return time.perf_counter() - started


def engine_seconds(data: list[EngineInputs]) -> tuple[float, float]:
    """(scoring and ranking every block, + its published document and digest)."""
    started = time.perf_counter()
    tables = [engine.score(inputs) for inputs in data]
    scored = time.perf_counter() - started
    for table in tables:
        engine.digest(engine.table_document(table))
    return scored, time.perf_counter() - started


def best(measure, repeat: int = 3) -> tuple[float, ...]:  # type: ignore[no-untyped-def]
    return min((measure() for _ in range(repeat)), key=lambda result: result if isinstance(result, float) else result[0])


def run_engine(units: int) -> None:
    tune_garbage_collector()  # as the service does once started
    national, tenth = blocks(units // 50), blocks(units // 500)
    scored, documented = best(lambda: engine_seconds(national))
    scored_tenth, documented_tenth = best(lambda: engine_seconds(tenth))
    plain, plain_tenth = best(lambda: plain_floats(national)), best(lambda: plain_floats(tenth))
    print(f"engine: {units} units in {units // 50} blocks of 50, 20 criteria, 3 reviewers each (best of 3)")
    print(f"  score and rank, national        {scored:6.2f} s   plain floats {plain:5.2f} s   ratio {scored / plain:5.1f}")
    print(f"  score and rank, a tenth         {scored_tenth:6.2f} s   plain floats {plain_tenth:5.2f} s   ratio {scored_tenth / plain_tenth:5.1f}")
    print(f"  national / tenth                {scored / scored_tenth:6.1f}   (linear: 10)")
    print(f"  + published tables and digests  {documented:6.2f} s   (a tenth: {documented_tenth:.2f} s)")


def run_system(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        system = start_system(Path(tmp), ["registry", "campaigns", "scoring"])
        try:
            campaign_id = prepare(system, count)
            rate, http_seconds = end_to_end(system, campaign_id, count)
            size = submission_event_size(system)
        finally:
            system.stop()
        raw_publish, raw_pull = asyncio.run(raw_backbone(Path(tmp) / "raw-nats", count, size))
    print(f"end to end: {count} reports over HTTP ({CONCURRENCY} at a time), each event about {size} bytes")
    print(f"  HTTP → outbox → stream → standings  {rate:7.0f} reports/s   (HTTP answers took {http_seconds:.1f} s; the standings"
          f" had the last one {count / rate - http_seconds:.2f} s after its answer)")
    print(f"  raw js.publish, ack each            {raw_publish:7.0f} msg/s     ratio end-to-end/raw publish = {rate / raw_publish:.2f}")
    print(f"  raw pull + ack                      {raw_pull:7.0f} msg/s     ratio end-to-end/raw pull    = {rate / raw_pull:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=1000, help="reports sent end to end")
    parser.add_argument("--units", type=int, default=35000, help="units in the national round of the engine benchmark")
    parser.add_argument("--skip-system", action="store_true", help="only the engine benchmark")
    args = parser.parse_args()
    if not args.skip_system:
        run_system(args.submissions)
    run_engine(args.units)
