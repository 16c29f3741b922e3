"""The pull loop survives whatever a fetch or a batch throws at it (a unit of loop logic;
delivery itself is tested against a real nats-server in tests/integration)."""

from __future__ import annotations

import asyncio

import nats.errors

from thidua_shared.messaging.consumer import PullLoop


class ScriptedSubscription:
    """Plays back a script of fetch outcomes: an exception to raise or a list of messages."""

    def __init__(self, script: list) -> None:
        self.script = script

    async def fetch(self, batch: int, timeout: float) -> list:
        await asyncio.sleep(0)
        if not self.script:
            await asyncio.Event().wait()  # nothing more: idle for ever
        outcome = self.script.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class RecordingConsumer:
    name = "recording"

    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.fail_on = fail_on

    async def process(self, messages: list[str]) -> None:
        self.batches.append(messages)
        if self.fail_on in messages:
            raise RuntimeError("the database went away")


async def run(script: list, consumer: RecordingConsumer) -> None:
    loop = PullLoop(consumer)  # type: ignore[arg-type]
    task = asyncio.create_task(loop._run(ScriptedSubscription(script)))  # type: ignore[arg-type]
    for _ in range(50):
        await asyncio.sleep(0)
    assert not task.done(), task.exception() if task.done() else None
    task.cancel()


async def test_idle_timeouts_of_every_flavour_keep_the_loop_going():
    consumer = RecordingConsumer()
    # nats-py raises its own TimeoutError on a client-side timeout and plain asyncio.TimeoutError
    # when the server expires the pull request (408) first: the second once ended the loop.
    await run([nats.errors.TimeoutError(), asyncio.TimeoutError(), TimeoutError(), ["m1"]], consumer)
    assert consumer.batches == [["m1"]]


async def test_a_failing_batch_or_fetch_does_not_end_the_loop(monkeypatch):
    consumer = RecordingConsumer(fail_on="m1")
    original_sleep = asyncio.sleep
    monkeypatch.setattr("thidua_shared.messaging.consumer.asyncio.sleep", lambda s: original_sleep(0))
    await run([["m1"], nats.errors.ConnectionClosedError(), ["m2"]], consumer)
    assert consumer.batches == [["m1"], ["m2"]]
