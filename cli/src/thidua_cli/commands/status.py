"""`thidua status`: every service's health in one table (what /health says, service by service)."""

from __future__ import annotations

from typing import Any

import httpx
import typer
from rich.table import Table

from thidua_cli.client import Context, console
from thidua_cli.launcher import installed_services, service_url
from thidua_shared.i18n import translate


def _fetch(url: str) -> dict[str, Any] | None:
    try:
        response = httpx.get(f"{url}/health", timeout=5)
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code in (200, 503) else None


def _number(value: object) -> str:
    return "?" if value is None else str(value)


def status(ctx: typer.Context) -> None:
    """Tình trạng các dịch vụ: NATS, CSDL, hàng đợi gửi, độ trễ bản sao, thư chết
    / health of every service: NATS, database, outbox, replica lag, dead letters."""
    c: Context = ctx.obj
    t = lambda code, **p: translate(code, c.language, **p)  # noqa: E731
    table = Table()
    for column in ("status_service", "status_state", "status_nats", "status_outbox", "status_consumer", "status_lag", "status_dead"):
        table.add_column(t(column))
    healthy = True
    for name in installed_services(c.settings):
        url = service_url(c.settings, name)
        health = _fetch(url)
        if health is None:
            healthy = False
            table.add_row(name, f"[red]{t('status_unreachable', url=url)}[/red]", "", "", "", "", "")
            continue
        ok = health["status"] == "ok"
        healthy &= ok
        state = "[green]ok[/green]" if ok else "[red]" + "; ".join(health["reasons"]) + "[/red]"
        outbox = _number(health["outbox_pending"])
        if health.get("outbox_oldest_seconds"):
            outbox += f" ({health['outbox_oldest_seconds']:.0f} s)"
        consumers = health["consumers"] or [None]
        for index, consumer in enumerate(consumers):
            first = index == 0
            table.add_row(
                name if first else "", state if first else "", ("✓" if health["nats_connected"] else "✗") if first else "",
                outbox if first else "", consumer["name"] if consumer else "—",
                _number(consumer["lag"]) if consumer else "", _number(consumer["dead_letters"]) if consumer else "",
            )
    console.print(table)
    if not healthy:
        raise typer.Exit(1)
