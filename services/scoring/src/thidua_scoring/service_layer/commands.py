"""What callers ask the scoring service to do. Units, clusters and campaigns are named by code or id."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from thidua_shared.events.campaigns import Code
from thidua_shared.events.envelope import NODE_PATTERN
from thidua_shared.events.scoring import AssignmentRule, Period, ReportedResult, ReviewScore, ScoringPolicy, Sha256
from thidua_shared.validation import Command, Year

Ref = Annotated[str, Field(min_length=1, max_length=64)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class PreviewResults(Command):
    """A unit's results for a campaign and a period: the service computes the self-score from the campaign's rules."""

    campaign: Ref
    unit: Ref
    period: Period
    results: list[ReportedResult] = Field(min_length=1, max_length=500, description="Ít nhất một kết quả / at least one result")


class SubmitResults(PreviewResults):
    evidence: list[Sha256] = Field(default_factory=list, max_length=100, description="SHA-256 của minh chứng đã tải lên / evidence uploaded before")
    reason: str | None = Field(None, max_length=2000, description="Lý do sửa đổi / why this revision")
    late_reason: str | None = Field(None, max_length=2000, description="Nhập bổ sung sau hạn: lý do / typed in after the deadline: why")


class OpenRound(Command):
    campaign: Ref
    period: Period
    cluster: Ref
    year: Year
    policy: ScoringPolicy = Field(default_factory=ScoringPolicy)
    rule: AssignmentRule = Field(default_factory=AssignmentRule)
    corrects: Ref | None = Field(None, description="Vòng chấm được đính chính / the closed round this corrects")
    reason: str | None = Field(None, max_length=2000)


class AssignReviewer(Command):
    reviewer: Ref
    unit: Ref


class DeclareConflict(Command):
    reviewer: Ref
    unit: Ref
    reason: Reason


class SubmitReview(Command):
    reviewer: Ref = Field(description="Đơn vị chấm / the reviewing unit")
    unit: Ref = Field(description="Đơn vị được chấm / the unit reviewed")
    scores: list[ReviewScore] = Field(min_length=1, max_length=500)


class Explain(Command):
    unit: Ref
    indicator_code: Code
    text: str = Field(min_length=1, max_length=5000)


class CloseRound(Command):
    """The leader closes the round. With reviews or second reviews missing, only by an explicit decision with a reason."""

    accept_missing: bool = Field(False, description="Đóng dù còn thiếu lượt chấm / close although reviews are missing")
    reason: str | None = Field(None, max_length=2000, description="Lý do đóng khi còn thiếu / why it closes with work missing")


class HandOverRound(Command):
    """The centre passes an open round's writing to another node (a province's node lost, or back to it)."""

    to_node: str = Field(pattern=NODE_PATTERN, description="Nút nhận vòng chấm / the node that writes the round from now on")
    reason: Reason = Field(description="Lý do bàn giao / why the round is handed over")


class RequestReturn(Command):
    """A province asks, from its own node, for a round back that the centre took over."""

    reason: Reason = Field(description="Lý do đề nghị nhận lại / why the province asks for the round back")
