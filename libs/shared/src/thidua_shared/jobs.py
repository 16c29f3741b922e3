"""Long work (a national import, a big export) as a job whose progress can be polled.

A request starts the job and answers at once (202) with the job's id; the caller, or a
portal, polls `GET /jobs/{id}` for the phase, how far it got, and finally the result or
the error (bilingual, as any API error). Jobs live in the service's memory: a job that a
restart interrupts is gone, and because every job is all-or-nothing, so is its work;
the caller sees 404 and sends it again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from thidua_shared.errors import AppError
from thidua_shared.ids import new_id
from thidua_shared.events.envelope import utc_now
from thidua_shared.i18n import Language
from thidua_shared.logging import get_logger

log = get_logger(__name__)

Status = Literal["running", "succeeded", "failed"]


@dataclass
class Progress:
    """What a job reports as it goes: the phase it is in, and how many of how many it has done."""

    phase: str = "queued"
    done: int = 0
    total: int | None = None

    def start_phase(self, phase: str, total: int | None = None) -> None:
        self.phase, self.done, self.total = phase, 0, total

    def advance(self, count: int = 1) -> None:
        self.done += count


@dataclass
class Job:
    id: str
    kind: str
    owner: str  # the token id that started it: only its owner (or a national admin) reads it
    progress: Progress = field(default_factory=Progress)
    status: Status = "running"
    result: dict[str, Any] | None = None
    error: AppError | None = None
    created_at: datetime = field(default_factory=utc_now)
    finished_at: datetime | None = None

    def view(self, language: Language) -> JobView:
        return JobView(
            id=self.id, kind=self.kind, status=self.status, phase=self.progress.phase,
            done=self.progress.done, total=self.progress.total, result=self.result,
            error=self.error.body(language) if self.error else None,
            created_at=self.created_at, finished_at=self.finished_at,
        )


class JobView(BaseModel):
    """A job as the API shows it: poll `GET /jobs/{id}` until `status` is no longer `running`."""

    id: str
    kind: str
    status: Status
    phase: str
    done: int
    total: int | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None  # the bilingual error body when the job failed
    created_at: datetime
    finished_at: datetime | None


Work = Callable[[Progress], Awaitable[dict[str, Any]]]


class JobBoard:
    """The jobs of one service process; finished ones are kept (the most recent `keep`) to be read."""

    def __init__(self, keep: int = 200) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._keep = keep

    def start(self, kind: str, owner: str, work: Work) -> Job:
        job = Job(id=new_id(), kind=kind, owner=owner)
        self._jobs[job.id] = job
        self._tasks[job.id] = asyncio.create_task(self._run(job, work), name=f"job-{kind}-{job.id}")
        self._forget_old()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    async def _run(self, job: Job, work: Work) -> None:
        try:
            job.result = await work(job.progress)
            job.status = "succeeded"
        except AppError as error:
            job.error, job.status = error, "failed"
        except Exception:  # noqa: BLE001 - reported as an internal error, logged with its trace
            log.exception("job.failed", job=job.id, kind=job.kind)
            job.error, job.status = AppError("internal_error"), "failed"
        finally:
            job.finished_at = utc_now()
            self._tasks.pop(job.id, None)

    def _forget_old(self) -> None:
        finished = [job_id for job_id, job in self._jobs.items() if job.status != "running"]
        for job_id in finished[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[job_id]

    async def stop(self) -> None:
        """Cancel running jobs: each is one transaction, so a cancelled one leaves nothing behind."""
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def wait(self, job_id: str, timeout: float) -> Job | None:
        """Wait (up to `timeout`) for a job to finish; used by callers that can afford to."""
        task = self._tasks.get(job_id)
        if task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(task), timeout)
        return self.get(job_id)
