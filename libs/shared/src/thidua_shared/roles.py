"""Roles a person can hold. The values travel in tokens and in event actors."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    NATIONAL_ADMIN = "national_admin"  # Ban Thi đua – Khen thưởng, LMHTX Việt Nam
    PROVINCIAL_OFFICER = "provincial_officer"  # cán bộ thi đua Liên minh HTX tỉnh
    CLUSTER_LEADER = "cluster_leader"  # Cụm trưởng / Khối trưởng
    UNIT_REPORTER = "unit_reporter"  # người báo cáo của đơn vị
    REVIEWER = "reviewer"  # người chấm điểm chéo
    COUNCIL_MEMBER = "council_member"  # thành viên Hội đồng TĐKT
    AUDITOR = "auditor"  # kiểm tra, giám sát: read only
    SYSTEM = "system"  # the software itself (migrations, bootstrap); never in a token
