"""The log read in a process of its own for `audit replay`, its batches sent down stdout.

Reading (NATS, parsing what it sends) and replaying (decoding, SQL) each get a core. Run as
`python -m thidua_cli.audit.log_pipe '<json: servers, identity name, seed file>'`; each record is a
4-byte length and a pickled list of messages, each (subject, body, headers), or a hole (first, last)
the log no longer has; an empty list ends the log, a str is the error that stopped the reading. The
process keeps reading while a thread writes: it stays a few batches ahead of the replay.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import queue
import struct
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thidua_shared.messaging.nats_access import NatsIdentity

BATCH = 2000  # messages a record holds at most (and the replay writes in one transaction)
AHEAD = 8  # records waiting to be written at most
HEADER = struct.Struct("!I")
Message = tuple[str, bytes, dict[str, str]] | tuple[int, int]


def arguments(servers: Sequence[str], identity: NatsIdentity) -> str:
    return json.dumps({"servers": list(servers), "identity": identity.name,
                       "seed_file": str(identity.seed_file) if identity.seed_file else None})


def _send(records: "queue.Queue[object]") -> None:
    out = sys.stdout.buffer
    while True:
        record = records.get()
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(HEADER.pack(len(data)))
        out.write(data)
        out.flush()
        if not isinstance(record, list) or not record:
            return


async def _read(records: "queue.Queue[object]", servers: list[str], identity: NatsIdentity) -> None:
    from thidua_cli.audit.stream import iter_stored  # here: the process starts before importing NATS

    batch: list[Message] = []
    async for stored in iter_stored(servers, identity):
        batch.append((stored.stream_sequence, stored.missing_until) if stored.missing_until is not None
                     else (stored.subject, stored.body, stored.headers))
        if len(batch) >= BATCH:
            await asyncio.to_thread(records.put, batch)
            batch = []
    if batch:
        await asyncio.to_thread(records.put, batch)


def main(argv: list[str]) -> int:
    options: dict[str, Any] = json.loads(argv[0])
    identity = NatsIdentity(options["identity"], Path(options["seed_file"]) if options["seed_file"] else None)
    records: queue.Queue[object] = queue.Queue(maxsize=AHEAD)
    sender = threading.Thread(target=_send, args=(records,), daemon=True)
    sender.start()
    status = 0
    try:
        asyncio.run(_read(records, options["servers"], identity))
        records.put([])
    except Exception as exc:  # noqa: BLE001 - told to the replay, which stops with it
        records.put(f"đọc nhật ký thất bại / reading the log failed: {exc!r}")
        status = 1
    sender.join()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
