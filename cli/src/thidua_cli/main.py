"""`thidua`: run the system, declare streams, export schemas, and work with the registry."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from thidua_cli.commands.campaigns import campaigns_app, pledges_app
from thidua_cli.client import Context, read_token_file
from thidua_cli.commands.status import status
from thidua_cli.commands.registry import clusters_app, import_app, people_app, tokens_app, units_app
from thidua_cli.commands.audit import audit_app
from thidua_cli.commands.awards import awards_app
from thidua_cli.commands.nodes import nodes_app
from thidua_cli.commands.scoring import scoring_app
from thidua_shared.i18n import Language
from thidua_shared.settings import Settings

app = typer.Typer(help="Thi Đua – thi đua, khen thưởng khu vực kinh tế tập thể / emulation and commendation", no_args_is_help=True)
streams_app = typer.Typer(help="Luồng sự kiện JetStream / JetStream streams", no_args_is_help=True)
nats_app = typer.Typer(help="Xác thực NATS / NATS authentication", no_args_is_help=True)
events_app = typer.Typer(help="Danh mục và kiểm tra sự kiện / event catalog and verification", no_args_is_help=True)
app.add_typer(streams_app, name="streams")
app.add_typer(nats_app, name="nats")
app.add_typer(events_app, name="events")
app.add_typer(units_app, name="units")
app.add_typer(clusters_app, name="clusters")
app.add_typer(people_app, name="people")
app.add_typer(import_app, name="import")
app.add_typer(tokens_app, name="tokens")
app.add_typer(campaigns_app, name="campaigns")
app.add_typer(pledges_app, name="pledges")
app.add_typer(scoring_app, name="scoring")
app.add_typer(awards_app, name="awards")
app.add_typer(nodes_app, name="nodes")
app.add_typer(audit_app, name="audit")


@app.callback()
def main(
    ctx: typer.Context,
    lang: Annotated[Language | None, typer.Option("--lang", "-l", help="vi (mặc định) hoặc en")] = None,
    token: Annotated[str | None, typer.Option("--token", help="Mã truy cập / access token")] = None,
    token_file: Annotated[Path | None, typer.Option("--token-file", envvar="THIDUA_TOKEN_FILE",
                                                    help="Tệp chứa mã truy cập (không lộ trên dòng lệnh) / a file holding the token")] = None,
) -> None:
    settings = _settings()
    ctx.obj = Context(language=lang or settings.language, token=token, settings=settings)
    if token is None and token_file is not None:
        ctx.obj.token = read_token_file(ctx.obj, token_file)


@app.command()
def up(
    ctx: typer.Context,
    node: Annotated[str | None, typer.Option("--node", help="Mã nút tỉnh / provincial node id (default: the centre, vn)")] = None,
    centre: Annotated[str | None, typer.Option("--centre", help="URL liên kết tới trung tâm / the centre's leaf URL (nats-leaf://host:7422)")] = None,
    cluster: Annotated[int | None, typer.Option("--cluster", min=1, max=5, help="Số máy chủ NATS thành cụm / nats-servers in one cluster (3: streams R3)")] = None,
) -> None:
    """Chạy toàn bộ hệ thống / run the whole system (Ctrl-C stops it)."""
    from thidua_cli.launcher import PortInUse, System
    from thidua_shared.logging import configure_logging
    from thidua_shared.owner_only import make_owner_only, write_owner_only

    c: Context = ctx.obj
    overrides = {k: v for k, v in {"node": node, "centre_url": centre, "cluster_size": cluster}.items() if v is not None}
    if overrides:
        c.settings = _settings(**overrides)
    configure_logging(c.settings)
    write_owner_only()  # var/ and everything in it, nats-server's store and the services' files included
    make_owner_only(c.settings.var_dir.resolve())  # and what an earlier version left readable to others
    lock = _take_lock(c)
    system = System(c.settings)
    stop = threading.Event()
    # SIGTERM (a supervisor) and SIGINT (Ctrl-C, even for a job a script started in the background, where
    # it arrives ignored) stop `up` wherever it is, starting included; nothing it started outlives it
    # (each child is tied to it: thidua_cli.tied).
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop_on_signal)
    why: tuple[str, dict[str, object]] = ("stop_unexpected", {"reason": "?"})
    try:
        system.start(c.say)
        token_path = c.settings.var_dir.resolve() / "admin.token"
        if system.first_start:
            c.say("admin_token_new", token=system.admin_token, path=token_path)
        else:
            c.say("admin_token_kept", path=token_path)
        c.say("system_ready")
        system.supervise(c.say, stop)
    except StopRequested as requested:
        why = ("stop_signal", {"signal": requested.name})
    except PortInUse as taken:
        why = ("port_in_use", {"port": taken.port, "setting": taken.setting})
    except (RuntimeError, TimeoutError, OSError) as exc:
        why = ("start_failed", {"reason": str(exc)})
    except Exception as exc:  # noqa: BLE001 - whatever it was, say it and stop everything
        why = ("stop_unexpected", {"reason": f"{type(exc).__name__}: {exc}"})
    finally:
        # A second signal must not cut the stop short: uv forwards the terminal's Ctrl-C again a moment
        # later, and a supervisor may follow SIGINT with SIGTERM.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)
        stop.set()  # the link watcher's thread too
        c.say(why[0], **why[1])
        c.say("system_stopping")
        system.stop()
        lock.unlink(missing_ok=True)
        c.say("system_stopped", var=c.settings.var_dir.resolve())
    if why[0] != "stop_signal":
        raise typer.Exit(1)


class StopRequested(BaseException):
    """Raised in the main thread by SIGTERM or SIGINT: unwinds whatever `up` is doing, then it stops in order."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.name = signal.Signals(signum).name


_stop_taken = False


def _stop_on_signal(signum: int, _frame: object) -> None:
    """The first signal unwinds `up` (starting or supervising); any later one is ignored, so that the stop
    it began is never cut short. It only raises: taking a lock here could deadlock with the main thread."""
    global _stop_taken
    if _stop_taken:
        return
    _stop_taken = True
    raise StopRequested(signum)


def _settings(**overrides: object) -> Settings:
    """The settings from THIDUA_* (and the command's options); a contradiction is said plainly, not as a traceback."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        from thidua_shared.i18n import translate

        reasons = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        typer.echo(translate("settings_invalid", reasons=reasons), err=True)
        raise typer.Exit(2) from None


def _take_lock(c: Context) -> Path:
    lock = c.settings.var_dir.resolve() / "up.pid"
    if lock.exists():
        pid = int(lock.read_text().strip() or 0)
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, ValueError):
            pass  # a stale lock from a process that died
        else:
            raise c.fail("already_running", pid=pid, path=lock)
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(str(os.getpid()))
    return lock


app.command("status")(status)


@app.command()
def demo(ctx: typer.Context) -> None:
    """Nạp dữ liệu mẫu thực tế / load a realistic demo tree (the system must be running)."""
    from thidua_cli.demo import load_demo

    load_demo(ctx.obj)


@streams_app.command("apply")
def streams_apply(ctx: typer.Context) -> None:
    """Tạo hoặc cập nhật các luồng / create or update the node's streams (production)."""
    import asyncio

    from thidua_cli.launcher import declare_streams

    c: Context = ctx.obj
    for line in asyncio.run(declare_streams(c.settings)):
        c.say("stream_declared", line=line)


@nats_app.command("credentials")
def nats_credentials(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Thư mục ghi khóa và accounts.conf / folder for the seeds and accounts.conf")],
) -> None:
    """Tạo khóa NKey cho từng dịch vụ, công cụ và cấu hình tài khoản cho máy chủ NATS (triển khai thật)
    / create an NKey per service and tool, and the servers' accounts.conf (production)."""
    from thidua_cli.credentials import accounts_block
    from thidua_cli.addresses import installed_services

    c: Context = ctx.obj
    settings = c.settings.model_copy(update={"credentials": out})
    (out / "accounts.conf").parent.mkdir(parents=True, exist_ok=True)
    (out / "accounts.conf").write_text(accounts_block(settings, installed_services(settings)))
    if settings.is_province:
        from thidua_cli.credentials import leafnodes_block

        # The link's seed is in it: readable by the owner only.
        path = out / "leafnodes.conf"
        path.touch(mode=0o600)
        path.write_text(leafnodes_block(settings))
    c.say("credentials_written", path=out)


@events_app.command("schema")
def events_schema(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help="Thư mục ghi các tệp .json / folder for the .json files")] = None,
) -> None:
    """Xuất lược đồ JSON của mọi sự kiện / export the JSON Schema of every event."""
    from thidua_shared.events.all import load_all
    from thidua_shared.events.catalog import json_schemas

    load_all()
    schemas = json_schemas()
    if out is None:
        typer.echo(json.dumps(schemas, ensure_ascii=False, indent=2))
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (out / f"{name}.json").write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    ctx.obj.say("schemas_written", count=len(schemas), path=out)


@events_app.command("asyncapi")
def events_asyncapi(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help="Tệp .json để ghi / the .json file to write")] = None,
) -> None:
    """Xuất tài liệu AsyncAPI của danh mục sự kiện / write the event catalog as an AsyncAPI 3 document."""
    from thidua_shared.messaging.asyncapi import asyncapi_document

    text = json.dumps(asyncapi_document(), ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    ctx.obj.say("asyncapi_written", path=out)


@events_app.command("verify")
def events_verify(ctx: typer.Context) -> None:
    """Kiểm tra chuỗi băm và chữ ký của luồng EVENTS (như `audit verify`) / verify the EVENTS stream's chains (as `audit verify`)."""
    from thidua_cli.commands.audit import verify_log

    verify_log(ctx.obj)
