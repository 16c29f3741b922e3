"""Error messages of the campaigns service, Vietnamese first."""

from thidua_shared.i18n import add_messages

add_messages(
    {
        "campaign_not_draft": (
            "Phong trào «{title}» {status_vi}: chỉ sửa được bản nháp; sau khi phát động hãy dùng điều chỉnh có lý do.",
            "Campaign '{title}' is {status}: only drafts can be edited; after launch, revise it with a reason.",
        ),
        "campaign_not_launched": ("Phong trào «{title}» {status_vi}, không nhận thao tác này.", "Campaign '{title}' is not running ({status})."),
        "launch_needs_period": ("Chưa thể phát động: thiếu thời gian thi đua (từ ngày, đến ngày).", "Cannot launch: the period (start and end) is missing."),
        "launch_needs_indicators": ("Chưa thể phát động: chưa có chỉ tiêu, tiêu chí.", "Cannot launch: there are no indicators."),
        "deadline_outside_period": (
            "Hạn đăng ký ({deadline}) phải nằm trong thời gian thi đua.",
            "The registration deadline ({deadline}) must fall within the period.",
        ),
        "revision_needs_reason": ("Điều chỉnh sau khi phát động phải có lý do.", "A revision after launch needs a reason."),
        "revision_not_allowed": ("Không điều chỉnh được trường «{field}» sau khi phát động.", "Field '{field}' cannot be revised after launch."),
        "indicator_code_duplicate": ("Mã tiêu chí «{code}» bị trùng.", "Indicator code '{code}' appears twice."),
        "indicator_parent_missing": ("Tiêu chí «{code}» có cấp trên «{parent}» không tồn tại.", "Indicator '{code}' has an unknown parent '{parent}'."),
        "indicator_cycle": ("Cây tiêu chí có vòng lặp tại «{code}».", "The indicator tree has a cycle at '{code}'."),
        "indicator_sum_mismatch": (
            "Tổng điểm các tiêu chí con của «{code}» là {actual}, phải bằng {expected}.",
            "The children of '{code}' add up to {actual} points; they must add up to {expected}.",
        ),
        "indicator_total_mismatch": (
            "Tổng điểm các tiêu chí là {actual}, phải bằng thang điểm {expected}.",
            "The indicators add up to {actual} points; the scale is {expected}.",
        ),
        "indicator_invalid": ("Tiêu chí «{code}»: {problem_vi}", "Indicator '{code}': {problem_en}"),
        "indicator_unknown": ("Không có tiêu chí «{code}» trong phong trào này.", "Indicator '{code}' is not part of this campaign."),
        "parent_not_launched": ("Chỉ cụ thể hóa được phong trào đã phát động.", "Only a launched campaign can be adopted."),
        "unit_not_in_scope": ("Đơn vị «{unit}» không thuộc đối tượng của phong trào «{title}».", "Unit '{unit}' is not targeted by campaign '{title}'."),
        "registration_closed": (
            "Đã hết hạn đăng ký ({deadline}); chỉ cơ quan phát động được nhập bổ sung, có lý do.",
            "Registration closed on {deadline}; only the issuing side may record one later, with a reason.",
        ),
        "registration_late_needs_reason": (
            "Nhập bổ sung đăng ký sau hạn phải ghi lý do (late_reason).", "Recording a registration after the deadline needs a reason (late_reason)."
        ),
        "registration_duplicate": ("Đơn vị «{unit}» đã đăng ký phong trào này.", "Unit '{unit}' has already registered for this campaign."),
        "registration_not_found": ("Không tìm thấy bản đăng ký «{ref}».", "Registration '{ref}' not found."),
        "registration_withdrawn": ("Bản đăng ký đã rút.", "The registration was withdrawn."),
        "pledge_not_found": ("Không tìm thấy giao ước thi đua «{ref}».", "Pledge '{ref}' not found."),
        "pledge_exists": ("Cụm «{cluster}» đã có giao ước năm {year}.", "Cluster '{cluster}' already has a pledge for {year}."),
        "pledge_no_members": ("Cụm «{cluster}» chưa có thành viên năm {year}.", "Cluster '{cluster}' has no members in {year}."),
        "pledge_not_member": ("«{unit}» không phải thành viên cụm năm {year}.", "'{unit}' is not a member of the cluster in {year}."),
        "pledge_already_signed": ("«{unit}» đã ký giao ước.", "'{unit}' has already signed."),
        "pledge_complete": ("Giao ước đã đủ chữ ký.", "The pledge is already complete."),
    }
)
