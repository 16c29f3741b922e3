"""Error messages of the scoring service, Vietnamese first."""

from thidua_shared.i18n import add_messages

add_messages(
    {
        "scoring_rule_unknown": (
            "Quy tắc chấm «{rule}» chưa được hỗ trợ (có: {known}).",
            "Scoring rule '{rule}' is not supported (known: {known}).",
        ),
        "scoring_rule_wrong_kind": (
            "Quy tắc chấm «{rule}» không dùng cho tiêu chí loại «{kind}».",
            "Scoring rule '{rule}' does not apply to a criterion of kind '{kind}'.",
        ),
        "scoring_rule_parameter": ("Tham số «{name}» = {value} không hợp lệ.", "Parameter '{name}' = {value} is not valid."),
        "result_unknown_criterion": ("Không có tiêu chí «{code}» để chấm.", "There is no criterion '{code}' to score."),
        "result_duplicate": ("Tiêu chí «{code}» được nêu hai lần.", "Criterion '{code}' is given twice."),
        "result_invalid": ("Kết quả tiêu chí «{code}»: {problem_vi}.", "Result for criterion '{code}': {problem_en}."),
        "reporting_campaign_not_running": (
            "Phong trào «{title}» chưa phát động hoặc đã hủy: chưa báo cáo kết quả được.",
            "Campaign '{title}' is not launched or was cancelled: results cannot be reported.",
        ),
        "reporting_closed": (
            "Đã hết hạn báo cáo kết quả ({date}); chỉ cơ quan phát động được nhập bổ sung, có lý do.",
            "Reporting closed on {date}; only the issuing side may type results in, with a reason.",
        ),
        "reporting_late_needs_reason": (
            "Nhập bổ sung sau hạn phải ghi lý do (late_reason).",
            "Typing results in after the deadline needs a reason (late_reason).",
        ),
        "reporting_not_registered": (
            "Đơn vị «{unit}» chưa đăng ký thi đua phong trào này.",
            "Unit '{unit}' has not registered for this campaign.",
        ),
        "submission_locked": (
            "Kết quả đã khóa vì vòng chấm «{round}» đã mở; sửa đổi sau đó phải qua vòng chấm mới.",
            "The results are locked: review round '{round}' has opened; a correction needs a new round.",
        ),
        "submission_elsewhere": (
            "Đơn vị đã báo cáo kỳ này trong phong trào liên quan «{campaign}» (cụ thể hóa); hãy sửa bản báo cáo đó.",
            "The unit already reported this period under the related campaign '{campaign}' (an adoption); revise that report.",
        ),
        "submission_not_found": ("Không tìm thấy bản báo cáo kết quả «{ref}».", "Submission '{ref}' not found."),
        "evidence_unknown": (
            "Minh chứng {sha256} chưa được tải lên (POST /evidence trước).",
            "Evidence {sha256} has not been uploaded (POST /evidence first).",
        ),
        "round_not_found": ("Không tìm thấy vòng chấm «{ref}».", "Review round '{ref}' not found."),
        "round_exists": (
            "Cụm «{cluster}» đã có vòng chấm đang mở cho phong trào và kỳ này.",
            "Cluster '{cluster}' already has an open round for this campaign and period.",
        ),
        "round_no_members": (
            "Không có thành viên nào của cụm «{cluster}» năm {year} đăng ký phong trào này.",
            "No member of cluster '{cluster}' in {year} is registered for this campaign.",
        ),
        "handover_at_centre_only": (
            "Chỉ nút trung tâm «{centre}» được ghi nhận việc bàn giao vòng chấm.",
            "Only the centre's node '{centre}' records a round's handover.",
        ),
        "handover_to_owner": ("Vòng chấm đã do nút «{node}» quản lý.", "The round already belongs to node '{node}'."),
        "handover_to_centre_only": (
            "Vòng chấm của nút «{node}» chỉ bàn giao được cho trung tâm «{centre}».",
            "A round of node '{node}' can only be handed over to the centre '{centre}'.",
        ),
        "handover_back_only": (
            "Trung tâm chỉ trả vòng chấm về nút đã từng quản lý nó; «{node}» chưa từng.",
            "The centre only hands a round back to a node that owned it; '{node}' never did.",
        ),
        "handover_back_not_asked": (
            "Nút «{node}» chưa đề nghị nhận lại vòng chấm từ nút của mình; trả lại khi có đề nghị.",
            "Node '{node}' has not asked for the round back from its own node; it is handed back once it has.",
        ),
        "return_not_with_centre": (
            "Vòng chấm đang do nút «{node}» quản lý, không phải trung tâm «{centre}»: không có gì để nhận lại.",
            "The round belongs to node '{node}', not to the centre '{centre}': there is nothing to ask back.",
        ),
        "round_owned_by_other_node": (
            "Vòng chấm này do nút «{node}» quản lý; chỉ nút đó được ghi.",
            "This round belongs to node '{node}'; only that node writes it.",
        ),
        "round_closed": ("Vòng chấm đã đóng: không thay đổi được nữa.", "The round is closed: nothing in it changes any more."),
        "round_needs_leader": (
            "Cụm chưa có cụm trưởng năm này: không phân công theo văn phòng cụm trưởng được.",
            "The cluster has no leader this year: reviewers cannot be assigned to the leader's office.",
        ),
        "round_too_large": (
            "Vòng chấm quá lớn: {members} đơn vị × {criteria} tiêu chí, tối đa {limit} ô; hãy chia cụm/khối.",
            "The round is too large: {members} units × {criteria} criteria, at most {limit} cells; split the cluster or block.",
        ),
        "round_panel_empty": ("Chấm theo hội đồng cần danh sách đơn vị chấm.", "A panel needs its list of reviewing units."),
        "round_correction_needs_reason": (
            "Vòng chấm đính chính phải ghi lý do.", "A correcting round needs a reason."
        ),
        "unit_not_in_round": ("Đơn vị «{unit}» không có trong vòng chấm này.", "Unit '{unit}' is not in this round."),
        "reviewer_not_member": (
            "Đơn vị «{unit}» không thuộc vòng chấm này.", "Unit '{unit}' is not part of this round."
        ),
        "reviewer_conflict": (
            "«{reviewer}» không được chấm «{unit}»: {why}.", "'{reviewer}' may not review '{unit}': {why}."
        ),
        "review_own_unit": (
            "Không ai được chấm chính đơn vị mình làm việc («{unit}»).", "Nobody scores the unit they work in ('{unit}')."
        ),
        "review_not_assigned": (
            "Đơn vị của bạn không được phân công chấm đơn vị này.", "Your unit is not assigned to review this unit."
        ),
        "review_conflicted": (
            "Bạn đã khai xung đột lợi ích với đơn vị này: không chấm được.",
            "You declared a conflict with this unit: you cannot review it.",
        ),
        "review_points_out_of_bounds": (
            "Điểm tiêu chí «{code}» vượt giới hạn của tiêu chí.", "The points for criterion '{code}' are out of its bounds."
        ),
        "review_incomplete": (
            "Lần chấm đầu phải chấm đủ mọi tiêu chí (còn thiếu: {missing}).",
            "A first review scores every criterion (missing: {missing}).",
        ),
        "review_second_needs_scores": ("Lần chấm lại cần ít nhất một điểm.", "A second review needs at least one score."),
        "review_second_unexplained": (
            "Chỉ chấm lại tiêu chí đơn vị đã giải trình (chưa giải trình: {codes}).",
            "Only criteria the unit explained can be reviewed again (not explained: {codes}).",
        ),
        "review_already_final": (
            "Bạn đã chấm lại tiêu chí này sau giải trình.", "You have already reviewed this criterion again after its explanation."
        ),
        "explanation_before_review": (
            "Chỉ giải trình được sau khi đơn vị đã được chấm.", "A unit explains a score only once it has been reviewed."
        ),
        "round_work_missing": (
            "Vòng chấm còn thiếu việc: {reviews} lượt chấm chưa có, {second} tiêu chí đã giải trình chưa được chấm lại. "
            "Muốn đóng vẫn đóng, cụm trưởng xác nhận (accept_missing) và ghi lý do.",
            "The round has work missing: {reviews} assigned reviews not given, {second} explained criteria not reviewed again. "
            "To close anyway, the leader confirms (accept_missing) and gives a reason.",
        ),
        "round_missing_needs_reason": (
            "Đóng vòng chấm khi còn thiếu {count} việc phải ghi lý do.",
            "Closing a round with {count} items of work missing needs a reason.",
        ),
        "inputs_not_ready": ("Vòng chấm chưa đóng: chưa có dữ liệu tính điểm.", "The round is not closed: its inputs are not fixed yet."),
    }
)
