"""What the portal process holds while it runs: its database (migrated at start), the secret its CSRF tokens
are signed with (kept under var/, owner-only), and, on a new node, the first administrator's one-time link,
written where `up` reads and prints it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from thidua_shared.db import Database, upgrade_to_head_async
from thidua_shared.events.envelope import utc_now
from thidua_shared.owner_only import write_secret
from thidua_shared.settings import ServiceSettings, Settings
from thidua_shared.topology import PORTAL

from thidua_portal.migrations import MIGRATIONS
from thidua_portal.service_layer import accounts

FIRST_ADMIN_FILE = "first-admin.url"  # under var/portal/: the link `up` prints, while the password is not set


@dataclass
class Portal:
    db: Database
    csrf_secret: str
    folder: Path

    @classmethod
    async def open(cls, settings: Settings) -> "Portal":
        url = ServiceSettings.for_service(PORTAL).resolved_database_url(PORTAL, settings)
        await upgrade_to_head_async(MIGRATIONS, url, platform=False)
        folder = settings.var_dir / "portal"
        folder.mkdir(parents=True, exist_ok=True)
        return cls(Database.from_url(url), _secret(folder / "csrf.key"), folder)

    async def offer_first_admin_link(self, base_url: str) -> str | None:
        """The one-time link to set the first national administrator's password, or None once it is set."""
        target = self.folder / FIRST_ADMIN_FILE
        token = await accounts.first_admin_link(self.db, utc_now())
        if token is None:
            target.unlink(missing_ok=True)
            return None
        link = f"{base_url}/thiet-lap-mat-khau/{token}"
        write_secret(target, link + "\n")  # a secret until used: its owner (who runs `up`) reads it, nobody else
        return link

    def link_used(self, token: str) -> None:
        """The first administrator's link has done its work: `up` has nothing more to print."""
        target = self.folder / FIRST_ADMIN_FILE
        if target.exists() and target.read_text(encoding="utf-8").strip().endswith(f"/{token}"):
            target.unlink()

    async def close(self) -> None:
        await self.db.dispose()


def _secret(path: Path) -> str:
    if not path.exists():
        write_secret(path, secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip()
