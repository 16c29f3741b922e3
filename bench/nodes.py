"""Provincial node benchmark: how long the centre takes to receive what a province did offline.

    uv run python bench/nodes.py [--events 10000 100000]

Starts a centre and one province (real nats-servers configured as `thidua up` configures them: domains,
accounts, the province's leaf link with its own NKey and permissions, through a relay that can be cut).
For each N: cut the link; the province writes N sealed events to its log (not timed); then
  raw copy       a stream on the province's own server sourcing the same N messages (the server's
                 stream-to-stream copy, no link): from creation to the N-th message stored
  reconnection   restore the link: from then to the N-th of them stored in the centre's log
With `thidua up`'s link watcher (as `up` runs it) unless `--no-watch`: then the server's own retry
back-off decides when sourcing resumes. Raw copy runs before and after the reconnection and the ratio uses their mean, so that a machine that
speeds up or slows down during the run does not tilt it. Compare ratios, not times.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from nats.js.api import StreamConfig, StreamSource

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.nodes import Node, build_nodes  # noqa: E402
from thidua_shared.messaging.streams import EVENTS_STREAM  # noqa: E402
from thidua_shared.topology import ADMIN_IDENTITY  # noqa: E402


async def until(node: Node, stream: str, count: int, started: float, first_seen: list[float] | None = None) -> float:
    base = await node.count(stream, ADMIN_IDENTITY)
    while (now := await node.count(stream, ADMIN_IDENTITY)) < count:
        if first_seen is not None and not first_seen and now > base:
            first_seen.append(time.perf_counter() - started)
        await asyncio.sleep(0.02)
    return time.perf_counter() - started


async def raw_copy(province: Node, name: str, first: int, count: int) -> float:
    """The same `count` messages (from sequence `first`) copied stream-to-stream on the province's own server."""
    nc = await province.connect(ADMIN_IDENTITY)
    try:
        js = nc.jetstream()
        started = time.perf_counter()
        source = StreamSource(name=EVENTS_STREAM, opt_start_seq=first, filter_subject="thidua.events.hp.>")
        await js.add_stream(StreamConfig(name=name, sources=[source]))
        elapsed = await until(province, name, count, started)
        await js.delete_stream(name)
        return elapsed
    finally:
        await nc.close()


async def run(sizes: list[int], watch: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        nodes = await build_nodes(Path(tmp), provinces=("hp",), watch=watch)
        centre, province = nodes["vn"], nodes["hp"]
        assert province.link is not None
        try:
            written = 0
            for size in sizes:
                await province.link.cut()
                first = await province.count() + 1
                await province.write("scoring", "scoring.submission_received", size)
                written += size
                before = await raw_copy(province, f"RAW_BEFORE_{size}", first, size)
                started = time.perf_counter()
                await province.link.restore()
                first_seen: list[float] = []
                reconnection = await until(centre, EVENTS_STREAM, written, started, first_seen)
                print(f"  first event at the centre after {first_seen[0] if first_seen else reconnection:.2f} s")
                after = await raw_copy(province, f"RAW_AFTER_{size}", first, size)
                raw = (before + after) / 2
                print(f"N={size:>7,}: reconnection {reconnection:6.2f} s ({size / reconnection:8,.0f} events/s); "
                      f"raw copy {raw:6.2f} s (before {before:.2f}, after {after:.2f}); "
                      f"ratio reconnection/raw {reconnection / raw:5.2f}")
        finally:
            for node in nodes.values():
                if node.watcher is not None:
                    node.watcher.cancel()
            await province.link.cut()
            for node in nodes.values():
                node.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-watch", action="store_true", help="without thidua up's link watcher: the server's own retry")
    args = parser.parse_args()
    asyncio.run(run(args.events, watch=not args.no_watch))


if __name__ == "__main__":
    main()
