"""Documents the offices print or finish: certificates as PDF (WeasyPrint, with the bundled Noto
Serif fonts, so that Vietnamese reads the same on every machine), and the cover letter (tờ trình),
the decision draft and the ballot's minutes as editable Word files (python-docx).

Every text is normalised to NFC before it is laid out: a name typed with combining accents (NFD)
prints, and reads back from the PDF, as the same letters.
"""

from __future__ import annotations

import html
import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import segno
import yaml
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from weasyprint import HTML

from thidua_shared.clock import VIETNAM
from thidua_shared.errors import Invalid
from thidua_shared.events.awards import BallotSnapshot, DecisionSnapshot, NominationSnapshot, SubjectKind
from thidua_shared.i18n import format_date, format_percent, long_date

from thidua_awards.domain.rulesets import AwardRule

DOCUMENTS_DIR = Path(__file__).resolve().parent.parent / "documents"
FONTS = DOCUMENTS_DIR / "fonts"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLES = {"bang_khen": "BẰNG KHEN", "giay_khen": "GIẤY KHEN", "co_thi_dua": "CỜ THI ĐUA", "danh_hieu": "GIẤY CHỨNG NHẬN"}


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def _e(text: str | None) -> str:
    return html.escape(nfc(text))


@cache
def layouts() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((DOCUMENTS_DIR / "layouts.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class CertificateText:
    """What one certificate says, as the decision gives it."""

    organisation: str  # who awards it (LIÊN MINH HỢP TÁC XÃ VIỆT NAM)
    title: str  # BẰNG KHEN
    signer: str  # CHỦ TỊCH LIÊN MINH HTX VIỆT NAM
    signer_name: str | None
    recipient: str
    unit: str | None
    achievement: str
    decision: str  # Quyết định số ... ngày ...
    place_date: str  # Hà Nội, ngày ... tháng ... năm ...
    proof_link: str | None = None  # where the decision's proof is fetched, with its leaf hash: printed as a QR code


def proof_link(url_template: str, decision_id: str, leaf: bytes) -> str:
    """Where the decision's inclusion proof is fetched, and the leaf hash the proof must lead from."""
    return url_template.format(ref=f"award:{decision_id}") + f"?leaf={leaf.hex()}"


def certificate_texts(decision: DecisionSnapshot, award: AwardRule, organisation: str, place: str,
                      only: set[str] | None = None, link: str | None = None) -> list[CertificateText]:
    if award.certificate == "none":
        raise Invalid("certificate_none", award=award.name_vi)
    title = TITLES[award.certificate]
    texts = []
    for r in decision.recipients:
        if only is not None and r.nomination_id not in only:
            continue
        is_person = r.subject.kind is SubjectKind.PERSON
        achievement = (f"Đã được tặng danh hiệu {award.name_vi} năm {decision.year}" if award.certificate in ("co_thi_dua", "danh_hieu")
                       else f"Đã có thành tích xuất sắc trong phong trào thi đua năm {decision.year}")
        texts.append(CertificateText(
            organisation=organisation.upper(), title=title, signer=decision.signer_title.upper(), signer_name=decision.signer_name,
            recipient=("Ông/Bà " if is_person else "") + r.name, unit=r.unit_name if is_person else None, achievement=achievement,
            decision=f"Quyết định số {decision.number}, {long_date(decision.signed_on)}", place_date=long_date(decision.signed_on, place),
            proof_link=link,
        ))
    return texts


def certificates_pdf(texts: list[CertificateText], layout: str = "plain") -> bytes:
    """One page a recipient: a full page, or only the fields, placed for a pre-printed blank."""
    chosen = layouts().get(layout)
    if chosen is None:
        raise Invalid("layout_not_found", ref=layout, known=", ".join(sorted(layouts())))
    page = chosen["page"]
    pages = [(_preprinted(t, chosen["fields"]) if chosen.get("preprinted") else _plain(t)) for t in texts]
    document = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
{_fonts()}
@page {{ size: {page['width']}mm {page['height']}mm; margin: 0; }}
body {{ font-family: 'Thidua Serif'; margin: 0; }}
.page {{ position: relative; width: {page['width']}mm; height: {page['height']}mm; page-break-after: always; overflow: hidden; }}
.frame {{ position: absolute; inset: 8mm; border: 3pt double #9b1c1c; padding: 10mm 16mm; text-align: center; }}
.org {{ font-weight: bold; font-size: 13pt; text-align: left; width: 45%; float: left; }}
.nation {{ font-weight: bold; font-size: 13pt; width: 50%; float: right; }}
.motto {{ font-size: 12pt; font-weight: bold; }}
.title {{ clear: both; padding-top: 12mm; font-size: 34pt; font-weight: bold; color: #9b1c1c; letter-spacing: 2pt; }}
.signer {{ font-size: 14pt; font-weight: bold; margin-top: 2mm; }}
.give {{ font-size: 14pt; font-weight: bold; margin: 3mm 0; }}
.recipient {{ font-size: 22pt; font-weight: bold; margin-top: 2mm; }}
.unit {{ font-size: 15pt; }}
.achievement {{ font-size: 15pt; font-style: italic; margin-top: 5mm; }}
.foot {{ position: absolute; bottom: 14mm; left: 16mm; right: 16mm; font-size: 11pt; text-align: left; }}
.when {{ position: absolute; bottom: 22mm; right: 20mm; width: 95mm; text-align: center; font-size: 12pt; font-style: italic; }}
.sign {{ font-style: normal; font-weight: bold; margin-top: 2mm; }}
.sign-name {{ font-style: normal; font-weight: bold; margin-top: 16mm; }}
.field {{ position: absolute; }}
.proof {{ position: absolute; bottom: 22mm; left: 16mm; width: 70mm; text-align: left; }}
.proof img {{ width: 22mm; height: 22mm; }}
.proof .link {{ font-size: 5.5pt; word-break: break-all; }}
</style></head><body>{''.join(pages)}</body></html>"""
    return HTML(string=document, base_url=str(DOCUMENTS_DIR)).write_pdf()


def _fonts() -> str:
    faces = [("NotoSerif-Regular.ttf", "normal", "normal"), ("NotoSerif-Bold.ttf", "bold", "normal"),
             ("NotoSerif-Italic.ttf", "normal", "italic"), ("NotoSerif-BoldItalic.ttf", "bold", "italic")]
    return "\n".join(f"@font-face {{ font-family: 'Thidua Serif'; src: url('{(FONTS / name).as_uri()}'); "
                     f"font-weight: {weight}; font-style: {style}; }}" for name, weight, style in faces)


def _plain(t: CertificateText) -> str:
    unit = f'<div class="unit">{_e(t.unit)}</div>' if t.unit else ""
    return f"""<div class="page"><div class="frame">
<div class="org">{_e(t.organisation)}</div>
<div class="nation">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<div class="motto">Độc lập - Tự do - Hạnh phúc</div></div>
<div class="title">{_e(t.title)}</div><div class="signer">{_e(t.signer)}</div><div class="give">TẶNG</div>
<div class="recipient">{_e(t.recipient)}</div>{unit}<div class="achievement">{_e(t.achievement)}</div>
<div class="when">{_e(t.place_date)}<div class="sign">{_e(t.signer)}</div><div class="sign-name">{_e(t.signer_name)}</div></div><div class="foot">{_e(t.decision)}</div>{_qr(t.proof_link)}
</div></div>"""


def _qr(link: str | None) -> str:
    """The proof's address as a QR code in the corner, and in small print beside it for a reader without a phone."""
    if link is None:
        return ""
    image = segno.make(link, error="m").svg_data_uri(scale=2, border=1)
    return (f'<div class="proof"><img src="{image}" alt="QR"/>'
            f'<div class="link">Kiểm chứng công khai / public proof: {_e(link)}</div></div>')


def _preprinted(t: CertificateText, fields: dict[str, dict[str, Any]]) -> str:
    values = {"recipient": t.recipient, "unit": t.unit, "achievement": t.achievement, "decision": t.decision, "place_date": t.place_date}
    placed = []
    for name, spot in fields.items():
        if not values.get(name):
            continue
        style = (f"left: {spot['x']}mm; top: {spot['y']}mm; width: {spot.get('width', 100)}mm; font-size: {spot.get('size', 12)}pt; "
                 f"text-align: {spot.get('align', 'left')}; font-weight: {'bold' if spot.get('bold') else 'normal'}; "
                 f"font-style: {'italic' if spot.get('italic') else 'normal'};")
        placed.append(f'<div class="field" style="{style}">{_e(values[name])}</div>')
    return f'<div class="page">{"".join(placed)}</div>'


# --- Word drafts ----------------------------------------------------------------------------------------------
def _document() -> Any:
    """An administrative document as Decree 30/2020/NĐ-CP sets it: A4, margins top and bottom 20 mm, left 30 mm,
    right 15 mm, Times New Roman 13 pt."""
    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    return doc


def _heading(doc: Any, organisation: str, number: str, place_date: str) -> None:
    """The issuer and the number on the left; the national name and motto, then place and date, on the right."""
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _lines(left, [(nfc(organisation).upper(), True, False, 12), (f"Số: {nfc(number)}", False, False, 13)])
    _lines(right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False, 12), ("Độc lập - Tự do - Hạnh phúc", True, False, 13),
                   (nfc(place_date), False, True, 13)])
    right.paragraphs[1].runs[0].underline = True  # the motto's line beneath it, as long as the motto


def _lines(cell: Any, lines: list[tuple[str, bool, bool, int]]) -> None:
    cell.text = ""
    for index, (text, bold, italic, size) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def _centred(doc: Any, text: str, bold: bool = True, size: int = 14) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(nfc(text))
    run.bold, run.font.size = bold, Pt(size)


TEXT_WIDTH_MM = 165  # A4's 210 mm less the margins of 30 and 15


def _nominee_table(doc: Any, headers: list[str], rows: list[list[str]]) -> None:
    """A list of nominees: a narrow "STT" column, the name twice as wide as the others (names are long, numbers short)."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    share = (TEXT_WIDTH_MM - 15) / (len(headers))  # the name column takes two shares, the others one
    widths = [Mm(15), Mm(2 * share), *[Mm(share) for _ in headers[2:]]]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = nfc(text)
    for column, width in zip(table.columns, widths, strict=True):  # the grid (LibreOffice reads it) and each cell (Word does)
        column.width = width
        for cell in column.cells:
            cell.width = width


def _save(doc: Any) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _signature(doc: Any, title: str, name: str | None = None, recipients: list[str] | None = None) -> None:
    """Where to send it (Nơi nhận) on the left; the signer's title, a space to sign, and name on the right."""
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _lines(left, [("Nơi nhận:", True, True, 12), *[(f"- {nfc(r)};", False, False, 11) for r in recipients or ["Như trên", "Lưu: VT"]]])
    for paragraph in left.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _lines(right, [(nfc(title).upper(), True, False, 13), ("(Ký, ghi rõ họ tên, đóng dấu)", False, True, 12), ("", False, False, 13),
                   ("", False, False, 13), (nfc(name or ""), True, False, 13)])


def cover_letter_docx(organisation: str, council: str, award: AwardRule, year: int, nominations: list[NominationSnapshot],
                      units: dict[str, str], outcomes: dict[str, str], today: date, place: str, number: str | None) -> bytes:
    """Tờ trình: proposes the nominees to the council, with each one's eligibility and vote."""
    doc = _document()
    _heading(doc, organisation, number or "      /TTr-", long_date(today, place))
    _centred(doc, "TỜ TRÌNH", size=15)
    _centred(doc, f"Về việc đề nghị tặng {award.name_vi} năm {year}")
    doc.add_paragraph(f"Kính gửi: {nfc(council)}")
    doc.add_paragraph(
        f"Căn cứ quy định về thi đua, khen thưởng hiện hành và kết quả xét chọn, {nfc(organisation)} kính trình "
        f"xem xét, đề nghị tặng {award.name_vi} cho {len(nominations)} "
        f"{'tập thể' if nominations and nominations[0].subject.kind is SubjectKind.UNIT else 'cá nhân'} có tên sau:")
    _nominee_table(doc, ["STT", "Tên tập thể, cá nhân", "Đơn vị", "Tóm tắt thành tích", "Điều kiện", "Kết quả bỏ phiếu"], [
        [str(i), n.subject_name, units.get(n.proposer_unit_id, ""), n.summary or "",
         "Đủ điều kiện" if n.eligible else "Chưa xác định" if n.eligible is None else "Không đủ điều kiện", outcomes.get(n.id, "")]
        for i, n in enumerate(nominations, start=1)])
    doc.add_paragraph("Hồ sơ kèm theo: tờ trình, báo cáo thành tích, biên bản họp và kết quả bỏ phiếu của từng trường hợp.")
    doc.add_paragraph(f"Kính trình {nfc(council)} xem xét, quyết định./.")
    _signature(doc, "Thủ trưởng đơn vị", None, [nfc(council), "Lưu: VT"])
    return _save(doc)


def decision_docx(organisation: str, bases: list[str], award: AwardRule, year: int, recipients: list[tuple[str, str]], signer: str,
                  today: date, place: str, number: str | None, proposed_by: str, signer_name: str | None = None) -> bytes:
    """The decision as a draft to finish in Word: its grounds, its articles, the list of recipients."""
    doc = _document()
    _heading(doc, organisation, number or "      /QĐ-", long_date(today, place))
    _centred(doc, "QUYẾT ĐỊNH", size=15)
    _centred(doc, f"Về việc tặng {award.name_vi} năm {year}")
    _centred(doc, signer.upper())
    for basis in bases:  # the laws and decrees of the rule set in force, then the issuer's own regulations
        doc.add_paragraph(f"Căn cứ {nfc(basis)};")
    doc.add_paragraph(f"Xét đề nghị của {nfc(proposed_by)} và Hội đồng Thi đua - Khen thưởng,")
    _centred(doc, "QUYẾT ĐỊNH:")
    doc.add_paragraph(f"Điều 1. Tặng {award.name_vi} năm {year} cho {len(recipients)} tập thể, cá nhân có tên trong danh sách kèm theo "
                      "vì đã có thành tích xuất sắc trong phong trào thi đua.")
    doc.add_paragraph("Điều 2. Quyết định có hiệu lực kể từ ngày ký.")
    doc.add_paragraph("Điều 3. Chánh Văn phòng, Trưởng Ban Thi đua - Khen thưởng, Thủ trưởng các đơn vị liên quan và các tập thể, "
                      "cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.")
    _signature(doc, signer, signer_name, ["Như Điều 3", "Ban Thi đua - Khen thưởng", "Lưu: VT"])
    doc.add_page_break()
    _centred(doc, f"DANH SÁCH ĐƯỢC TẶNG {award.name_vi.upper()} NĂM {year}")
    _nominee_table(doc, ["STT", "Tên tập thể, cá nhân", "Đơn vị"], [[str(i), name, unit] for i, (name, unit) in enumerate(recipients, start=1)])
    return _save(doc)


def minutes_docx(organisation: str, ballot: BallotSnapshot, result: dict[str, Any], names: dict[str, str], counted_on: date, place: str) -> bytes:
    """Biên bản kiểm phiếu: who could vote, how many did, each nominee's count and result, and the box's digest; dated the
    day of the meeting (or of the count), never the day it is printed."""
    doc = _document()
    held_on = ballot.meeting_on or counted_on
    _heading(doc, organisation, "      /BB-KP", long_date(held_on, place))
    _centred(doc, "BIÊN BẢN KIỂM PHIẾU", size=15)
    _centred(doc, ballot.title, bold=False)
    rule = ballot.rule
    if ballot.meeting_on is not None:
        doc.add_paragraph(f"Hội nghị ngày {format_date(ballot.meeting_on)}. Hình thức: bỏ phiếu kín.")
    else:
        opens, closes = ballot.opens_at.astimezone(VIETNAM), ballot.closes_at.astimezone(VIETNAM)
        doc.add_paragraph(f"Thời gian bỏ phiếu: từ {opens:%H:%M} {format_date(opens)} đến {closes:%H:%M} {format_date(closes)}. "
                          "Hình thức: bỏ phiếu kín.")
    doc.add_paragraph(f"Số người có quyền bỏ phiếu: {result['eligible']}; số phiếu thu về: {result['voted']}; "
                      f"yêu cầu tối thiểu: {format_percent(rule.quorum)} ({'đạt' if result['quorum_met'] else 'không đạt'}).")
    basis = "số phiếu thu về" if rule.basis.value == "present" else "tổng số người có quyền bỏ phiếu"
    doc.add_paragraph(f"Tỷ lệ đồng ý cần đạt: {format_percent(rule.threshold)} {basis}.")
    _nominee_table(doc, ["STT", "Tên tập thể, cá nhân", "Đồng ý", "Không đồng ý", "Không ý kiến", "Tỷ lệ đồng ý", "Kết quả"], [
        [str(i), names.get(t["nomination_id"], t["nomination_id"]), str(t["yes"]), str(t["no"]), str(t["abstain"]),
         format_percent(Decimal(str(t["share"])), decimals=1), "Đạt" if t["passed"] else "Không đạt"] for i, t in enumerate(result["tallies"], start=1)])
    doc.add_paragraph(f"Mã kiểm tra hòm phiếu (SHA-256): {result['box_digest']}. Mỗi người bỏ phiếu dùng mã biên nhận của mình để "
                      "kiểm tra phiếu đã được tính đúng.")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "THƯ KÝ\n(Ký, ghi rõ họ tên)"
    table.rows[0].cells[1].text = "TRƯỞNG BAN KIỂM PHIẾU\n(Ký, ghi rõ họ tên)"
    return _save(doc)
