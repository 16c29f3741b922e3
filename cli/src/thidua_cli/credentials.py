"""NATS credentials of the embedded node: one NKey per service and tool, and the server's accounts block.

Seeds are created once under `var/credentials/` (owner-readable only) and kept; the
server's configuration is rewritten from them at every start, with each identity's
permissions (thidua_shared.messaging.nats_access). Production generates the same files
with `thidua nats credentials --out DIR` and mounts them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nkeys

from thidua_shared.messaging.nats_access import (
    Permissions, admin_permissions, link_permissions, seed_file, service_permissions, tools_permissions,
)
from thidua_shared.settings import Settings
from thidua_shared.topology import ADMIN_IDENTITY, LINK_IDENTITY, SERVICES, TOOLS_IDENTITY

ACCOUNT = "THIDUA"
USER_NKEY = re.compile(r"U[A-Z2-7]{55}")  # a user's public NKey: prefix U, base32


def identities(node: str, services: list[str]) -> dict[str, Permissions]:
    found = {name: service_permissions(node, SERVICES[name]) for name in services}
    found[ADMIN_IDENTITY] = admin_permissions()
    found[TOOLS_IDENTITY] = tools_permissions()
    return found


def ensure_seed(path: Path) -> str:
    """The public key of the user seed at `path`, creating the seed if absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(seed)
    return nkeys.from_seed(path.read_bytes().strip()).public_key.decode()


def accounts_block(settings: Settings, services: list[str]) -> str:
    """The server configuration's `accounts` section: every identity with its permissions."""
    users = []
    for identity, permissions in identities(settings.node, services).items():
        users.append({"nkey": ensure_seed(seed_file(settings, identity)), "permissions": permissions.as_config()})
    for province in settings.provinces():
        users.append({"nkey": link_public_key(settings, province), "permissions": link_permissions(province, settings.node).as_config()})
    account = {"jetstream": "enabled", "users": users}
    return f"accounts: {json.dumps({ACCOUNT: account}, indent=2)}\n"


# --- provincial nodes' leaf links ------------------------------------------------------------------------
def link_public_key(settings: Settings, province: str) -> str:
    return settings.link_key_path(province).read_text().strip()


def register_link(settings: Settings, province: str, public_key: str) -> Path:
    """At the centre: accept a province's leaf link signed with this NKey (a user key, `U…`)."""
    if not USER_NKEY.fullmatch(public_key):
        raise ValueError(f"not a user NKey: {public_key!r}")
    path = settings.link_key_path(province)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(public_key + "\n")
    return path


def own_link_key(settings: Settings) -> str:
    """On a province: its link's public NKey (`U…`), to register at the centre (the seed is created on first use)."""
    return ensure_seed(seed_file(settings, LINK_IDENTITY))


def link_seed(settings: Settings) -> str:
    """On a province: the seed its leaf link authenticates with (created on first start)."""
    path = seed_file(settings, LINK_IDENTITY)
    ensure_seed(path)
    return path.read_text().strip()


def leafnodes_block(settings: Settings) -> str:
    """A province's servers' `leafnodes` section in production: the link to the centre with its seed."""
    from thidua_cli.natsserver import leaf_remote_text

    assert settings.centre_url is not None
    return leaf_remote_text(settings.centre_url, link_seed(settings), ACCOUNT)
