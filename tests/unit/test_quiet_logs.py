"""The services' logs at the default level carry what an operator acts on, not the libraries' progress
(issue 18, item 8): WeasyPrint's "Step 1 - Fetching and parsing HTML…" and the like stay out."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from thidua_shared.logging import configure_logging
from thidua_shared.settings import Settings


def test_weasyprint_and_font_subsetting_stay_out_of_the_default_log(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    import weasyprint

    configure_logging(Settings(var_dir=tmp_path / "var", node="vn"), "awards")
    caplog.set_level(logging.INFO)
    weasyprint.HTML(string="<p style='font-family: serif'>Bằng khen</p>").write_pdf()
    chatty = [r.getMessage() for r in caplog.records
              if r.name.split(".")[0] in ("weasyprint", "fontTools", "httpx", "httpcore") and r.levelno < logging.WARNING]
    assert chatty == []  # a warning stays: an operator can act on it (e.g. install HarfBuzz-Subset)
