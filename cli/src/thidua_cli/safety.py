"""The `thidua` command as a person meets it (issue 18, item 5): whatever goes wrong ends in one line, in
Vietnamese and English, and a non-zero exit, never a traceback. Typer parses and runs the command; what
it would print in English (a missing argument, an unknown option, a bad value) and what a command did
not foresee (a missing file, a folder instead of a file, a service that is down) are said here."""

from __future__ import annotations

import sys

import httpx
import typer
from nats.errors import NoServersError

# Typer (0.2x) carries its own copy of click; its exceptions are public in all but the module's name.
from typer._click import exceptions as usage_errors

from thidua_cli.client import one_line
from thidua_shared.i18n import translate


def both(message_code: str, /, **params: object) -> str:
    """One line, Vietnamese first: the language option may be the very thing that failed to parse."""
    return one_line(translate(message_code, "vi", **params), translate(message_code, "en", **params))


def run(app: typer.Typer, args: list[str] | None = None) -> int:
    """Runs the command and returns its exit code."""
    try:
        result = app(args=args, standalone_mode=False, prog_name="thidua")
        return result if isinstance(result, int) else 0
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        return _said(both("cli_aborted"), 130)
    except usage_errors.NoArgsIsHelpError as help_shown:
        typer.echo(help_shown.ctx.get_help() if help_shown.ctx else "", err=True)
        return 2
    except usage_errors.MissingParameter as missing:
        return _said(both("cli_missing_argument", name=_name(missing.param), usage=_usage(missing)), 2)
    except usage_errors.NoSuchOption as unknown:
        return _said(both("cli_no_such_option", name=unknown.option_name, usage=_usage(unknown)), 2)
    except usage_errors.BadParameter as bad:
        allowed = getattr(getattr(bad.param, "type", None), "choices", None)
        if allowed:
            return _said(both("cli_bad_choice", name=_name(bad.param), allowed=", ".join(map(str, allowed)), usage=_usage(bad)), 2)
        return _said(both("cli_bad_value", name=_name(bad.param), usage=_usage(bad)), 2)
    except usage_errors.UsageError as usage:
        return _said(both("cli_usage", usage=_usage(usage)), 2)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as missing:
        return _said(both("cli_file_missing", path=missing.filename or ""), 1)
    except PermissionError as refused:
        return _said(both("cli_file_refused", path=refused.filename or ""), 1)
    except (NoServersError, ConnectionRefusedError):
        return _said(both("cli_nats_unreachable"), 1)
    except httpx.TransportError as down:
        return _said(both("cli_unreachable", url=str(down.request.url.copy_with(path="/")) if _has_request(down) else ""), 1)
    except Exception as unexpected:  # noqa: BLE001 - the last net: a person gets a line, not a traceback
        return _said(both("cli_unexpected", what=type(unexpected).__name__), 1)


def main() -> None:  # the console script
    from thidua_cli.main import app

    sys.exit(run(app))


def _said(line: str, code: int) -> int:
    typer.echo(line, err=True)
    return code


def _name(param: object | None) -> str:
    if param is None:
        return ""
    opts, kind = getattr(param, "opts", []), getattr(param, "param_type_name", "")
    return opts[0] if opts and kind == "option" else str(getattr(param, "name", "") or "").upper()


def _usage(error: usage_errors.UsageError) -> str:
    context = error.ctx
    return f"{context.command_path} --help" if context is not None else "thidua --help"


def _has_request(error: httpx.TransportError) -> bool:
    try:
        error.request  # noqa: B018 - httpx raises RuntimeError when the error has no request
    except RuntimeError:
        return False
    return True
