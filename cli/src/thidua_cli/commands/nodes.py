"""`thidua nodes`: the centre and its provincial nodes (registering a province's link and keys, the links' state)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from thidua_cli.client import Context
from thidua_cli.credentials import link_seed, register_link
from thidua_shared.keys import ensure_node_key, load_public_key, public_key_path
from thidua_shared.settings import NODE_PATTERN

nodes_app = typer.Typer(help="Nút tỉnh và trung tâm / provincial nodes and the centre", no_args_is_help=True)


def _node_code(c: Context, code: str) -> str:
    if not NODE_PATTERN.match(code):
        raise c.fail("node_code_invalid", code=code)
    return code


@nodes_app.command("identity")
def identity(ctx: typer.Context) -> None:
    """Khóa của nút này để đăng ký ở nút kia / this node's keys, to register on the other side."""
    c: Context = ctx.obj
    ensure_node_key(c.settings.keys_dir, c.settings.node)
    c.say("node_identity", node=c.settings.node, key=public_key_path(c.settings.keys_dir, c.settings.node).resolve())
    if c.settings.is_province:
        import nkeys

        c.say("node_link_key", key=nkeys.from_seed(link_seed(c.settings).encode()).public_key.decode())


@nodes_app.command("trust")
def trust(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Mã nút / node id (vn, hp, ...)")],
    signing_key: Annotated[Path, typer.Option("--signing-key", help="Khóa công khai Ed25519 của nút (.pem) / the node's public key")],
    link_key: Annotated[str | None, typer.Option("--link-key", help="Ở trung tâm: khóa NKey của liên kết tỉnh / at the centre: the province's link NKey")] = None,
) -> None:
    """Tin sự kiện của một nút khác; ở trung tâm, nhận liên kết của tỉnh (khởi động lại `up`)
    / trust another node's events; at the centre, accept the province's link (restart `up`)."""
    c: Context = ctx.obj
    code = _node_code(c, code)
    try:
        load_public_key(signing_key)
    except (OSError, ValueError) as exc:
        raise c.fail("node_key_invalid", path=signing_key, reason=str(exc)) from None
    target = public_key_path(c.settings.trusted_keys_dir, code)
    target.parent.mkdir(parents=True, exist_ok=True)
    if signing_key.resolve() != target.resolve():
        shutil.copyfile(signing_key, target)
    c.say("node_trusted", node=code, path=target)
    if link_key is not None:
        try:
            register_link(c.settings, code, link_key)
        except ValueError as exc:
            raise c.fail("node_key_invalid", path=link_key, reason=str(exc)) from None
        c.say("node_link_registered", node=code)
