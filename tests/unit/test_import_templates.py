"""Every import offers a template officers can get right the first time (issue 18, item 3): Vietnamese headers
(required ones marked *), a note on each header with its format and allowed values, an example row; and the
template, filled in, reads back as the same columns, its example row a valid row."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from thidua_shared.jobs import Progress
from thidua_shared.spreadsheets import SheetLimits
from thidua_shared.tabular import Columns, read_table, template_workbook

from thidua_awards.service_layer.importing import KINDS
from thidua_registry.service_layer.importing import UNIT_COLUMNS
from thidua_registry.service_layer.importing_people import PEOPLE_COLUMNS

IMPORTS: dict[str, Columns] = {"units": UNIT_COLUMNS, "people": PEOPLE_COLUMNS, **KINDS}


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_the_template_explains_every_column_and_reads_back_as_the_same_columns(kind: str, tmp_path: Path):
    columns = IMPORTS[kind]
    assert set(columns.guides) == set(columns.names), "every column has its header, note and example"
    path = tmp_path / f"mau-{kind}.xlsx"
    path.write_bytes(template_workbook(kind, columns))
    sheet = load_workbook(path).active
    headers = [cell.value for cell in sheet[1]]
    assert [h.removesuffix(" *") for h in headers] == [g.header for g in columns.guides.values()]  # "Mã đơn vị", "Tên đơn vị", …
    assert all(cell.comment and cell.comment.text.strip() for cell in sheet[1]), "a note on every header"
    assert [h.endswith(" *") for h in headers] == [c in columns.required for c in columns.guides]
    [row] = read_table(path, path.name, SheetLimits(), Progress(), columns)
    assert set(row.headers) == set(columns.guides)  # every header maps back to its column
    assert all(row.values.get(c) for c in columns.required)  # the example fills what is required
