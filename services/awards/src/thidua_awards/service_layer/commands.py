"""What callers ask the awards service to do. Units are named by code or id, people by id."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from thidua_shared.events.awards import (
    AwardCode,
    CommendationType,
    DisciplineLevel,
    DocumentKind,
    EncryptedBallot,
    InitiativeLevel,
    SubjectKind,
    TaskRating,
    TellerCount,
    TellerDeal,
)
from thidua_shared.validation import Command, Day, Moment, Year

Ref = Annotated[str, Field(min_length=1, max_length=64)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class SubjectRef(Command):
    kind: SubjectKind
    ref: Ref = Field(description="Mã/id đơn vị, hoặc id cá nhân / a unit's code or id, or a person's id")


class RecordInitiative(Command):
    subject: SubjectRef
    title: str = Field(min_length=1, max_length=1000)
    level: InitiativeLevel
    year: Year
    recognised_by: str | None = Field(None, max_length=255)
    document_number: str | None = Field(None, max_length=100)


class RecordRating(Command):
    subject: SubjectRef
    year: Year
    rating: TaskRating


class ConfirmRating(Command):
    subject: SubjectRef
    year: Year


class RecordDiscipline(Command):
    subject: SubjectRef
    level: DisciplineLevel
    starts_on: Day
    ends_on: Day | None = None
    reason: Reason


class RecordPastAward(Command):
    subject: SubjectRef
    award: AwardCode
    year: Year
    decision_number: str | None = Field(None, max_length=100)
    decided_on: Day | None = None


class DraftNomination(Command):
    award: AwardCode
    year: Year
    subject: SubjectRef
    proposer: Ref = Field(description="Đơn vị đề nghị / the proposing unit")
    to_unit: Ref = Field(description="Cơ quan quyết định khen thưởng (LMHTX Việt Nam, LMHTX tỉnh) / the deciding organisation")
    campaign: Ref | None = None
    cluster: Ref | None = Field(None, description="Cụm/khối mà đề nghị tính vào hạn mức (khi đơn vị thuộc nhiều cụm) / "
                                                   "the cluster whose quota it counts against, for a unit in several")
    commendation_type: CommendationType = CommendationType.REGULAR
    summary: str | None = Field(None, max_length=5000)


class NominateFromRanking(Command):
    round: Ref = Field(description="Vòng chấm đã công bố xếp hạng / the round whose ranking was published")
    award: AwardCode = "co_thi_dua_lmhtx_vn"
    to_unit: Ref | None = Field(None, description="Mặc định: đơn vị tổ chức cụm / default: the cluster's owner")
    summary: str | None = Field(None, max_length=5000)


class AttachDocument(Command):
    kind: DocumentKind
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]


class Step(Command):
    reason: str | None = Field(None, max_length=2000)


class Assign(Command):
    officer: str = Field(min_length=1, max_length=255, description="Chuyên viên thụ lý / the officer in charge")


class Judgement(Command):
    criterion: str = Field(min_length=1, max_length=64)
    met: bool
    reason: Reason


class Check(Command):
    judgements: list[Judgement] = Field(default_factory=list, max_length=50)


class OpenBallot(Command):
    kind: Annotated[str, Field(pattern="^(cluster|council)$")]
    title: str = Field(min_length=1, max_length=500)
    nominations: list[Ref] = Field(min_length=1, max_length=200)
    cluster: Ref | None = Field(None, description="Cụm/khối bỏ phiếu (phiếu của cụm) / the cluster that votes")
    year: Year
    voters: list[Ref] = Field(default_factory=list, max_length=1000, description="Thành viên Hội đồng (id cá nhân) / council members")
    opens_at: Moment | None = None
    closes_at: Moment
    meeting_on: Day | None = Field(None, description="Ngày hội nghị bỏ phiếu (biên bản ghi ngày này) / the meeting's date")
    tellers: list[Ref] = Field(min_length=1, max_length=15, description=(
        "Ban kiểm phiếu, chọn trong những người (đơn vị) bỏ phiếu / the vote-counting committee, chosen among the voters"))
    threshold: int | None = Field(None, ge=1, le=15, description=(
        "Số thành viên Ban kiểm phiếu cần có mặt để kiểm phiếu (mặc định: quá nửa) / how many tellers decrypt the tally "
        "(default: a majority)"))


class AsMember(Command):
    """Who acts: the caller in person (a council), or the unit the caller reports for (a cluster)."""

    unit: Ref | None = Field(None, description="Đơn vị (phiếu của cụm) / the unit, in a cluster ballot")


class Vote(Command):
    voter: Ref | None = Field(None, description="Đơn vị bỏ phiếu (phiếu của cụm) / the voting unit, in a cluster ballot")
    ballot: EncryptedBallot = Field(description="Phiếu đã mã hoá trên máy người bỏ phiếu / the ballot, encrypted on the voter's device")


class RegisterTellerKey(AsMember):
    public_key: str = Field(pattern="^[A-Za-z0-9_-]{43}$", description="Khoá X25519 (base64url) / the X25519 transport key")


class Deal(AsMember):
    deal: TellerDeal


class Count(AsMember):
    count: TellerCount


class OpenPosting(Command):
    to_unit: Ref
    title: str = Field(min_length=1, max_length=500)
    nominations: list[Ref] = Field(min_length=1, max_length=500)
    working_days: int | None = Field(None, ge=1, le=60, description="Mặc định: theo bộ quy tắc / default: the rule set's")


class Comment(Command):
    nomination: Ref | None = None
    author: str | None = Field(None, max_length=255, description="Có thể để trống / may be left out")
    text: str = Field(min_length=1, max_length=5000)


class Answer(Command):
    answer: str = Field(min_length=1, max_length=5000)


class IssueDecision(Command):
    number: str = Field(min_length=1, max_length=100, description="Số quyết định / the decision's number")
    signed_on: Day
    signer_title: str = Field(min_length=1, max_length=255)
    signer_name: str | None = Field(None, max_length=255, description="Họ tên người ký / the signer's name")
    nominations: list[Ref] = Field(min_length=1, max_length=2000)


class Revoke(Command):
    nomination: Ref
    revocation_number: str = Field(min_length=1, max_length=100)
    reason: Reason


class DraftDocument(Command):
    nominations: list[Ref] = Field(min_length=1, max_length=2000)
    number: str | None = Field(None, max_length=100)
    signed_on: Day | None = Field(None, description="Ngày ký dự kiến (mặc định: hôm nay); căn cứ pháp lý theo ngày này / the date it is to be "
                                                    "signed (default: today); the legal grounds in force that day")
    signer_name: str | None = Field(None, max_length=255, description="Họ tên người ký / the signer's name")
