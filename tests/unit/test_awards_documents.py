"""Certificates and drafts print Vietnamese as it is written, whatever form the text came in: a name
typed with combining accents (NFD) reads back from the PDF and the Word file as the same letters (NFC)."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

from docx import Document
from pypdf import PdfReader

from thidua_shared.events.awards import DecisionSnapshot, Recipient, Subject, SubjectKind

from thidua_awards.domain.rulesets import award_rule, legal_bases, ruleset
from thidua_awards.entrypoints.documents import certificate_texts, certificates_pdf, decision_docx

NAME = "Nguyễn Thị Hồng Nhung"
UNIT = "HTX Dịch vụ nông nghiệp Đông Anh"


def decision(name: str) -> DecisionSnapshot:
    return DecisionSnapshot(id="d", node="vn", number="45/QĐ-LMHTXVN", signed_on=date(2026, 12, 20), to_unit_id="vca",
                            award_code="bang_khen_lmhtx_vn", ruleset_id="vca", year=2026, signer_title="Chủ tịch Liên minh HTX Việt Nam",
                            recipients=[Recipient(nomination_id="n", subject=Subject(kind=SubjectKind.PERSON, id="p"), name=name, unit_name=UNIT)])


def test_a_certificate_reads_back_in_nfc_from_nfc_and_nfd_input():
    for form in ("NFC", "NFD"):
        typed = unicodedata.normalize(form, NAME)
        texts = certificate_texts(decision(typed), award_rule("vca", "bang_khen_lmhtx_vn"), "Liên minh Hợp tác xã Việt Nam", "Hà Nội")
        for layout in ("plain", "phoi_bang_khen_a4_ngang"):
            page = PdfReader(io.BytesIO(certificates_pdf(texts, layout))).pages[0]
            words = page.extract_text()  # as printed: composed letters, not base letters with combining marks
            assert f"Ông/Bà {NAME}" in words and UNIT in words and "ngày 20 tháng 12 năm 2026" in words, (form, layout, words)
            assert not any(unicodedata.combining(ch) for ch in words)
            fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
            assert all("Thidua-Serif" in f for f in fonts), fonts  # the bundled Noto Serif, not a system font


def test_the_decision_draft_is_an_editable_word_file_in_nfc():
    award = award_rule("vca", "bang_khen_lmhtx_vn")
    content = decision_docx("Liên minh Hợp tác xã Việt Nam", legal_bases(ruleset("vca"), date(2026, 12, 20)), award, 2026, [(unicodedata.normalize("NFD", NAME), UNIT)],
                            award.decided_by, date(2026, 12, 20), "Hà Nội", None, "Liên minh HTX thành phố Hà Nội")
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert NAME in cells and unicodedata.normalize("NFD", NAME) not in cells
    assert any("QUYẾT ĐỊNH" == p.text for p in document.paragraphs)
    assert any("Hà Nội, ngày 20 tháng 12 năm 2026" in c for c in cells)
