"""Attached documents (the signed letter), stored by content: the SHA-256 is the file's name,
and the same SHA-256 goes into the campaign's events, so the letter cannot be swapped unseen."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        path = self.path(digest)
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".part")
            temporary.write_bytes(content)
            os.replace(temporary, path)  # a reader never sees half a file
        return digest

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("not a SHA-256 digest")
        return self.root / digest
