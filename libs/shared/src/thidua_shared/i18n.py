"""User-facing text: Vietnamese first, English available.

Every error a person can see has a code and a message in both languages here;
services add their own codes with `add_messages`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from thidua_shared.clock import VIETNAM

Language = Literal["vi", "en"]

MESSAGES: dict[str, tuple[str, str]] = {
    "token_missing": ("Thiếu mã truy cập (Authorization: Bearer ...).", "Missing access token (Authorization: Bearer ...)."),
    "token_invalid": ("Mã truy cập không hợp lệ hoặc đã bị thu hồi.", "The access token is invalid or revoked."),
    "forbidden_role": (
        "Vai trò «{role}» không được phép thực hiện thao tác này.",
        "The role '{role}' may not do this.",
    ),
    "forbidden_scope": (
        "Đơn vị «{unit}» nằm ngoài phạm vi quản lý của mã truy cập này.",
        "Unit '{unit}' is outside the scope of this access token.",
    ),
    "leader_only": (
        "Chỉ cụm trưởng của «{cluster}» trong năm (hoặc cơ quan quản lý cụm) được làm việc này.",
        "Only the leader of '{cluster}' for the year (or the cluster's owner) may do this.",
    ),
    "validation_failed": ("Dữ liệu gửi lên không hợp lệ.", "The submitted data is not valid."),
    "cursor_invalid": ("Con trỏ trang không hợp lệ; hãy tải lại từ trang đầu.", "The page cursor is not valid; start again from the first page."),
    "internal_error": (
        "Lỗi hệ thống, đã được ghi nhận. Vui lòng thử lại sau.",
        "Internal error; it has been logged. Please try again later.",
    ),
    # Units and clusters, named the same way by every service.
        "unit_not_found": ("Không tìm thấy đơn vị «{ref}».", "Unit '{ref}' not found."),
        "person_not_found": ("Không tìm thấy cá nhân «{ref}».", "Person '{ref}' not found."),
        "unit_merged_into": (
            "Đơn vị «{code}» đã hợp nhất vào «{successor}» từ ngày {date}.",
            "Unit '{code}' was merged into '{successor}' on {date}.",
        ),
        "unit_not_active": (
            "Đơn vị «{code}» không còn hoạt động (trạng thái: {status}).",
            "Unit '{code}' is no longer active (status: {status}).",
        ),
        "nothing_to_change": ("Không có thay đổi nào.", "Nothing to change."),
        "period_reversed": ("Ngày kết thúc ({end}) trước ngày bắt đầu ({start}).", "The end ({end}) is before the start ({start})."),
        "campaign_not_found": ("Không tìm thấy phong trào/đợt thi đua «{ref}».", "Campaign '{ref}' not found."),
        "cluster_not_found": ("Không tìm thấy cụm/khối thi đua «{ref}».", "Cluster or block '{ref}' not found."),
        "node_code_invalid": ("Mã nút không hợp lệ: {code}", "Not a valid node id: {code}"),
}


def add_messages(messages: dict[str, tuple[str, str]]) -> None:
    for code in messages:
        if code in MESSAGES and MESSAGES[code] != messages[code]:
            raise ValueError(f"message code {code} is defined twice")
    MESSAGES.update(messages)


def translate(message_code: str, language: Language = "vi", /, **params: object) -> str:
    vi, en = MESSAGES.get(message_code, (message_code, message_code))
    template = en if language == "en" else vi
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def language_from_header(accept_language: str | None) -> Language:
    """`Accept-Language: en...` picks English; anything else is Vietnamese."""
    if accept_language and accept_language.strip().lower().startswith("en"):
        return "en"
    return "vi"


def long_date(value: date, place: str | None = None) -> str:
    """A date as official letters write it: "Hà Nội, ngày 07 tháng 12 năm 2017"."""
    written = f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"
    return f"{place}, {written}" if place else written


def format_date(value: date | datetime | None, language: Language = "vi") -> str:
    """Dates as a person reads them: 13/10/2013 in Vietnamese, 2013-10-13 in English."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if language == "vi" else value.strftime("%Y-%m-%d")


def format_moment(value: datetime, language: Language = "vi") -> str:
    """A moment in Vietnam's time zone as a person reads it: "14:05 20/12/2017" (English: "14:05 2017-12-20")."""
    local = value.astimezone(VIETNAM)
    return f"{local:%H:%M} {format_date(local, language)}"
