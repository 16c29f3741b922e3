"""Audit benchmark: `thidua audit verify` against a raw read of the same stream, and its memory.

    uv run python bench/audit.py [--events 100000 1000000]

For each N: a fresh nats-server gets an EVENTS stream (the centre's log: every node's subjects) of N
sealed events spread over 140 chains (35 nodes × 4 services), each signed by its node's key (not timed). Then, each in its own process so that its peak memory is its own:
  raw read   every stored message read once, as the verifier reads them, and counted
  verify     the same read, every message checked by `LogVerifier` (hash, link; the signature that
             vouches for each run), and again with every event's own signature checked
It prints events/s for both, their ratio, and each process's peak resident memory: flat from 100,000
to 1,000,000 events means memory does not grow with the log. Compare ratios, not times.

    uv run python bench/audit.py --replay 100000

Replay (`thidua audit replay`): a fresh nats-server gets the registry's log of a national import, N real
events sealed by the centre's key (units registered in runs of 2,000 as an import seals them, then
people, and one in ten units renamed one by one). Each in its own process:
  raw read   the same stream read once, as the replay reads it
  registry   the registry rebuilt from it into a fresh SQLite database (its own events' writers)
  campaigns  the campaigns service rebuilt from it (its registry replica, through its live consumer)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nats  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from thidua_cli.audit import LogVerifier, iter_stored  # noqa: E402
from thidua_cli.audit.replay import rebuild, replay_spec  # noqa: E402
from thidua_cli.natsserver import NatsServer  # noqa: E402
from thidua_shared.events.envelope import GENESIS_HASH, HASH_HEADER, SIGNATURE_HEADER, Actor, new_event_id  # noqa: E402
from thidua_shared.events.registry import (  # noqa: E402
    PersonRegistered, PersonSnapshot, UnitKind, UnitRegistered, UnitSnapshot, UnitStatus, UnitUpdated,
)
from thidua_shared.messaging.unit_of_work import EventSource, PendingEvent, seal_events  # noqa: E402
from thidua_shared.roles import Role  # noqa: E402
from thidua_shared.settings import Settings  # noqa: E402
from thidua_shared.keys import TrustedKeys, public_key_path, write_public_key  # noqa: E402
from thidua_shared.messaging.streams import events_stream_config  # noqa: E402

NODES = ["vn", *(f"p{i:02d}" for i in range(34))]
SERVICES = ["registry", "campaigns", "scoring", "awards"]


def body_of(node: str, service: str, sequence: int, prev: str) -> bytes:
    """A canonical event body (sorted keys, no spaces: what RFC 8785 gives for this plain ASCII content)."""
    event = {
        "actor": {"id": "bench", "name": "Bench", "role": "national_admin", "unit_id": None},
        "aggregate": {"id": str(sequence), "kind": "bench"}, "causation_id": None,
        "correlation_id": f"00000000-0000-7000-8000-{sequence:012d}", "id": f"{hashlib.md5(f'{node}{service}{sequence}'.encode()).hexdigest()[:8]}-0000-7000-8000-{sequence:012d}",
        "node": node, "occurred_at": "2026-11-25T00:00:00Z", "payload": {"n": sequence, "note": "sự kiện đo kiểm"},
        "prev_hash": prev, "sequence": sequence, "service": service, "type": f"{service}.bench_recorded", "version": 1,
    }
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


async def fill(url: str, keys: dict[str, Ed25519PrivateKey], count: int) -> None:
    """`count` events over every chain, each sealed (hash, signature) as its node seals it."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    config = events_stream_config("vn")
    await js.add_stream(replace(config, subjects=["thidua.events.>"]))  # as the centre's log holds every node's
    heads = {(n, s): (0, GENESIS_HASH) for n in NODES for s in SERVICES}
    chains = list(heads)
    pending = []
    for i in range(count):
        node_name, service = chains[i % len(chains)]
        sequence, prev = heads[(node_name, service)]
        body = body_of(node_name, service, sequence + 1, prev)
        digest = hashlib.sha256(body).hexdigest()
        signature = base64.b64encode(keys[node_name].sign(bytes.fromhex(digest))).decode()
        heads[(node_name, service)] = (sequence + 1, digest)
        subject = f"thidua.events.{node_name}.{service}.bench_recorded"
        pending.append(js.publish(subject, body, headers={HASH_HEADER: digest, SIGNATURE_HEADER: signature}, timeout=30))
        if len(pending) >= 500:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    await nc.close()


async def measure(url: str, keys_dir: str, verify: bool, every: bool) -> None:
    verifier, count = LogVerifier(TrustedKeys(Path(keys_dir)), every_signature=every), 0
    started = time.perf_counter()
    async for stored in iter_stored(url):
        count += 1
        if verify:
            verifier.add(stored)
    elapsed = time.perf_counter() - started
    assert not verify or verifier.intact, [r.problems for r in verifier.reports() if r.problems]
    print(json.dumps({"count": count, "seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def national_import(count: int) -> Iterator[tuple[str, list[PendingEvent]]]:
    """A registry's log of `count` events, as commits: (event type, the commit's pending events). Made as it
    is sealed, a commit at a time: the benchmark's own memory stays small (a child process starts with its
    parent's peak memory counted as its own)."""
    actor = Actor(id="bench", role=Role.NATIONAL_ADMIN, name="Bench")
    units, people = count * 6 // 10, count * 3 // 10
    renamed = count - units - people

    def unit(i: int, name: str | None = None) -> UnitSnapshot:
        return UnitSnapshot(id=f"{i:08d}-0000-7000-8000-000000000000", code=f"HTX-{i:06d}", name=name or f"Hợp tác xã số {i}",
                            kind=UnitKind.COOPERATIVE, parent_id=None, province_code="01", status=UnitStatus.ACTIVE)
    correlation = new_event_id()
    for start in range(0, units, 2000):
        made = [unit(i) for i in range(start, min(start + 2000, units))]
        yield "units", [PendingEvent(UnitRegistered(unit=u), u.id, actor, correlation, None) for u in made]
    for start in range(0, people, 2000):
        made = [PersonSnapshot(id=f"{i:08d}-1111-7000-8000-000000000000", unit_id=unit(i % units).id, full_name=f"Nguyễn Văn {i}",
                               position="Giám đốc") for i in range(start, min(start + 2000, people))]
        yield "people", [PendingEvent(PersonRegistered(person=p), p.id, actor, correlation, None) for p in made]
    for i in range(renamed):
        changed = unit((i * 10) % units, f"Hợp tác xã số {i} (đổi tên)")
        yield "rename", [PendingEvent(UnitUpdated(unit=changed, changed=["name"]), changed.id, actor, new_event_id(), None)]


async def fill_registry(url: str, key: Ed25519PrivateKey, count: int) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(events_stream_config("vn"))
    source, sequence, last_hash, pending = EventSource("vn", "registry", key), 0, GENESIS_HASH, []
    for _, commit in national_import(count):
        for envelope, body in seal_events(commit, source, sequence, last_hash, datetime.now(UTC)):
            pending.append(js.publish(envelope.subject, body, headers={HASH_HEADER: envelope.hash, SIGNATURE_HEADER: envelope.signature},
                                      timeout=30))
            sequence, last_hash = envelope.sequence, envelope.hash
            if len(pending) >= 500:
                await asyncio.gather(*pending)
                pending.clear()
    await asyncio.gather(*pending)
    await nc.close()


async def measure_replay(url: str, var_dir: str, service: str) -> None:
    settings = Settings(var_dir=Path(var_dir), nats_url=url, node="vn")
    if service == "raw":
        started = time.perf_counter()
        count = sum([1 async for _ in iter_stored(url)])
    else:
        replay_spec(service, settings)  # the service's modules imported before the clock starts, as the raw read's are
        started = time.perf_counter()
        replayer, _ = await rebuild(service, settings, Path(var_dir) / f"{service}-{time.monotonic_ns()}.db")
        assert not replayer.rejected and not replayer.refused, (replayer.rejected[:3], replayer.refused[:3])
        count = replayer.read
    elapsed = time.perf_counter() - started
    print(json.dumps({"count": count, "seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


async def run_replay(sizes: list[int]) -> None:
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            server = NatsServer(store_dir=Path(tmp) / "nats").start_on_free_ports()
            var_dir = Path(tmp) / "var"
            key = Ed25519PrivateKey.generate()
            write_public_key(public_key_path(Settings(var_dir=var_dir).trusted_keys_dir, "vn"), key.public_key())
            try:
                started = time.perf_counter()
                await fill_registry(server.url, key, size)
                print(f"{size:>9,} registry events written in {time.perf_counter() - started:.1f} s (not timed below)")
                raw = measured("--measure-replay", server.url, str(var_dir), "raw")
                raw_rate = raw["count"] / raw["seconds"]
                print(f"  raw read               {raw_rate:>9,.0f} events/s   peak {raw['peak_mb']:.0f} MB")
                for service in ("registry", "campaigns"):
                    result = measured("--measure-replay", server.url, str(var_dir), service)
                    rate = result["count"] / result["seconds"]
                    print(f"  replay {service:<15} {rate:>9,.0f} events/s   peak {result['peak_mb']:.0f} MB   ratio {rate / raw_rate:.2f}")
            finally:
                server.stop()


def measured(*args: str) -> dict:  # type: ignore[type-arg]
    """This script run again with `args` in a process of its own (so that its peak memory is its own): what it printed last."""
    run = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def in_process(url: str, keys_dir: Path, verify: bool, every: bool = False) -> dict:  # type: ignore[type-arg]
    return measured("--measure", url, str(keys_dir), *(["--verify"] if verify else []), *(["--every"] if every else []))


async def run(sizes: list[int]) -> None:
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            server = NatsServer(store_dir=Path(tmp) / "nats").start_on_free_ports()
            keys_dir = Path(tmp) / "trusted"
            keys = {n: Ed25519PrivateKey.generate() for n in NODES}
            for name, key in keys.items():  # every node's key trusted, as the centre registers them
                write_public_key(public_key_path(keys_dir, name), key.public_key())
            try:
                started = time.perf_counter()
                await fill(server.url, keys, size)
                print(f"{size:>9,} events written in {time.perf_counter() - started:.1f} s (not timed below)")
                raw = in_process(server.url, keys_dir, verify=False)
                checked = in_process(server.url, keys_dir, verify=True)
                thorough = in_process(server.url, keys_dir, verify=True, every=True)
                raw_rate = raw["count"] / raw["seconds"]
                print(f"  raw read               {raw_rate:>9,.0f} events/s   peak {raw['peak_mb']:.0f} MB")
                for name, run in (("verify", checked), ("verify, every seal", thorough)):
                    rate = run["count"] / run["seconds"]
                    print(f"  {name:<22} {rate:>9,.0f} events/s   peak {run['peak_mb']:.0f} MB   ratio {rate / raw_rate:.2f}")
            finally:
                server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--measure", nargs=2)
    parser.add_argument("--verify", action="store_true")
    parser.add_argument("--every", action="store_true")
    parser.add_argument("--replay", type=int, nargs="+", help="replay benchmark: sizes of the registry's log")
    parser.add_argument("--measure-replay", nargs=3)
    options = parser.parse_args()
    if options.measure_replay:
        asyncio.run(measure_replay(*options.measure_replay))
    elif options.replay:
        asyncio.run(run_replay(options.replay))
    elif options.measure:
        asyncio.run(measure(*options.measure, verify=options.verify, every=options.every))
    else:
        asyncio.run(run(options.events))
