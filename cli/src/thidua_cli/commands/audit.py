"""`thidua audit`: what an inspector, the council or a citizen uses to check the log."""

from __future__ import annotations

import asyncio
import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from thidua_cli.audit import LogVerifier, iter_stored
from thidua_cli.client import Context, console
from thidua_shared.i18n import translate
from thidua_shared.keys import TrustedKeys
from thidua_shared.messaging.nats_access import identity_for
from thidua_shared.topology import TOOLS_IDENTITY

audit_app = typer.Typer(help="Kiểm toán nhật ký sự kiện / audit the event log", no_args_is_help=True)


async def _verify(c: Context, progress: Progress) -> LogVerifier:
    verifier = LogVerifier(TrustedKeys(c.settings.trusted_keys_dir))
    task = progress.add_task(translate("verify_progress", c.language), total=None)
    async for stored in iter_stored(c.settings.nats_servers, identity_for(c.settings, TOOLS_IDENTITY)):
        verifier.add(stored)
        if verifier.total % 1000 == 0:
            progress.update(task, completed=verifier.total)
    progress.update(task, completed=verifier.total)
    return verifier


def verify_log(c: Context) -> None:
    """Read the node's whole log once, as a stream, and print one line per chain; exit 1 on any problem."""
    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        verifier = asyncio.run(_verify(c, progress))
    for report in verifier.reports():
        if report.missing_key:
            c.say("verify_no_key", node=report.node)
        if report.problem_count:
            c.say("verify_bad", chain=report.chain, count=report.count, problems=report.problem_count)
            for problem in report.problems:
                typer.echo(f"  - {problem}")
        else:
            c.say("verify_ok", chain=report.chain, count=report.count)
    for line in verifier.unreadable:
        c.say("verify_unreadable", where=line)
    elapsed = time.perf_counter() - started
    c.say("verify_summary", events=verifier.total, chains=len(verifier.chains), seconds=f"{elapsed:.1f}",
          rate=f"{verifier.total / elapsed:,.0f}" if elapsed else "–")
    if not verifier.intact or any(r.missing_key for r in verifier.reports()):
        raise typer.Exit(1)


@audit_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Kiểm tra mọi chuỗi của mọi nút trong nhật ký (đọc một lượt, bộ nhớ không đổi) / verify every chain of every node."""
    verify_log(ctx.obj)
