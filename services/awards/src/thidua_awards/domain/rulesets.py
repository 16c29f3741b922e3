"""Rule sets: the law's and the alliance's awards as data, versioned by the date they take effect.

Each file in `thidua_awards/rulesets/` is one set (the Law 06/2022 with Decree 98/2023, Decree
152/2025, the VCA's own). For each award it says who may receive it, the criteria (declarative
rules the eligibility engine evaluates and explains), the quota, who decides, whether the
nominees are posted publicly and for how many working days, and the vote. A nomination takes
the set in force on the day its dossier was complete. What the sources do not settle is marked
`settled: false` with a note, and never invented: the officer sees it as such.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from thidua_shared.errors import Invalid, NotFound
from thidua_shared.events.awards import DocumentKind, SubjectKind, VoteBasis, VoteRule


RULESETS_DIR = Path(__file__).resolve().parent.parent / "rulesets"


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(StrEnum):
    TITLE = "title"  # danh hiệu thi đua
    COMMENDATION = "commendation"  # hình thức khen thưởng


class Level(StrEnum):
    GRASSROOTS = "grassroots"  # cơ sở
    ORGANISATION = "organisation"  # the alliance's own level (LMHTX Việt Nam, a provincial alliance)
    STATE = "state"  # cấp nhà nước: Government, Prime Minister, President


CRITERION_RULES = (
    "leads_cluster", "task_rating", "holds_award", "consecutive_awards", "initiative", "no_discipline",
    "members_share_with_award", "members_all_rated", "members_with_award", "members_no_discipline", "any_of", "judgement",
)


class Criterion(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{2,64}$")
    rule: Literal[CRITERION_RULES]  # type: ignore[valid-type]
    params: dict[str, Any] = Field(default_factory=dict)
    label_vi: str
    label_en: str
    settled: bool = True
    note: str | None = None
    applies_to: SubjectKind | None = None  # for an award both collectives and people receive: whose criterion it is
    any_of: list["Criterion"] = Field(default_factory=list)  # for `any_of`: met if one of these is

    @model_validator(mode="after")
    def _combinator(self) -> "Criterion":
        if (self.rule == "any_of") != bool(self.any_of):
            raise ValueError(f"criterion {self.id}: `any_of` needs sub-criteria, and only it has them")
        return self


class Quota(Strict):
    """A cap on nominations sent to the council. `per_cluster`: at most `max` per cluster and year;
    `share_of_cluster_leaders`: at most `share` of the year's cluster leaders (rounded down, at least 1)."""

    kind: Literal["per_cluster", "share_of_cluster_leaders", "per_unit_year"]
    max: int | None = Field(None, ge=1)
    share: Decimal | None = Field(None, gt=0, le=1)
    settled: bool = True
    note: str | None = None


class PostingRule(Strict):
    required: bool = False
    working_days: int = Field(0, ge=0, le=60)
    settled: bool = True
    note: str | None = None


class Vote(Strict):
    threshold: Decimal = Field(ge=0, le=1)
    basis: VoteBasis
    quorum: Decimal = Field(ge=0, le=1)
    settled: bool = True
    note: str | None = None

    def rule(self) -> VoteRule:
        return VoteRule(threshold=self.threshold, basis=self.basis, quorum=self.quorum)


class AwardRule(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]{2,64}$")
    name_vi: str
    name_en: str
    category: Category
    level: Level
    subjects: list[SubjectKind] = Field(min_length=1)
    unit_kinds: list[str] | None = None  # for collectives: the kinds of unit that may receive it (None: any)
    criteria: list[Criterion] = Field(default_factory=list)
    quota: Quota | None = None
    decided_by: str  # who decides, as the letter names them
    posting: PostingRule = PostingRule()
    vote: Vote
    documents: list[DocumentKind] = Field(default_factory=lambda: [DocumentKind.COVER_LETTER, DocumentKind.ACHIEVEMENT_REPORT,
                                                                     DocumentKind.VOTE_MINUTES])
    certificate: Literal["bang_khen", "giay_khen", "co_thi_dua", "danh_hieu", "none"] = "none"
    report_group: str | None = None  # the row of the statistical forms it counts in (0602 / 0603)
    settled: bool = True
    note: str | None = None

    def required_documents(self) -> list[DocumentKind]:
        """The dossier: the rule's documents, and the initiative's certificate where a criterion needs one."""
        needs_initiative = any(_uses_initiative(c) for c in self.criteria)
        extra = [DocumentKind.INITIATIVE_CERTIFICATE] if needs_initiative and DocumentKind.INITIATIVE_CERTIFICATE not in self.documents else []
        return [*self.documents, *extra]


def _uses_initiative(criterion: Criterion) -> bool:
    return criterion.rule == "initiative" or (criterion.rule == "any_of" and all(_uses_initiative(c) for c in criterion.any_of))


class RuleSet(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{2,64}$")
    title: str
    issuer: Literal["state", "vca"]
    sources: list[str]  # where the set's rules come from (for the record, not the grounds of a decision)
    legal_bases: list[str] = Field(default_factory=list)  # the laws, decrees or regulations a decision under it cites
    effective_from: date
    effective_to: date | None = None
    settled: bool = True
    note: str | None = None
    based_on: str | None = None  # another set whose awards this one keeps, but for those it restates
    awards: list[AwardRule] = Field(default_factory=list)

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def award(self, code: str) -> AwardRule | None:
        return next((a for a in self.awards if a.code == code), None)


@cache
def all_rulesets(folder: Path = RULESETS_DIR) -> tuple[RuleSet, ...]:
    """Every rule set shipped with the service, checked against the model when first read; a set
    `based_on` another gets that one's awards, but for those it restates."""
    read = {}
    for path in sorted(folder.glob("*.yaml")):
        found = RuleSet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        if found.id in read:
            raise ValueError(f"rule set {found.id} is defined twice")
        read[found.id] = found
    return tuple(_resolved(read, found.id, ()) for found in read.values())


def _resolved(read: dict[str, RuleSet], ruleset_id: str, seen: tuple[str, ...]) -> RuleSet:
    current = read[ruleset_id]
    if current.based_on is None:
        return current
    if current.based_on in seen or current.based_on not in read:
        raise ValueError(f"rule set {ruleset_id} is based on {current.based_on}, which is missing or circular")
    base = _resolved(read, current.based_on, (*seen, ruleset_id))
    restated = {a.code for a in current.awards}
    return current.model_copy(update={"awards": [*(a for a in base.awards if a.code not in restated), *current.awards]})


def ruleset(ruleset_id: str) -> RuleSet:
    found = next((s for s in all_rulesets() if s.id == ruleset_id), None)
    if found is None:
        raise NotFound("ruleset_not_found", ref=ruleset_id)
    return found


def legal_bases(rules: RuleSet, on: date) -> list[str]:
    """The "Căn cứ" lines of a decision signed on `on`: the State's law and decree in force that day, then, for an
    award of the alliance's own, its charter and regulation. Never the notes the rules were drawn from."""
    if rules.issuer == "state":
        return list(rules.legal_bases)
    state = next((s for s in sorted(all_rulesets(), key=lambda s: s.effective_from, reverse=True)
                  if s.issuer == "state" and s.in_force(on)), None)
    return [*(state.legal_bases if state else []), *rules.legal_bases]


def rule_in_force(award_code: str, on: date) -> tuple[RuleSet, AwardRule]:
    """The set in force on `on` that defines the award (the date a dossier was complete picks it)."""
    for candidate in sorted(all_rulesets(), key=lambda s: s.effective_from, reverse=True):
        award = candidate.award(award_code)
        if award is not None and candidate.in_force(on):
            return candidate, award
    known = sorted({a.code for s in all_rulesets() for a in s.awards})
    if award_code not in known:
        raise Invalid("award_unknown", code=award_code, known=", ".join(known))
    raise Invalid("award_not_in_force", code=award_code, date=on.strftime("%d/%m/%Y"))


def award_rule(ruleset_id: str, award_code: str) -> AwardRule:
    award = ruleset(ruleset_id).award(award_code)
    if award is None:
        raise NotFound("award_unknown", code=award_code, known=ruleset_id)
    return award
