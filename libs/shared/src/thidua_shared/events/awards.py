"""Events of the awards service: the records eligibility is judged on, nominations and their
dossier trail, secret ballots (tallies, never choices), public postings, decisions.

A ballot's events never carry a readable choice: choices are encrypted on the voter's device to a
key whose private part only the tellers hold, k of n, and only the tally is ever decrypted.
`ballot_voted` says who voted (turnout); at the end of voting `ballot_box_published` publishes
every encrypted ballot (its SHA-256 is its voter's receipt) and `ballot_counting` their product,
which the tellers' `ballot_counted` shares decrypt, with proofs anyone can check offline.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from thidua_shared.events.catalog import EventPayload, event_payload
from thidua_shared.validation import Year

Id = Annotated[str, Field(min_length=1, max_length=64)]
Sha256 = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
Number = Annotated[str, Field(pattern="^[A-Za-z0-9_-]{1,344}$")]  # a group element or exponent, base64url
Text = Annotated[str, Field(max_length=5000)]
AwardCode = Annotated[str, Field(pattern=r"^[a-z0-9_]{2,64}$")]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SubjectKind(StrEnum):
    UNIT = "unit"  # a collective (tập thể): a unit of the registry
    PERSON = "person"  # an individual (cá nhân): a person of the registry


class Subject(Frozen):
    kind: SubjectKind
    id: Id


# --- records eligibility is judged on ------------------------------------------------------------
class InitiativeLevel(StrEnum):
    GRASSROOTS = "grassroots"  # cấp cơ sở
    PROVINCIAL = "provincial"  # cấp bộ, ban, ngành, tỉnh
    NATIONAL = "national"  # toàn quốc


class InitiativeSnapshot(Frozen):
    """A recognised initiative (sáng kiến), with the level that recognised it and the document."""

    id: Id
    subject: Subject
    title: str = Field(max_length=1000)
    level: InitiativeLevel
    year: Year
    recognised_by: str | None = Field(None, max_length=255)
    document_number: str | None = Field(None, max_length=100)
    # A unit's own word about itself (or about its people) until an officer of a higher level confirms it:
    # only confirmed facts count for eligibility. Earlier events carry no such flag: facts, as they were taken.
    claimed: bool = False


class TaskRating(StrEnum):
    EXCELLENT = "excellent"  # hoàn thành xuất sắc nhiệm vụ
    GOOD = "good"  # hoàn thành tốt nhiệm vụ
    COMPLETED = "completed"  # hoàn thành nhiệm vụ
    NOT_COMPLETED = "not_completed"  # không hoàn thành nhiệm vụ


class TaskRatingSnapshot(Frozen):
    """A subject's yearly rating of how it carried out its tasks (đánh giá, xếp loại)."""

    subject: Subject
    year: Year
    rating: TaskRating
    claimed: bool = False  # as for an initiative: a unit's own word until a higher level confirms it


class DisciplineLevel(StrEnum):
    REPRIMAND = "reprimand"  # khiển trách
    WARNING = "warning"  # cảnh cáo
    DEMOTION = "demotion"  # hạ bậc lương, giáng chức, cách chức
    DISMISSAL = "dismissal"  # buộc thôi việc
    INVESTIGATION = "investigation"  # đang bị xem xét kỷ luật, điều tra


class DisciplineSnapshot(Frozen):
    id: Id
    subject: Subject
    level: DisciplineLevel
    starts_on: date
    ends_on: date | None  # None: still running
    reason: str = Field(max_length=2000)


class AwardRecord(Frozen):
    """An award a subject holds: decided here, or typed in from before the system ran."""

    id: Id
    subject: Subject
    award_code: AwardCode
    year: Year
    decision_number: str | None = Field(None, max_length=100)
    decided_on: date | None = None
    source: Literal["decided", "imported"]
    revoked: bool = False


@event_payload("awards.initiative_recorded", aggregate_kind="initiative")
class InitiativeRecorded(EventPayload):
    initiative: InitiativeSnapshot


@event_payload("awards.task_rating_recorded", aggregate_kind="subject")
class TaskRatingRecorded(EventPayload):
    rating: TaskRatingSnapshot


@event_payload("awards.claim_confirmed", aggregate_kind="subject")
class ClaimConfirmed(EventPayload):
    """An officer of a higher level confirms what a unit said of itself: an initiative (by its id) or a
    yearly rating (by subject and year). From then on it counts for eligibility."""

    kind: Literal["initiative", "rating"]
    initiative_id: Id | None = None
    subject: Subject | None = None
    year: Year | None = None


@event_payload("awards.discipline_recorded", aggregate_kind="discipline")
class DisciplineRecorded(EventPayload):
    discipline: DisciplineSnapshot


@event_payload("awards.past_award_recorded", aggregate_kind="award")
class PastAwardRecorded(EventPayload):
    """An earlier year's award typed in from paper or Excel, so that "consecutive years" rules work."""

    award: AwardRecord


# --- nominations ---------------------------------------------------------------------------------------
class DocumentKind(StrEnum):
    COVER_LETTER = "cover_letter"  # tờ trình
    ACHIEVEMENT_REPORT = "achievement_report"  # báo cáo thành tích
    VOTE_MINUTES = "vote_minutes"  # biên bản họp, bỏ phiếu
    INITIATIVE_CERTIFICATE = "initiative_certificate"  # giấy chứng nhận sáng kiến
    OTHER = "other"


class DossierDocument(Frozen):
    kind: DocumentKind
    name: str = Field(max_length=255)
    sha256: Sha256
    size: int = Field(ge=0)
    media_type: str = Field(max_length=100)


class CheckStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    JUDGEMENT = "judgement"  # the sources leave it to a person: the officer decides, and says why


class CriterionCheck(Frozen):
    criterion: str = Field(max_length=64)
    label_vi: str = Field(max_length=500)
    label_en: str = Field(max_length=500)
    status: CheckStatus
    explanation_vi: str = Field(max_length=2000)
    explanation_en: str = Field(max_length=2000)
    evidence: list[str] = Field(default_factory=list, max_length=50)  # what was used: a ranking, an award, a rating ...


class NominationState(StrEnum):
    DRAFTED = "drafted"  # soạn
    SUBMITTED = "submitted"  # gửi lên
    RECEIVED = "received"  # tiếp nhận
    ASSIGNED = "assigned"  # chuyển chuyên viên
    CHECKED = "checked"  # đã kiểm tra: đủ / không đủ điều kiện
    TO_COUNCIL = "to_council"  # trình Hội đồng
    APPROVED = "approved"  # Hội đồng đồng ý
    REJECTED = "rejected"  # Hội đồng không đồng ý
    DECIDED = "decided"  # có quyết định khen thưởng
    RETURNED = "returned"  # trả lại, kèm lý do
    WITHDRAWN = "withdrawn"  # rút
    ESCALATED = "escalated"  # đề nghị lên cấp trên


class CommendationType(StrEnum):
    """Loại hình khen thưởng, as the statistical forms split it."""

    REGULAR = "regular"  # thường xuyên
    THEMATIC = "thematic"  # theo chuyên đề, đợt
    SUDDEN = "sudden"  # đột xuất
    FOREIGN = "foreign"  # đối ngoại
    DEDICATION = "dedication"  # quá trình cống hiến


class NominationSnapshot(Frozen):
    id: Id
    node: str = Field(max_length=32)
    award_code: AwardCode
    ruleset_id: str = Field(max_length=64)
    year: Year
    subject: Subject
    subject_name: str = Field(max_length=255)
    proposer_unit_id: Id
    to_unit_id: Id  # the organisation whose council decides (the VCA, a provincial alliance)
    campaign_id: Id | None = None
    source: Literal["ranking", "manual", "import"]
    ranking_round_id: Id | None = None
    # The cluster or block whose quota it counts against (an award with a per-cluster quota); earlier
    # events leave it out, and a nomination from a ranking then takes its ranking's cluster.
    cluster_id: Id | None = None
    commendation_type: CommendationType = CommendationType.REGULAR
    summary: str | None = Field(None, max_length=5000)  # the achievement, in a few lines
    documents: list[DossierDocument] = Field(default_factory=list, max_length=30)
    state: NominationState
    eligible: bool | None = None
    checks: list[CriterionCheck] = Field(default_factory=list, max_length=50)
    officer: str | None = Field(None, max_length=255)
    dossier_complete_on: date | None = None
    revision: int = Field(0, ge=0)


class NominationEvent(EventPayload):
    nomination: NominationSnapshot
    reason: str | None = Field(None, max_length=2000)


@event_payload("awards.nomination_drafted", aggregate_kind="nomination")
class NominationDrafted(NominationEvent):
    pass


@event_payload("awards.nomination_submitted", aggregate_kind="nomination")
class NominationSubmitted(NominationEvent):
    pass


@event_payload("awards.nomination_received", aggregate_kind="nomination")
class NominationReceived(NominationEvent):
    pass


@event_payload("awards.nomination_assigned", aggregate_kind="nomination")
class NominationAssigned(NominationEvent):
    pass


@event_payload("awards.nomination_checked", aggregate_kind="nomination")
class NominationChecked(NominationEvent):
    pass


@event_payload("awards.nomination_returned", aggregate_kind="nomination")
class NominationReturned(NominationEvent):
    pass


@event_payload("awards.nomination_withdrawn", aggregate_kind="nomination")
class NominationWithdrawn(NominationEvent):
    pass


@event_payload("awards.nomination_document_attached", aggregate_kind="nomination")
class NominationDocumentAttached(NominationEvent):
    """A document added to the dossier (`reason`: its kind and name); the file itself is kept by its SHA-256."""


@event_payload("awards.nomination_escalated", aggregate_kind="nomination")
class NominationEscalated(NominationEvent):
    pass


@event_payload("awards.nomination_sent_to_council", aggregate_kind="nomination")
class NominationSentToCouncil(NominationEvent):
    pass


@event_payload("awards.nomination_approved", aggregate_kind="nomination")
class NominationApproved(NominationEvent):
    pass


@event_payload("awards.nomination_rejected", aggregate_kind="nomination")
class NominationRejected(NominationEvent):
    pass


# --- secret ballots -----------------------------------------------------------------------------------
class VoteBasis(StrEnum):
    PRESENT = "present"  # of those who voted
    ALL = "all"  # of every eligible voter


class VoteRule(Frozen):
    threshold: Decimal = Field(ge=0, le=1, max_digits=5, decimal_places=4)  # share of yes votes needed
    basis: VoteBasis
    quorum: Decimal = Field(ge=0, le=1, max_digits=5, decimal_places=4)  # share of voters who must vote


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class BallotSnapshot(Frozen):
    id: Id
    node: str = Field(max_length=32)
    kind: Literal["cluster", "council"]  # the cluster's members, one vote a unit; or the council's members
    title: str = Field(max_length=500)
    unit_id: Id  # whose ballot: the cluster's owner, or the organisation of the council
    cluster_id: Id | None = None
    year: Year
    nominations: list[Id] = Field(min_length=1, max_length=200)
    voters: list[Id] = Field(min_length=1, max_length=1000)  # units (cluster) or people (council) who may vote
    rule: VoteRule
    opens_at: datetime
    closes_at: datetime
    meeting_on: date | None = None  # the meeting the vote is held at (its minutes are dated so), if any
    # The vote-counting committee (Ban kiểm phiếu), voters themselves: any `threshold` of them decrypt the tally.
    tellers: list[Id] = Field(default_factory=list, max_length=15)  # empty only in ballots from before encryption
    threshold: int = Field(0, ge=0, le=15)
    public_key: Number | None = None  # the ballot's key, once every teller has dealt
    # keys: the tellers set up the key; open: voting; counting: the box is published, tellers decrypt the tally.
    status: Literal["keys", "open", "counting", "closed"]


# Numbers of the secret ballot's group (2048 bits), as unpadded base64url of their big-endian bytes.
class Encrypted(Frozen):
    """ElGamal ciphertext (g^r, K^r · g^m)."""

    alpha: Number
    beta: Number


class EncryptedOption(Encrypted):
    """One option of a choice (yes, no or abstain) encrypted as 0 or 1, with the proof that it is 0 or 1."""

    c0: Number
    c1: Number
    v0: Number
    v1: Number


class EncryptedChoice(Frozen):
    nomination_id: Id
    options: list[EncryptedOption] = Field(min_length=3, max_length=3)  # yes, no, abstain
    c: Number  # proof that the three add up to one
    v: Number


class EncryptedBallot(Frozen):
    """What a voter's device sends: nobody without the tellers' keys reads it; its SHA-256 is the receipt."""

    choices: list[EncryptedChoice] = Field(min_length=1, max_length=200)  # in the ballot's order of nominations


class KnowledgeProof(Frozen):
    c: Number
    v: Number


class TellerDeal(Frozen):
    """A teller's part of the ballot's key: commitments to a secret polynomial, proofs of knowing it, and its
    value at every teller's index sealed to that teller's transport key (HPKE), so only that teller opens it."""

    index: int = Field(ge=1, le=15)
    commitments: list[Number] = Field(min_length=1, max_length=15)
    proofs: list[KnowledgeProof] = Field(min_length=1, max_length=15)
    sealed: dict[str, str] = Field(max_length=15)  # teller index → base64url HPKE ciphertext


class PartialDecryption(Frozen):
    m: Number  # α^s, with the proof (c, v) that s is the teller's share
    c: Number
    v: Number


class TellerCount(Frozen):
    index: int = Field(ge=1, le=15)
    shares: list[list[PartialDecryption]] = Field(max_length=200)  # per nomination: yes, no, abstain


class QuestionTally(Frozen):
    nomination_id: Id
    yes: int
    no: int
    abstain: int
    share: Decimal  # yes / the basis
    passed: bool


@event_payload("awards.teller_key_registered", aggregate_kind="teller")
class TellerKeyRegistered(EventPayload):
    """A teller's public transport key (X25519): the key shares of future ballots are sealed to it."""

    teller: Id
    public_key: str = Field(pattern="^[A-Za-z0-9_-]{43}$")


@event_payload("awards.ballot_opened", aggregate_kind="ballot")
class BallotOpened(EventPayload):
    ballot: BallotSnapshot


@event_payload("awards.ballot_dealt", aggregate_kind="ballot")
class BallotDealt(EventPayload):
    """One teller's deal; the last one sets the ballot's key and opens it."""

    ballot_id: Id
    teller: Id
    deal: TellerDeal
    public_key: Number | None = None


@event_payload("awards.ballot_voted", aggregate_kind="ballot")
class BallotVoted(EventPayload):
    """Who voted (turnout); never what."""

    ballot_id: Id
    voter: Id


@event_payload("awards.ballot_box_published", aggregate_kind="ballot")
class BallotBoxPublished(EventPayload):
    """Part of the box, at the end of voting: encrypted ballots in the order of their receipts."""

    ballot_id: Id
    part: int = Field(ge=1)
    parts: int = Field(ge=1)
    ballots: list[EncryptedBallot] = Field(max_length=1000)


@event_payload("awards.ballot_counting", aggregate_kind="ballot")
class BallotCounting(EventPayload):
    """Voting is over: the encrypted tally (the product of every ballot in the box) is what the tellers decrypt."""

    ballot_id: Id
    eligible: int
    voted: int
    box_digest: Sha256
    tally: list[list[Encrypted]] = Field(max_length=200)  # per nomination: yes, no, abstain


@event_payload("awards.ballot_counted", aggregate_kind="ballot")
class BallotCounted(EventPayload):
    """One teller's share of the tally's decryption, with its proofs."""

    ballot_id: Id
    teller: Id
    count: TellerCount


@event_payload("awards.ballot_closed", aggregate_kind="ballot")
class BallotClosed(EventPayload):
    ballot_id: Id
    eligible: int
    voted: int
    quorum_met: bool
    tallies: list[QuestionTally] = Field(max_length=200)
    box_digest: Sha256
    counted_by: list[int] = Field(max_length=15)  # the tellers whose shares decrypted the tally


# --- public posting ------------------------------------------------------------------------------------
class PostingSnapshot(Frozen):
    id: Id
    to_unit_id: Id
    title: str = Field(max_length=500)
    nominations: list[Id] = Field(min_length=1, max_length=500)
    opened_on: date
    working_days: int = Field(ge=1, le=60)
    closes_on: date  # the last working day nominees are posted: weekends and public holidays (Tết too) skipped
    status: Literal["open", "closed"]


@event_payload("awards.posting_opened", aggregate_kind="posting")
class PostingOpened(EventPayload):
    posting: PostingSnapshot


@event_payload("awards.posting_comment_received", aggregate_kind="posting")
class PostingCommentReceived(EventPayload):
    posting_id: Id
    comment_id: Id
    nomination_id: Id | None = None
    author: str | None = Field(None, max_length=255)  # may be left out: comments can be anonymous
    text: Text


@event_payload("awards.posting_comment_answered", aggregate_kind="posting")
class PostingCommentAnswered(EventPayload):
    posting_id: Id
    comment_id: Id
    answer: Text


@event_payload("awards.posting_closed", aggregate_kind="posting")
class PostingClosed(EventPayload):
    posting_id: Id
    comments: int
    unanswered: int


# --- decisions ------------------------------------------------------------------------------------------
class Recipient(Frozen):
    nomination_id: Id
    subject: Subject
    name: str = Field(max_length=255)
    unit_name: str | None = Field(None, max_length=255)


class DecisionSnapshot(Frozen):
    id: Id
    node: str = Field(max_length=32)
    number: str = Field(max_length=100)  # số quyết định, e.g. 123/QĐ-LMHTXVN
    signed_on: date
    to_unit_id: Id
    award_code: AwardCode
    ruleset_id: str = Field(max_length=64)
    year: Year
    signer_title: str = Field(max_length=255)
    signer_name: str | None = Field(None, max_length=255)  # who signs, printed under the title
    recipients: list[Recipient] = Field(min_length=1, max_length=2000)


@event_payload("awards.award_decided", aggregate_kind="decision")
class AwardDecided(EventPayload):
    decision: DecisionSnapshot


@event_payload("awards.award_revoked", aggregate_kind="decision")
class AwardRevoked(EventPayload):
    """A revocation is a recorded decision too (false declarations, say), with its reason."""

    decision_id: Id
    nomination_id: Id
    subject: Subject
    revocation_number: str = Field(max_length=100)
    reason: str = Field(min_length=1, max_length=2000)


# The events that make (or unmake) an award, about a decision: what a certificate's proof points to.
DECISION_EVENTS = ("awards.award_decided", "awards.award_revoked")
