"""CSV files as officers' machines save them (issue 18, item 3): UTF-8 with or without a byte order mark,
UTF-16 (Excel's "Unicode text"), and Windows-1258 (Excel's "CSV" on a Vietnamese Windows, with tone marks
as combining characters) all read as the same NFC text; a damaged workbook is said so in Vietnamese."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from thidua_shared.errors import Invalid
from thidua_shared.spreadsheets import csv_encoding, read_rows

ROWS = [["Mã đơn vị", "Tên đơn vị"], ["HTX-31-QP", "Hợp tác xã Quang Phục"], ["HTX-37-GD", "HTX Gốm Đại Ưng"]]


def windows_1258(text: str) -> bytes:
    """As Windows writes Vietnamese in code page 1258: the vowels with their own letters (ă â ê ô ơ ư đ) precomposed,
    the tone marks combining."""
    decomposed = unicodedata.normalize("NFD", text)
    for base, mark, letter in (("o", "\u031b", "ơ"), ("u", "\u031b", "ư"), ("a", "\u0306", "ă"), ("a", "\u0302", "â"),
                               ("e", "\u0302", "ê"), ("o", "\u0302", "ô"), ("U", "\u031b", "Ư"), ("O", "\u031b", "Ơ")):
        decomposed = decomposed.replace(base + mark, letter)
    return decomposed.encode("cp1258")


@pytest.mark.parametrize("saved", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_every_way_excel_saves_a_csv_reads_as_the_same_text(tmp_path: Path, saved: str):
    text = "\r\n".join(",".join(row) for row in ROWS) + "\r\n"
    path = tmp_path / "don-vi.csv"
    path.write_bytes(windows_1258(text) if saved == "cp1258" else text.encode(saved))
    assert csv_encoding(path) == {"utf-8": "utf-8-sig", "utf-8-sig": "utf-8-sig", "utf-16": "utf-16", "cp1258": "cp1258"}[saved]
    assert list(read_rows(path, "don-vi.csv")) == ROWS


def test_a_workbook_that_is_no_workbook_is_said_so_in_vietnamese(tmp_path: Path):
    path = tmp_path / "don-vi.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(Invalid) as refused:
        list(read_rows(path, "don-vi.xlsx"))
    assert refused.value.code == "upload_not_xlsx" and "Excel" in refused.value.message("vi")
