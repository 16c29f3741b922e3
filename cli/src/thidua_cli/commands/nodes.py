"""`thidua nodes`: the centre and its provincial nodes (registering a province's link and keys, the links' state)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from thidua_cli.client import Context
from thidua_cli.credentials import own_link_key, register_link
from thidua_shared.keys import ensure_node_key, load_public_key, public_key_path
from thidua_shared.settings import LINK_KEY_SUFFIX, NODE_PATTERN

nodes_app = typer.Typer(help="Nút tỉnh và trung tâm / provincial nodes and the centre", no_args_is_help=True)


def _node_code(c: Context, code: str) -> str:
    if not NODE_PATTERN.match(code):
        raise c.fail("node_code_invalid", code=code)
    return code


def _key_or_file(value: str) -> str:
    """An NKey as typed (U…), or the file `nodes identity` wrote it to (hp.link.pub)."""
    path = Path(value)
    return path.read_text(encoding="utf-8").strip() if not value.startswith("U") and path.is_file() else value


@nodes_app.command("identity")
def identity(ctx: typer.Context, out: Annotated[Path, typer.Option(help="Thư mục ghi các tệp khóa để gửi đi / where to write the keys to send")] = Path(".")) -> None:
    """Khóa của nút này để gửi cho nút kia: <nút>.ed25519.pub.pem (khóa ký), và ở tỉnh <nút>.link.pub (khóa liên kết)
    / this node's public keys, written as files to send to the other side."""
    c: Context = ctx.obj
    node = c.settings.node
    ensure_node_key(c.settings.keys_dir, node)
    out.mkdir(parents=True, exist_ok=True)
    signing = out / f"{node}.ed25519.pub.pem"
    if signing.resolve() != public_key_path(c.settings.keys_dir, node).resolve():
        shutil.copyfile(public_key_path(c.settings.keys_dir, node), signing)
    c.say("node_identity", node=node, key=signing)
    if c.settings.is_province:
        link = out / f"{node}{LINK_KEY_SUFFIX}"
        link.write_text(own_link_key(c.settings) + "\n", encoding="utf-8")
        c.say("node_link_key", key=own_link_key(c.settings), path=link)


@nodes_app.command("trust")
def trust(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Mã nút / node id (vn, hp, ...)")],
    signing_key: Annotated[Path | None, typer.Option("--signing-key", help="Khóa công khai Ed25519 của nút (.pem) / the node's public key")] = None,
    link_key: Annotated[str | None, typer.Option("--link-key", help="Ở trung tâm: khóa NKey của liên kết tỉnh / at the centre: the province's link NKey")] = None,
) -> None:
    """Tin khóa của một nút, đặt bằng tay (khóa của trung tâm ở tỉnh: gốc tin cậy); ở trung tâm, nhận liên kết của tỉnh
    (khởi động lại `up`). Khóa của tỉnh nên công bố bằng `nodes register` để mọi nút đều tin
    / trust a node's key by hand (the centre's, on a province: the root of trust); at the centre, accept a
    province's link (restart `up`). A province's key is better vouched for with `nodes register`: every node then trusts it."""
    c: Context = ctx.obj
    code = _node_code(c, code)
    if signing_key is not None:
        try:
            load_public_key(signing_key)
        except (OSError, ValueError) as exc:
            raise c.fail("node_key_unusable", path=signing_key, reason=str(exc)) from None
        target = public_key_path(c.settings.trusted_keys_dir, code)
        target.parent.mkdir(parents=True, exist_ok=True)
        if signing_key.resolve() != target.resolve():
            shutil.copyfile(signing_key, target)
        c.say("node_trusted", node=code, path=target)
    if link_key is not None:
        try:
            register_link(c.settings, code, _key_or_file(link_key))
        except ValueError as exc:
            raise c.fail("node_key_unusable", path=link_key, reason=str(exc)) from None
        c.say("node_link_registered", node=code)


@nodes_app.command("register")
def register(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Mã nút / node id (hp, ...)")],
    signing_key: Annotated[Path, typer.Option("--signing-key", help="Khóa công khai Ed25519 của nút (.pem) / the node's public key")],
    reason: Annotated[str, typer.Option("--reason", help="Lý do: đăng ký, thay khóa / why: registration, rotation")],
    link_key: Annotated[str | None, typer.Option("--link-key", help="Khóa NKey của liên kết / the link's NKey")] = None,
) -> None:
    """Ở trung tâm: công bố khóa của một nút bằng sự kiện có chữ ký, mọi nút sẽ tin khóa này (cũng dùng để thay khóa)
    / at the centre: vouch for a node's key with a signed event; every node then trusts it (also a rotation)."""
    c: Context = ctx.obj
    code = _node_code(c, code)
    try:
        pem = signing_key.read_text()
    except OSError as exc:
        raise c.fail("node_key_unusable", path=signing_key, reason=str(exc)) from None
    body = c.client("registry").call("POST", f"/nodes/{code}/keys", json={"public_key_pem": pem, "link_key": link_key, "reason": reason})
    c.say("node_key_registered", node=code, fingerprint=body["fingerprint"])
