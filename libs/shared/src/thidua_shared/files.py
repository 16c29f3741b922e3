"""Documents people attach (the signed letter, evidence of a result), stored by their content.

The SHA-256 of a file is its name in the store and travels in the events that cite it,
so a document cannot be swapped unseen. Only office documents and scans are accepted,
within the upload size limit (see thidua_shared.http.BodyLimit). The store is an
interface; `LocalFileStore` keeps files on the node's disk (the default), a production
deployment can put an object store behind the same two methods.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Protocol

import puremagic

from thidua_shared.errors import Invalid
from thidua_shared.text import clean_text

# What the content may be found to be for a name's type (a JPEG goes by four names).
_SAME_CONTENT = {".jpg": {".jpg", ".jpeg", ".jpe", ".jfif"}, ".jpeg": {".jpg", ".jpeg", ".jpe", ".jfif"}}

# Letters, reports and minutes as offices keep them: office formats, PDF, scans.
DOCUMENT_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


@dataclass(frozen=True)
class StoredFile:
    name: str  # as the person named it, cleaned
    sha256: str
    size: int
    media_type: str


def document_name(filename: str) -> tuple[str, str]:
    """(the file's cleaned name, its media type); refuses what is not an accepted document."""
    name = clean_text(PurePath(filename or "").name)[:255] or "tai-lieu"
    media_type = DOCUMENT_TYPES.get(PurePath(name).suffix.lower())
    if media_type is None:
        raise Invalid("document_type_not_allowed", name=name, allowed=", ".join(sorted(DOCUMENT_TYPES)))
    return name, media_type


def check_content(path: Path, name: str) -> None:
    """The file's content (its magic bytes, read by puremagic) must be of the type its name declares: an
    executable or a web page named `.pdf` is refused, whatever the browser said its type was."""
    declared = PurePath(name).suffix.lower()
    try:
        candidates = [m.extension.lower() for m in puremagic.magic_file(str(path))]
    except (puremagic.PureError, ValueError, OSError):
        candidates = []
    if not _SAME_CONTENT.get(declared, {declared}).intersection(candidates):
        found = next((c for c in candidates if c), None)
        raise Invalid("document_content_mismatch", name=name, declared=declared, found=found or "không rõ / unknown")


class FileStore(Protocol):
    async def put(self, path: Path, filename: str) -> StoredFile: ...

    def locate(self, sha256: str) -> Path | None: ...


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, path: Path, filename: str) -> StoredFile:
        """Check the file at `path` is what its name says, then hash and keep it (in a worker thread);
        a copy already kept is not written twice."""
        name, media_type = document_name(filename)
        await asyncio.to_thread(check_content, path, name)
        return await asyncio.to_thread(self._put, path, name, media_type)

    def _put(self, path: Path, name: str, media_type: str) -> StoredFile:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(block)
        sha256 = digest.hexdigest()
        target = self.root / sha256
        if not target.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(".part")
            shutil.copyfile(path, temporary)
            os.replace(temporary, target)  # a reader never sees half a file
        return StoredFile(name, sha256, path.stat().st_size, media_type)

    def locate(self, sha256: str) -> Path | None:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            return None
        path = self.root / sha256
        return path if path.is_file() else None
