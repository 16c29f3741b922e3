"""`thidua status`: every service's health in one table (what /health says, service by service)."""

from __future__ import annotations

from typing import Any

import httpx
import typer
from rich.table import Table

from thidua_cli.client import Context, console
from thidua_cli.addresses import installed_services, service_url
from thidua_shared.i18n import translate
from thidua_shared.topology import PORTAL


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
    portal = service_url(c.settings, PORTAL)  # no events, no database of the log's: up or not
    if _fetch(portal) is None:
        healthy = False
        table.add_row(PORTAL, f"[red]{t('status_unreachable', url=portal)}[/red]", "", "", "", "", "")
    else:
        table.add_row(PORTAL, "[green]ok[/green]", "", "", "", "", "")
    console.print(table)
    healthy &= _print_links(c, t)
    if not healthy:
        raise typer.Exit(1)


def _print_links(c: Context, t) -> bool:  # type: ignore[no-untyped-def]
    """The node's links (sources of its EVENTS stream): heard from or silent since when, events waiting.
    At the centre a province silent longer than `link_cut_alarm_hours` is reported in red."""
    import asyncio
    from datetime import datetime, timedelta

    from thidua_cli.links import read_links
    from thidua_shared.i18n import format_moment

    try:
        links = asyncio.run(read_links(c.settings))
    except Exception:  # noqa: BLE001 - NATS down (the services above say so too): one line, and go on
        c.say("links_unreadable_nats")
        return False
    if not links:
        return True
    table = Table(title=t("links_title", node=c.settings.node))
    for column in ("links_node", "links_subjects", "links_state", "links_waiting"):
        table.add_column(t(column))
    ok = True
    for link in links:
        heard = link.connected()
        if heard is None:
            state = t("links_never")
        elif heard:
            state = "[green]" + t("links_connected") + "[/green]"
        else:
            moment = datetime.now().astimezone() - timedelta(seconds=link.silent_seconds or 0)
            since = format_moment(moment, c.language)
            overdue = not c.settings.is_province and link.overdue(c.settings.link_cut_alarm_hours)
            ok &= not overdue
            state = ("[red]" if overdue else "[yellow]") + t("links_cut_since", since=since) + ("[/red]" if overdue else "[/yellow]")
        if link.error:
            state += f" ({link.error})"
        table.add_row(link.node, link.subjects, state, str(link.waiting))
    console.print(table)
    return ok
