"""HTTP client of the CLI: finds the token, speaks the chosen language, prints API errors plainly."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from thidua_shared.consistency import HeldPositions
from thidua_shared.i18n import Language, translate
from thidua_shared.owner_only import write_secret
from thidua_cli.addresses import ADMIN_TOKEN_FILE, service_url
from thidua_shared.settings import Settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # a message is one line, whatever the terminal's width
def one_line(first: str, other: str | None) -> str:
    """A message in both languages on one line, the reader's first; once, where both read the same."""
    return first if not other or other == first else f"{first} / {other}"


ID_COLUMN = {"min_width": 36, "no_wrap": True}  # an id column is never cut: it is what other commands take


def list_table(c: "Context", *columns: str) -> Table:
    """A list's table: its headers (catalog codes) in the reader's language, long text folded, and the id
    column (`column_id`) whole."""
    table = Table()
    for code in columns:
        table.add_column(translate(code, c.language), overflow="fold", **ID_COLUMN if code == "column_id" else {})
    return table


@dataclass
class Context:
    language: Language
    token: str | None
    settings: Settings
    # What this command wrote, sent with every later call: a unit just created is then found by the
    # next service asked (read-your-writes), never "not found".
    positions: HeldPositions = field(default_factory=HeldPositions)

    def say(self, message_code: str, /, **params: object) -> None:
        console.print(translate(message_code, self.language, **params), highlight=False)

    def fail(self, message_code: str, /, **params: object) -> typer.Exit:
        """The failure in one line, in the chosen language first and the other after it (a script's log is read by
        whoever is on duty)."""
        other = "en" if self.language == "vi" else "vi"
        said = one_line(translate(message_code, self.language, **params), translate(message_code, other, **params))
        errors.print(f"[red]{escape(said)}[/red]", highlight=False)
        return typer.Exit(1)

    def client(self, service: str) -> "ServiceClient":
        token = self.token or os.environ.get("THIDUA_TOKEN") or self._saved_admin_token()
        if not token:
            raise self.fail("no_token")
        return ServiceClient(self, service, token)

    def _saved_admin_token(self) -> str | None:
        path = self.settings.var_dir / ADMIN_TOKEN_FILE
        return path.read_text().strip() if path.exists() else None


def read_token_file(c: Context, path: Path) -> str:
    """A token kept in a file (from `tokens create --out`), so that it never shows on a command line or in `ps`."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise c.fail("token_file_unreadable", path=path) from None


def write_token_file(path: Path, token: str) -> None:
    """Readable by its owner only, created so (never world-readable, not even for a moment)."""
    write_secret(path, token + "\n")


def _error_code(response: httpx.Response) -> str | None:
    try:
        return response.json().get("code")
    except (ValueError, AttributeError):
        return None


class ServiceClient:
    def __init__(self, ctx: Context, service: str, token: str) -> None:
        self.ctx, self.service = ctx, service
        self.base_url = os.environ.get(f"THIDUA_{service.upper()}_URL") or service_url(ctx.settings, service)
        self.http = httpx.Client(
            base_url=self.base_url, timeout=httpx.Timeout(60.0, write=600.0),  # a big upload on a slow line
            headers={"Authorization": f"Bearer {token}", "Accept-Language": ctx.language},
            event_hooks=ctx.positions.hooks(),
        )

    def call(self, method: str, path: str, *, ok_statuses: tuple[int, ...] = (), tolerate: tuple[str, ...] = (), **kwargs: Any) -> Any:
        """Send a request; on an API error print its message and exit 1. Returns None instead for a
        status in `ok_statuses` or an error whose code is in `tolerate` (e.g. "already there" on a rerun)."""
        response = self._request(method, path, **kwargs)
        if response.status_code in ok_statuses:
            return None
        if response.is_error and tolerate and _error_code(response) in tolerate:
            return None
        if response.is_error:
            self._print_error(response)
            raise typer.Exit(1)
        return response.json() if response.content else None

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; while the service answers that it has not yet applied what this command wrote
        (503 `not_yet_applied`: it is catching up), ask again as it says, for at most two minutes."""
        deadline, told = time.monotonic() + 120, False
        while True:
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError:
                raise self.ctx.fail("service_unreachable", service=self.service, url=self.base_url) from None
            if response.status_code != 503 or _error_code(response) != "not_yet_applied" or time.monotonic() > deadline:
                return response
            if not told:
                self.ctx.say("service_catching_up", service=self.service)
                told = True
            time.sleep(min(float(response.headers.get("retry-after", "1") or 1), 5.0))

    def download(self, path: str, method: str = "GET", **kwargs: Any) -> bytes:
        """A file the service builds (an Excel or CSV export, a Word draft); on an API error print its message and exit 1."""
        response = self._request(method, path, **kwargs)
        if response.is_error:
            self._print_error(response)
            raise typer.Exit(1)
        return response.content

    def import_file(self, path: str, file: Any, dry_run: bool) -> dict[str, Any]:
        """Upload a file to an import endpoint and follow its job to the end (progress bar); its result."""
        with file.open("rb") as handle:
            job = self.call("POST", path, params={"dry_run": dry_run}, files={"file": (file.name, handle)})
        return self.follow_job(job)

    def follow_job(self, job: dict[str, Any]) -> dict[str, Any]:
        """Poll a job with a progress bar until it ends; its result, or its error printed and exit 1.
        No request waits for the whole job, so nothing times out however long it runs."""
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task(self._phase(job["phase"]), total=job.get("total"))
            while job["status"] == "running":
                time.sleep(0.5)
                job = self.call("GET", f"/jobs/{job['id']}")
                bar.update(task, description=self._phase(job["phase"]), completed=job["done"], total=job.get("total"))
        if job["status"] == "failed":
            self._print_body(job["error"] or {})
            raise typer.Exit(1)
        return job["result"] or {}

    def _phase(self, phase: str) -> str:
        return translate(f"job_phase_{phase}", self.ctx.language)

    def _print_error(self, response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            errors.print(f"[red]HTTP {response.status_code}: {response.text}[/red]")
            return
        self._print_body(body)

    def _print_body(self, body: dict[str, Any]) -> None:
        other = "en" if self.ctx.language == "vi" else "vi"
        said = one_line(body.get(f"message_{self.ctx.language}") or body.get("message", str(body)), body.get(f"message_{other}"))
        errors.print(f"[red]{escape(said)}[/red]", highlight=False)
        for item in (body.get("details") or {}).get("errors", []) if isinstance(body.get("details"), dict) else []:
            message = item.get(f"message_{self.ctx.language}") or item.get("message_vi")
            header = item.get("header") or item.get("column")
            column = f" ({header})" if header else ""
            errors.print(translate("import_row_error", self.ctx.language, row=item["row"], column=column, message=message), highlight=False)
        if isinstance(body.get("details"), list) and len(body["details"]) > 1:  # the first is in the message already
            for item in body["details"][1:]:
                errors.print(f"  {item.get(f'message_{self.ctx.language}') or item.get('message_vi')}", highlight=False)
