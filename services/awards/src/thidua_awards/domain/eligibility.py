"""Eligibility: a rule set's criteria evaluated on what is recorded, each explained. Pure: no I/O.

For a nomination, every criterion of its award is met, not met, or left to a person's judgement,
with the reason in both languages and the evidence used (the ranking a unit leads, the awards,
ratings, initiatives and discipline records). A criterion the sources do not settle never bars a
nomination by itself: where it would, it is left to the officer's judgement, saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from thidua_shared.events.awards import CheckStatus, CriterionCheck, DisciplineLevel, InitiativeLevel, SubjectKind, TaskRating
from thidua_shared.i18n import format_percent

from thidua_awards.domain.rulesets import AwardRule, Criterion, RuleSet

RATING_ORDER = {TaskRating.NOT_COMPLETED: 0, TaskRating.COMPLETED: 1, TaskRating.GOOD: 2, TaskRating.EXCELLENT: 3}
RATING_VI = {TaskRating.NOT_COMPLETED: "không hoàn thành", TaskRating.COMPLETED: "hoàn thành", TaskRating.GOOD: "hoàn thành tốt",
             TaskRating.EXCELLENT: "hoàn thành xuất sắc"}
DISCIPLINE_ORDER = {DisciplineLevel.REPRIMAND: 1, DisciplineLevel.WARNING: 2, DisciplineLevel.DEMOTION: 3, DisciplineLevel.DISMISSAL: 4}
INITIATIVE_ORDER = {InitiativeLevel.GRASSROOTS: 1, InitiativeLevel.PROVINCIAL: 2, InitiativeLevel.NATIONAL: 3}


@dataclass(frozen=True)
class Discipline:
    level: DisciplineLevel
    starts_on: date
    ends_on: date | None
    ref: str

    def touches(self, year: int) -> bool:
        """In force at some time of the year (an investigation still open counts whatever its start)."""
        if self.level is DisciplineLevel.INVESTIGATION and self.ends_on is None:
            return True
        return self.starts_on <= date(year, 12, 31) and (self.ends_on is None or self.ends_on >= date(year, 1, 1))


@dataclass(frozen=True)
class Initiative:
    level: InitiativeLevel
    year: int
    ref: str


@dataclass
class SubjectFacts:
    """What is recorded of one unit or person (a unit's predecessors' records included)."""

    awards: dict[int, dict[str, str]] = field(default_factory=dict)  # year → award code → its reference (decision)
    ratings: dict[int, TaskRating] = field(default_factory=dict)
    disciplines: list[Discipline] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    led: dict[int, list[str]] = field(default_factory=dict)  # year → rankings (round ids) it leads
    tied_first: dict[int, list[str]] = field(default_factory=dict)  # year → rankings where it shares an open first place


@dataclass
class Facts:
    subject_kind: SubjectKind
    subject: SubjectFacts
    members: dict[str, SubjectFacts] = field(default_factory=dict)  # a collective's people, by id


@dataclass(frozen=True)
class Outcome:
    status: CheckStatus
    vi: str
    en: str
    evidence: tuple[str, ...] = ()


def evaluate(rules: RuleSet, award: AwardRule, year: int, facts: Facts) -> list[CriterionCheck]:
    """Every criterion of the award that applies to the subject, evaluated for `year`."""
    checks = []
    if not rules.settled:
        checks.append(CriterionCheck(
            criterion="ruleset", label_vi=f"Bộ quy tắc «{rules.title}»", label_en=f"Rule set '{rules.title}'",
            status=CheckStatus.JUDGEMENT, explanation_vi=rules.note or "Bộ quy tắc chưa được nguồn xác định đầy đủ.",
            explanation_en="The rule set is not settled by the sources at hand: the officer checks the criteria against the text.",
        ))
    for criterion in award.criteria:
        if criterion.applies_to is not None and criterion.applies_to is not facts.subject_kind:
            continue
        outcome = _settled(criterion, _outcome(criterion, year, facts))
        checks.append(CriterionCheck(
            criterion=criterion.id, label_vi=criterion.label_vi, label_en=criterion.label_en, status=outcome.status,
            explanation_vi=outcome.vi[:2000], explanation_en=outcome.en[:2000], evidence=list(outcome.evidence)[:50],
        ))
    return checks


def verdict(checks: Sequence[CriterionCheck]) -> bool | None:
    """Eligible (True), not eligible (False), or not yet known: a person's judgement is still needed (None)."""
    if any(c.status is CheckStatus.NOT_MET for c in checks):
        return False
    if any(c.status is CheckStatus.JUDGEMENT for c in checks):
        return None
    return True


def _settled(criterion: Criterion, outcome: Outcome) -> Outcome:
    if criterion.settled:
        return outcome
    note_vi = f" (Tiêu chí chưa được nguồn xác định: {criterion.note or 'cần đối chiếu văn bản'})"
    note_en = " (The sources do not settle this criterion: check it against the text.)"
    status = CheckStatus.JUDGEMENT if outcome.status is CheckStatus.NOT_MET else outcome.status
    return Outcome(status, outcome.vi + note_vi, outcome.en + note_en, outcome.evidence)


def _outcome(criterion: Criterion, year: int, facts: Facts) -> Outcome:
    if criterion.rule == "any_of":
        return _any_of([_settled(c, _outcome(c, year, facts)) for c in criterion.any_of])
    return RULES[criterion.rule](criterion.params, year, facts)


def _any_of(outcomes: list[Outcome]) -> Outcome:
    vi, en = "; ".join(o.vi for o in outcomes), "; ".join(o.en for o in outcomes)
    evidence = tuple(e for o in outcomes for e in o.evidence)
    if any(o.status is CheckStatus.MET for o in outcomes):
        return Outcome(CheckStatus.MET, vi, en, evidence)
    if any(o.status is CheckStatus.JUDGEMENT for o in outcomes):
        return Outcome(CheckStatus.JUDGEMENT, vi, en, evidence)
    return Outcome(CheckStatus.NOT_MET, vi, en, evidence)


def _window(params: Mapping[str, object], year: int) -> list[int]:
    """The years a criterion looks at: `years` of them ending with this year (or the year before)."""
    count = int(params.get("years", 1))  # type: ignore[call-overload]
    last = year - 1 if params.get("before_this_year") else year
    return list(range(last - count + 1, last + 1))


def _years(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in sorted(years))


# --- the rules -------------------------------------------------------------------------------------
def leads_cluster(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    led = facts.subject.led.get(year, [])
    if led:
        return Outcome(CheckStatus.MET, f"Dẫn đầu cụm/khối năm {year} (bảng xếp hạng đã công bố).",
                       f"Leads its cluster or block in {year} (published ranking).", tuple(f"ranking:{r}" for r in led))
    tied = facts.subject.tied_first.get(year, [])
    if tied:
        return Outcome(CheckStatus.JUDGEMENT, f"Đồng hạng nhất năm {year}: cụm phải bỏ phiếu chọn đơn vị dẫn đầu.",
                       f"Shares first place in {year}: the cluster's ballot must settle it.", tuple(f"ranking:{r}" for r in tied))
    return Outcome(CheckStatus.NOT_MET, f"Không dẫn đầu cụm, khối nào trong bảng xếp hạng năm {year}.",
                   f"Leads no cluster or block in a published ranking of {year}.")


def task_rating(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    floor = TaskRating(str(params.get("at_least", "good")))
    window = _window(params, year)
    short = [y for y in window if RATING_ORDER.get(facts.subject.ratings.get(y, TaskRating.NOT_COMPLETED), 0) < RATING_ORDER[floor]]
    evidence = tuple(f"rating:{y}:{facts.subject.ratings[y].value}" for y in window if y in facts.subject.ratings)
    if not short:
        return Outcome(CheckStatus.MET, f"Được đánh giá «{RATING_VI[floor]}» trở lên các năm {_years(window)}.",
                       f"Rated '{floor.value}' or better in {_years(window)}.", evidence)
    missing = [y for y in short if y not in facts.subject.ratings]
    low = [y for y in short if y in facts.subject.ratings]
    vi = []
    if missing:
        vi.append(f"chưa có kết quả đánh giá năm {_years(missing)}")
    if low:
        vi.append(f"năm {_years(low)} đánh giá dưới mức «{RATING_VI[floor]}»")
    return Outcome(CheckStatus.NOT_MET, "Không đạt: " + "; ".join(vi) + ".",
                   f"Not met: no rating for {_years(missing) or '-'}; below '{floor.value}' in {_years(low) or '-'}.", evidence)


def holds_award(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    codes = set(params.get("awards", []))  # type: ignore[arg-type]
    need = int(params.get("count", 1))  # type: ignore[call-overload]
    window = _window(params, year)
    held = {y: refs for y in window if (refs := [r for code, r in facts.subject.awards.get(y, {}).items() if code in codes])}
    evidence = tuple(f"award:{r}" for refs in held.values() for r in refs)
    names = ", ".join(sorted(codes))
    if len(held) >= need:
        return Outcome(CheckStatus.MET, f"Đã có ({names}) các năm {_years(held)}.", f"Held ({names}) in {_years(held)}.", evidence)
    return Outcome(CheckStatus.NOT_MET, f"Cần {need} năm có ({names}) trong các năm {_years(window)}; có {len(held)}.",
                   f"Needs ({names}) in {need} of the years {_years(window)}; has {len(held)}.", evidence)


def consecutive_awards(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    codes = set(params.get("awards", []))  # type: ignore[arg-type]
    window = _window(params, year)
    missing = [y for y in window if not codes & set(facts.subject.awards.get(y, {}))]
    evidence = tuple(f"award:{r}" for y in window for code, r in facts.subject.awards.get(y, {}).items() if code in codes)
    names = ", ".join(sorted(codes))
    if not missing:
        return Outcome(CheckStatus.MET, f"Liên tục có ({names}) các năm {_years(window)}.", f"Held ({names}) every year {_years(window)}.", evidence)
    return Outcome(CheckStatus.NOT_MET, f"Thiếu ({names}) năm {_years(missing)} (cần liên tục {_years(window)}).",
                   f"No ({names}) in {_years(missing)} (needed every year {_years(window)}).", evidence)


def initiative(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    floor = InitiativeLevel(str(params.get("level_at_least", "grassroots")))
    window = set(_window(params, year))
    found = [i for i in facts.subject.initiatives if i.year in window and INITIATIVE_ORDER[i.level] >= INITIATIVE_ORDER[floor]]
    if found:
        return Outcome(CheckStatus.MET, f"Có {len(found)} sáng kiến cấp «{floor.value}» trở lên được công nhận.",
                       f"{len(found)} initiative(s) recognised at '{floor.value}' level or above.", tuple(f"initiative:{i.ref}" for i in found))
    return Outcome(CheckStatus.NOT_MET, f"Không có sáng kiến cấp «{floor.value}» trở lên được công nhận trong các năm {_years(window)}.",
                   f"No initiative recognised at '{floor.value}' level or above in {_years(window)}.")


def _disciplined(subject: SubjectFacts, level: DisciplineLevel, year: int) -> list[Discipline]:
    floor = DISCIPLINE_ORDER.get(level, 1)
    return [d for d in subject.disciplines if d.touches(year)
            and (d.level is DisciplineLevel.INVESTIGATION or DISCIPLINE_ORDER[d.level] >= floor)]


def no_discipline(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    found = _disciplined(facts.subject, DisciplineLevel(str(params.get("level_at_least", "reprimand"))), year)
    if not found:
        return Outcome(CheckStatus.MET, f"Không có kỷ luật hay điều tra trong năm {year}.", f"No discipline or investigation in {year}.")
    levels = ", ".join(sorted({d.level.value for d in found}))
    return Outcome(CheckStatus.NOT_MET, f"Đang hoặc đã bị kỷ luật/điều tra trong năm {year} ({levels}).",
                   f"Disciplined or under investigation in {year} ({levels}).", tuple(f"discipline:{d.ref}" for d in found))


def _members(facts: Facts) -> Outcome | None:
    if not facts.members:
        return Outcome(CheckStatus.JUDGEMENT, "Đơn vị chưa có danh sách cá nhân trong sổ đăng ký: không tính được tỷ lệ.",
                       "The unit has no people in the registry: the share cannot be computed.")
    return None


def members_share_with_award(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    if (empty := _members(facts)) is not None:
        return empty
    codes = set(params.get("awards", []))  # type: ignore[arg-type]
    share = Decimal(str(params.get("at_least", "0.7")))
    holders = [p for p, f in facts.members.items() if codes & set(f.awards.get(year, {}))]
    total = len(facts.members)
    status = CheckStatus.MET if Decimal(len(holders)) >= share * total else CheckStatus.NOT_MET
    held = Decimal(len(holders)) / total
    return Outcome(status, f"{len(holders)}/{total} cá nhân ({format_percent(held)}) đạt ({', '.join(sorted(codes))}) năm {year}; "
                           f"cần {format_percent(share)}.",
                   f"{len(holders)} of {total} members ({format_percent(held, 'en')}) hold ({', '.join(sorted(codes))}) in {year}; "
                   f"{format_percent(share, 'en')} needed.",
                   tuple(f"person:{p}" for p in holders[:20]))


def members_all_rated(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    if (empty := _members(facts)) is not None:
        return empty
    floor = TaskRating(str(params.get("at_least", "completed")))
    short = [p for p, f in facts.members.items() if RATING_ORDER.get(f.ratings.get(year, TaskRating.NOT_COMPLETED), 0) < RATING_ORDER[floor]]
    if not short:
        return Outcome(CheckStatus.MET, f"Cả {len(facts.members)} cá nhân được đánh giá «{RATING_VI[floor]}» trở lên năm {year}.",
                       f"All {len(facts.members)} members rated '{floor.value}' or better in {year}.")
    return Outcome(CheckStatus.NOT_MET, f"{len(short)}/{len(facts.members)} cá nhân chưa đạt «{RATING_VI[floor]}» (hoặc chưa có đánh giá) năm {year}.",
                   f"{len(short)} of {len(facts.members)} members below '{floor.value}' (or not rated) in {year}.",
                   tuple(f"person:{p}" for p in short[:20]))


def members_with_award(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    if (empty := _members(facts)) is not None:
        return empty
    codes = set(params.get("awards", []))  # type: ignore[arg-type]
    need = int(params.get("count", 1))  # type: ignore[call-overload]
    holders = [p for p, f in facts.members.items() if codes & set(f.awards.get(year, {}))]
    status = CheckStatus.MET if len(holders) >= need else CheckStatus.NOT_MET
    return Outcome(status, f"{len(holders)} cá nhân đạt ({', '.join(sorted(codes))}) năm {year}; cần {need}.",
                   f"{len(holders)} member(s) hold ({', '.join(sorted(codes))}) in {year}; {need} needed.", tuple(f"person:{p}" for p in holders[:20]))


def members_no_discipline(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    level = DisciplineLevel(str(params.get("level_at_least", "warning")))
    found = {p: d for p, f in facts.members.items() if (d := _disciplined(f, level, year))}
    if not found:
        return Outcome(CheckStatus.MET, f"Không cá nhân nào bị kỷ luật từ mức «{level.value}» trở lên năm {year}.",
                       f"No member disciplined at '{level.value}' level or above in {year}.")
    return Outcome(CheckStatus.NOT_MET, f"{len(found)} cá nhân bị kỷ luật từ mức «{level.value}» trở lên năm {year}.",
                   f"{len(found)} member(s) disciplined at '{level.value}' level or above in {year}.",
                   tuple(f"discipline:{d.ref}" for ds in found.values() for d in ds))


def judgement(params: Mapping[str, object], year: int, facts: Facts) -> Outcome:
    return Outcome(CheckStatus.JUDGEMENT, "Cán bộ, Hội đồng đánh giá tiêu chí này.", "The officer and the council judge this criterion.")


RULES: dict[str, Callable[[Mapping[str, object], int, Facts], Outcome]] = {
    "leads_cluster": leads_cluster, "task_rating": task_rating, "holds_award": holds_award,
    "consecutive_awards": consecutive_awards, "initiative": initiative, "no_discipline": no_discipline,
    "members_share_with_award": members_share_with_award, "members_all_rated": members_all_rated,
    "members_with_award": members_with_award, "members_no_discipline": members_no_discipline, "judgement": judgement,
}
