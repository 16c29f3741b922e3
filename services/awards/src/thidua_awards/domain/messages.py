"""Error messages of the awards service, Vietnamese first."""

from thidua_shared.i18n import add_messages

add_messages(
    {
        "ruleset_not_found": ("Không tìm thấy bộ quy tắc «{ref}».", "Rule set '{ref}' not found."),
        "award_unknown": ("Không có hình thức khen thưởng «{code}» (có: {known}).", "There is no award '{code}' (known: {known})."),
        "award_not_in_force": (
            "Ngày {date} không có bộ quy tắc nào hiệu lực quy định «{code}».",
            "No rule set in force on {date} defines '{code}'.",
        ),
        "award_wrong_subject": (
            "«{award}» không dành cho {subject}.", "'{award}' is not given to a {subject}.",
        ),
        "award_wrong_unit_kind": (
            "«{award}» không dành cho loại đơn vị «{kind}».", "'{award}' is not given to units of kind '{kind}'.",
        ),
        "nomination_not_found": ("Không tìm thấy hồ sơ đề nghị «{ref}».", "Nomination '{ref}' not found."),
        "nomination_wrong_state": (
            "Hồ sơ đang ở bước «{state}»: không thể «{action}».", "The nomination is '{state}': it cannot '{action}'.",
        ),
        "nomination_needs_reason": ("Bước «{action}» phải ghi lý do.", "Step '{action}' needs a reason."),
        "nomination_duplicate": (
            "Đã có hồ sơ đề nghị «{award}» năm {year} cho đối tượng này.",
            "There is already a nomination for '{award}' in {year} for this subject.",
        ),
        "nomination_already_awarded": (
            "Đối tượng đã được «{award}» năm {year}: một thành tích chỉ được khen một lần.",
            "The subject already holds '{award}' for {year}: one achievement earns one award.",
        ),
        "nomination_not_eligible": (
            "Hồ sơ chưa được xác định đủ điều kiện: không trình Hội đồng được.",
            "The nomination is not found eligible: it cannot go to the council.",
        ),
        "nomination_judgement_missing": (
            "Còn tiêu chí cần cán bộ đánh giá: {criteria}.", "Criteria still need the officer's judgement: {criteria}.",
        ),
        "nomination_judgement_unknown": (
            "Tiêu chí «{criterion}» không cần (hoặc không có) đánh giá của cán bộ.",
            "Criterion '{criterion}' does not need (or is not) an officer's judgement.",
        ),
        "dossier_incomplete": ("Hồ sơ còn thiếu: {missing}.", "The dossier lacks: {missing}."),
        "ranking_not_found": ("Không tìm thấy bảng xếp hạng «{ref}».", "Ranking '{ref}' not found."),
        "ranking_no_leader": (
            "Bảng xếp hạng chưa có đơn vị dẫn đầu (đồng hạng nhất: cần bỏ phiếu).",
            "The ranking has no leading unit (a tie for first: a ballot must settle it).",
        ),
        "quota_reached": (
            "Đã đủ chỉ tiêu «{award}»: {used}/{limit} hồ sơ đã trình Hội đồng.",
            "The quota for '{award}' is reached: {used} of {limit} nominations are before the council.",
        ),
        "posting_required": (
            "Hồ sơ phải được công khai trước khi Hội đồng xét.", "The nominee must be posted publicly before the council decides.",
        ),
        "posting_not_over": (
            "Thời hạn công khai chưa kết thúc (đến hết ngày {date}).", "The public posting is not over (it runs to the end of {date}).",
        ),
        "posting_not_found": ("Không tìm thấy đợt công khai «{ref}».", "Posting '{ref}' not found."),
        "posting_closed": ("Đợt công khai đã kết thúc.", "The posting is over."),
        "comment_not_found": ("Không tìm thấy ý kiến «{ref}».", "Comment '{ref}' not found."),
        "ballot_not_passed": (
            "Chưa có cuộc bỏ phiếu nào (đã kết thúc) thông qua hồ sơ này.", "No closed ballot has passed this nomination.",
        ),
        "ballot_mixed_awards": (
            "Một cuộc bỏ phiếu chỉ cho một hình thức khen thưởng: «{award}» khác «{other}».",
            "A ballot is for one award: '{award}' differs from '{other}'.",
        ),
        "document_unknown": (
            "Tài liệu {sha256} chưa được tải lên (POST /documents trước).", "Document {sha256} has not been uploaded (POST /documents first).",
        ),
        "subject_outside_proposer": (
            "«{unit}» không thuộc đơn vị đề nghị «{proposer}»: đơn vị chỉ đề nghị khen thưởng cho chính mình, đơn vị và người của mình.",
            "'{unit}' is not within the proposing unit '{proposer}': a unit proposes only itself and its own units and people.",
        ),
        "nomination_cluster_needed": (
            "Danh hiệu này có hạn mức theo cụm: «{unit}» thuộc {count} cụm/khối năm {year}; hãy chọn cụm tính hạn mức.",
            "This award has a quota per cluster: '{unit}' belongs to {count} clusters or blocks in {year}; name the cluster it counts against.",
        ),
        "nomination_cluster_not_member": (
            "«{unit}» không thuộc cụm «{cluster}» năm {year}.",
            "'{unit}' is not a member of '{cluster}' in {year}.",
        ),
        "claim_needs_higher_level": (
            "Chỉ cơ quan thi đua cấp trên của «{unit}» được xác nhận điều đơn vị tự kê khai.",
            "Only an office above '{unit}' may confirm what the unit declared about itself.",
        ),
        "claim_already_confirmed": ("Thông tin này đã được xác nhận.", "This has already been confirmed."),
        "initiative_not_found": ("Không tìm thấy sáng kiến «{ref}».", "Initiative '{ref}' not found."),
        "rating_not_found": ("Chưa có xếp loại năm {year} của «{ref}».", "No rating for {year} of '{ref}'."),
        "discipline_dates": ("Ngày kết thúc kỷ luật trước ngày bắt đầu.", "The discipline ends before it starts."),
        "decision_before_award_year": (
            "Quyết định ký ngày {signed_on}, trước năm {year} của thành tích được khen.",
            "The decision is signed on {signed_on}, before {year}, the year of the achievement it rewards.",
        ),
        "ballot_not_found": ("Không tìm thấy cuộc bỏ phiếu «{ref}».", "Ballot '{ref}' not found."),
        "ballot_not_open": ("Cuộc bỏ phiếu không đang mở ({when}).", "The ballot is not open ({when})."),
        "ballot_vote_not_own": (
            "Phiếu của đơn vị «{unit}» chỉ do chính đơn vị đó bỏ (mã truy cập của đơn vị), không ai bỏ thay.",
            "Unit '{unit}' votes only through its own access token: nobody casts its vote for it.",
        ),
        "ballot_not_voter": ("Bạn không có quyền bỏ phiếu trong cuộc bỏ phiếu này.", "You may not vote in this ballot."),
        "ballot_already_voted": ("Đã bỏ phiếu: mỗi người một phiếu.", "Already voted: one vote each."),
        "ballot_unknown_question": ("Phiếu có nội dung «{ref}» không thuộc cuộc bỏ phiếu.", "The ballot names '{ref}', which is not on it."),
        "ballot_incomplete": ("Phiếu còn thiếu {count} nội dung chưa chọn.", "The ballot leaves {count} question(s) unanswered."),
        "ballot_closed_already": ("Cuộc bỏ phiếu đã kết thúc.", "The ballot is closed."),
        "ballot_no_voters": ("Cuộc bỏ phiếu cần ít nhất một người bỏ phiếu.", "A ballot needs at least one voter."),
        "ballot_window": ("Thời gian kết thúc phải sau thời gian bắt đầu.", "The ballot must close after it opens."),
        "receipt_not_found": ("Không tìm thấy phiếu có mã biên nhận này.", "No ballot carries this receipt."),
        "ballot_proof_failed": (
            "Chứng minh mật mã không hợp lệ: phiếu, phần khoá hoặc phần kiểm phiếu đã bị sai hoặc bị sửa.",
            "A cryptographic proof does not check out: the ballot, the key part or the count share is wrong or altered.",
        ),
        "ballot_not_teller": ("Bạn không thuộc Ban kiểm phiếu của cuộc bỏ phiếu này.", "You are not a teller of this ballot."),
        "ballot_keys_made": ("Khoá của cuộc bỏ phiếu đã được tạo xong.", "The ballot's key is already made."),
        "ballot_keys_pending": (
            "Ban kiểm phiếu chưa tạo xong khoá của cuộc bỏ phiếu: chưa thể bỏ phiếu.",
            "The tellers have not finished making the ballot's key: voting has not started.",
        ),
        "ballot_already_dealt": ("Bạn đã góp phần khoá cho cuộc bỏ phiếu này.", "You have already dealt your part of the key."),
        "ballot_teller_index": (
            "Phần của bạn phải mang số thứ tự của bạn trong Ban kiểm phiếu: {index}.",
            "Your part must carry your index in the committee: {index}.",
        ),
        "ballot_copied": (
            "Phiếu này trùng với một phiếu đã có trong hòm: mỗi người tự mã hoá phiếu của mình.",
            "This ballot copies one already in the box: each voter encrypts their own.",
        ),
        "ballot_not_counting": ("Cuộc bỏ phiếu không ở bước kiểm phiếu.", "The ballot is not being counted."),
        "ballot_already_counted": ("Bạn đã góp phần kiểm phiếu cho cuộc bỏ phiếu này.", "You have already given your share of the count."),
        "ballot_threshold": (
            "Số thành viên cần để kiểm phiếu ({threshold}) lớn hơn số thành viên Ban kiểm phiếu ({tellers}).",
            "The tellers needed to count ({threshold}) outnumber the committee ({tellers}).",
        ),
        "ballot_teller_not_voter": (
            "Thành viên Ban kiểm phiếu «{ref}» không phải người bỏ phiếu của cuộc bỏ phiếu này.",
            "Teller '{ref}' is not a voter of this ballot.",
        ),
        "ballot_box_not_published": (
            "Hòm phiếu chỉ được công bố khi kết thúc bỏ phiếu.", "The box is published at the end of voting.",
        ),
        "decision_not_found": ("Không tìm thấy quyết định «{ref}».", "Decision '{ref}' not found."),
        "decision_number_taken": ("Số quyết định «{number}» đã dùng.", "Decision number '{number}' is taken."),
        "decision_mixed_awards": (
            "Một quyết định chỉ cho một hình thức khen thưởng: «{award}» khác «{other}».",
            "A decision is for one award: '{award}' differs from '{other}'.",
        ),
        "decision_not_recipient": ("Hồ sơ «{ref}» không có trong quyết định.", "Nomination '{ref}' is not in the decision."),
        "award_already_revoked": ("Khen thưởng này đã bị thu hồi.", "This award has already been revoked."),
        "record_unknown_subject": ("Không tìm thấy đối tượng «{ref}».", "Subject '{ref}' not found."),
        "import_unknown_award": ("Không có hình thức khen thưởng «{value}».", "Unknown award '{value}'."),
        "import_unknown_value": ("Giá trị «{value}» không hợp lệ ở cột «{column}».", "'{value}' is not valid in column '{column}'."),
        "report_form_not_found": ("Không có biểu mẫu báo cáo «{ref}».", "There is no report form '{ref}'."),
        "certificate_none": ("Hình thức «{award}» không in giấy chứng nhận.", "'{award}' has no certificate to print."),
        "layout_not_found": ("Không có mẫu in «{ref}» (có: {known}).", "There is no print layout '{ref}' (known: {known})."),
    }
)
