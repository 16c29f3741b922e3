"""The 2017 meeting of the cluster of centrally run cities, for `thidua demo` (seed letter of 07/12/2017):
the cluster scored, Hồ Chí Minh City's alliance leading it and Quang Phục leading Hải Phòng's block
of cooperatives; the cluster's secret ballot proposes both for the VCA's emulation flag; the VCA's
office checks the dossiers, the decision is issued and the certificates can be printed; the members
sign next year's pledge, and Đà Nẵng leads the cluster in 2018 (in the registry's data).
Decision numbers and the documents' contents are illustrative: the letter gives the outcome only.
"""

from __future__ import annotations

FLAG = "co_thi_dua_lmhtx_vn"
CITIES = "CUM-TP-TRUNG-UONG"
BALLOT_TITLE = "Bình chọn đề nghị tặng Cờ thi đua của Liên minh HTX Việt Nam năm 2017 (Hội nghị Cụm, Cần Giờ, 07/12/2017)"
OFFICER = "Đỗ Bích Hường"
DECISION = {"number": "01/QĐ-LMHTXVN", "signed_on": "20/12/2017", "signer_title": "Chủ tịch Liên minh HTX Việt Nam",
            "signer_name": "(họ tên người ký, minh họa)"}
MEETING_ON = "07/12/2017"  # the cluster's meeting at Cần Giờ, where the vote was held
SUMMARIES = {
    "LMHTX-79": "Đơn vị Cụm trưởng, dẫn đầu Cụm thi đua 05 thành phố trực thuộc trung ương năm 2017.",
    "HTX-31-QUANGPHUC": "Dẫn đầu Khối thi đua các HTX nông nghiệp thành phố Hải Phòng năm 2017.",
}
# Each city's vote on each proposal (nobody but this demo knows who chose what: the box does not).
VOTES = {"LMHTX-79": "yes", "LMHTX-01": "yes", "LMHTX-31": "yes", "LMHTX-48": "yes", "LMHTX-92": "abstain"}
# The meeting's vote-counting committee (Ban kiểm phiếu): any two of the three decrypt the tally.
TELLERS = ("LMHTX-01", "LMHTX-31", "LMHTX-48")
# A document stands in for each part of the dossier (cover letter, achievement report, minutes).
DOSSIER = ("cover_letter", "achievement_report", "vote_minutes")
PLEDGE_2018 = {
    "cluster": CITIES, "year": 2018, "title": "Giao ước thi đua năm 2018",
    "text": "Liên minh HTX 05 thành phố trực thuộc trung ương cam kết thực hiện Chỉ thị 34-CT/TW, phát triển HTX gắn với chuỗi giá trị "
            "và đăng ký ít nhất 02 sáng kiến mỗi năm với Liên minh HTX Việt Nam.",
}
