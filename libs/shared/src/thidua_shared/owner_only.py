"""Everything a node writes under its var/ folder is its owner's alone: folders 700, files 600.

The database files and their WAL or journal, the event store, keys and credentials, logs, documents
and evidence: any local user who could read them could read what people did before it is public (and
a database's pages keep old row versions). Every process of a node sets an owner-only umask before it
writes anything, so that nats-server and SQLite, which create their own files, inherit it; `up`
also narrows what an earlier version left readable.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

OWNER_ONLY_UMASK = 0o077


def write_owner_only() -> None:
    """From now on this process (and every child it starts) creates files 600 and folders 700."""
    os.umask(OWNER_ONLY_UMASK)


def make_owner_only(root: Path) -> int:
    """Take group and other permissions off everything under `root` (itself included); how many were changed."""
    changed = 0
    if not root.exists():
        return changed
    for path in [root, *root.rglob("*")]:
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue  # gone meanwhile
        if stat.S_ISLNK(mode) or not mode & 0o077:
            continue
        os.chmod(path, stat.S_IMODE(mode) & 0o700)
        changed += 1
    return changed


def write_secret(path: Path, text: str) -> None:
    """A file only its owner reads (a token, a link, a key), created so: never readable by others, not even for
    the moment between writing it and narrowing it, whatever the umask; an existing file is replaced."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)  # a file that existed before keeps its mode through O_CREAT: narrow it too
