"""Reading rows from uploaded Excel (.xlsx) and CSV files, within limits, without trusting the file.

Before any parsing, an .xlsx (a zip) is checked for what it would unpack to: a 0.5 MB file
can expand to hundreds of MB of XML. Rows are then read lazily (python-calamine for
.xlsx, the csv module for .csv) and every cell is cut to a bounded length, so that
memory does not grow with what a file claims. Reading is blocking: run it in a thread.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook

from thidua_shared.errors import AppError, Invalid
from thidua_shared.logging import get_logger
from thidua_shared.text import clean_text

log = get_logger(__name__)



@dataclass(frozen=True)
class SheetLimits:
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_rows: int = 100_000
    max_cell_chars: int = 1_000


def check_xlsx_size(path: Path, limits: SheetLimits) -> None:
    """Refuse an .xlsx whose entries unpack to more than the limit, before parsing any of it."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise Invalid("upload_not_xlsx") from None
    if unpacked > limits.max_unpacked_bytes:
        raise Invalid("upload_unpacks_too_large", size=unpacked // 2**20, limit=limits.max_unpacked_bytes // 2**20)


def read_rows(path: Path, filename: str, limits: SheetLimits = SheetLimits()) -> Iterator[list[str]]:
    """The first sheet's rows (header included) as lists of cleaned strings."""
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        check_xlsx_size(path, limits)
        rows = _xlsx_rows(path)
    elif lowered.endswith(".csv"):
        rows = _csv_rows(path)
    else:
        raise Invalid("upload_unsupported_file", name=filename)
    try:
        for count, row in enumerate(rows, start=1):
            if count > limits.max_rows + 1:  # the header is not counted
                raise Invalid("upload_too_many_rows", limit=limits.max_rows)
            yield [_cell(value, limits.max_cell_chars) for value in row]
    except AppError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's fault, said plainly
        log.info("upload.unreadable", name=filename, reason=str(exc) or type(exc).__name__)  # the parser's words, for an operator
        raise Invalid("upload_malformed_file") from exc


def _xlsx_rows(path: Path) -> Iterator[list[object]]:
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        yield from workbook.get_sheet_by_index(0).iter_rows()
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding=csv_encoding(path), newline="") as handle:
        yield from csv.reader(handle)


def csv_encoding(path: Path) -> str:
    """How a CSV was saved: UTF-16 (its byte order mark), UTF-8 with or without a BOM, else Windows-1258 (Excel's
    "CSV" on a Vietnamese Windows). UTF-8 is checked by decoding the whole file a block at a time, never held whole."""
    with path.open("rb") as handle:
        if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := handle.read(1 << 16):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1258"
    return "utf-8-sig"


def _cell(value: object, max_chars: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 31.0 from Excel is the code 31
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return clean_text(str(value)[:max_chars]).strip()
