"""The awards service's pure rules: rule sets as data, explained eligibility, the dossier's path,
quotas, ballots (tally, the sealed box), working days with Tết, the statistical forms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua_shared.errors import Conflict, Invalid
from thidua_shared.events.awards import (
    CheckStatus,
    Choice,
    DisciplineLevel,
    InitiativeLevel,
    NominationSnapshot,
    NominationState,
    Subject,
    SubjectKind,
    TaskRating,
    VoteBasis,
    VoteRule,
)
from thidua_shared.events.campaigns import CampaignSnapshot

from thidua_awards.domain import ballots, eligibility, model, reports
from thidua_awards.domain.eligibility import Discipline, Facts, Initiative, SubjectFacts
from thidua_awards.domain.rulesets import CRITERION_RULES, Quota, all_rulesets, award_rule, rule_in_force, ruleset
from thidua_awards.domain.workdays import is_working_day, last_working_day, skipped_days

YEAR = 2026


# --- rule sets ------------------------------------------------------------------------------------------
def test_the_rule_sets_load_are_picked_by_date_and_name_only_known_rules():
    assert {s.id for s in all_rulesets()} == {"law_06_2022_decree_98_2023", "decree_152_2025", "vca"}
    assert set(eligibility.RULES) | {"any_of"} == set(CRITERION_RULES)
    assert rule_in_force("chien_si_thi_dua_co_so", date(2024, 3, 1))[0].id == "law_06_2022_decree_98_2023"
    assert rule_in_force("chien_si_thi_dua_co_so", date(2025, 7, 1))[0].id == "decree_152_2025"
    assert rule_in_force("co_thi_dua_lmhtx_vn", date(2017, 12, 7))[0].id == "vca"
    with pytest.raises(Invalid, match="No rule set in force on 31/12/2023"):
        rule_in_force("chien_si_thi_dua_co_so", date(2023, 12, 31))
    with pytest.raises(Invalid, match="There is no award 'huy_chuong_olympic'"):
        rule_in_force("huy_chuong_olympic", date(2026, 1, 1))
    flag = award_rule("vca", "co_thi_dua_lmhtx_vn")
    assert [c.rule for c in flag.criteria] == ["leads_cluster"] and flag.quota and flag.quota.max == 1
    government = award_rule("decree_152_2025", "co_thi_dua_chinh_phu")
    assert government.quota and government.quota.share == Decimal("0.2") and government.posting.working_days == 10
    assert not ruleset("decree_152_2025").settled  # its text is not in the sources: marked, not invented
    assert all(not a.vote.settled for s in all_rulesets() for a in s.awards)  # no threshold is claimed from a source that lacks it
    needs_certificate = award_rule("law_06_2022_decree_98_2023", "chien_si_thi_dua_cap_bo_tinh").required_documents()
    assert "initiative_certificate" in needs_certificate


# --- eligibility ------------------------------------------------------------------------------------------------
def person(**facts: object) -> Facts:
    return Facts(SubjectKind.PERSON, SubjectFacts(**facts))  # type: ignore[arg-type]


def checks_of(award: str, facts: Facts, rules_id: str = "law_06_2022_decree_98_2023") -> dict[str, CheckStatus]:
    return {c.criterion: c.status for c in eligibility.evaluate(ruleset(rules_id), award_rule(rules_id, award), YEAR, facts)}


def test_a_person_without_the_advanced_worker_title_is_not_a_grassroots_fighter_and_is_told_why():
    facts = person(ratings={YEAR: TaskRating.EXCELLENT})
    found = eligibility.evaluate(ruleset("law_06_2022_decree_98_2023"), award_rule("law_06_2022_decree_98_2023", "chien_si_thi_dua_co_so"), YEAR, facts)
    by_id = {c.criterion: c for c in found}
    assert by_id["advanced_worker"].status is CheckStatus.NOT_MET
    assert by_id["advanced_worker"].explanation_vi.startswith("Cần 1 năm có (lao_dong_tien_tien)")
    assert by_id["excellence_or_initiative"].status is CheckStatus.MET
    assert eligibility.verdict(found) is False
    held = person(ratings={YEAR: TaskRating.GOOD}, awards={YEAR: {"lao_dong_tien_tien": "15/QĐ"}},
                  initiatives=[Initiative(InitiativeLevel.GRASSROOTS, YEAR, "i1")])
    assert set(checks_of("chien_si_thi_dua_co_so", held).values()) == {CheckStatus.MET}  # an initiative instead of excellence


def test_three_consecutive_titles_and_a_provincial_initiative_make_a_ministry_level_fighter():
    titles = {y: {"chien_si_thi_dua_co_so": f"d{y}"} for y in (YEAR - 2, YEAR - 1, YEAR)}
    gap = {y: v for y, v in titles.items() if y != YEAR - 1}
    initiative = [Initiative(InitiativeLevel.PROVINCIAL, YEAR - 1, "i")]
    assert set(checks_of("chien_si_thi_dua_cap_bo_tinh", person(awards=titles, initiatives=initiative)).values()) == {CheckStatus.MET}
    assert checks_of("chien_si_thi_dua_cap_bo_tinh", person(awards=gap, initiatives=initiative))["three_grassroots_titles"] is CheckStatus.NOT_MET
    grassroots_only = [Initiative(InitiativeLevel.GRASSROOTS, YEAR, "i")]
    assert checks_of("chien_si_thi_dua_cap_bo_tinh", person(awards=titles, initiatives=grassroots_only))["initiative_provincial"] is CheckStatus.NOT_MET


def test_discipline_and_investigation_bar_a_title_and_a_collective_is_judged_on_its_people():
    warned = person(ratings={YEAR: TaskRating.GOOD}, disciplines=[Discipline(DisciplineLevel.WARNING, date(YEAR, 3, 1), date(YEAR, 9, 1), "k")])
    assert checks_of("lao_dong_tien_tien", warned)["no_discipline"] is CheckStatus.NOT_MET
    investigated = person(ratings={YEAR: TaskRating.GOOD}, disciplines=[Discipline(DisciplineLevel.INVESTIGATION, date(YEAR - 3, 1, 1), None, "d")])
    assert checks_of("lao_dong_tien_tien", investigated)["no_discipline"] is CheckStatus.NOT_MET
    past = person(ratings={YEAR: TaskRating.GOOD}, disciplines=[Discipline(DisciplineLevel.WARNING, date(YEAR - 2, 1, 1), date(YEAR - 1, 6, 1), "o")])
    assert checks_of("lao_dong_tien_tien", past)["no_discipline"] is CheckStatus.MET

    members = {f"p{i}": SubjectFacts(awards={YEAR: {"lao_dong_tien_tien": "x"}} if i < 7 else {}) for i in range(10)}
    collective = Facts(SubjectKind.UNIT, SubjectFacts(ratings={YEAR: TaskRating.GOOD}), members)
    assert set(checks_of("tap_the_lao_dong_tien_tien", collective).values()) == {CheckStatus.MET}  # 7 of 10 = 70%
    members["p6"] = SubjectFacts()
    assert checks_of("tap_the_lao_dong_tien_tien", collective)["advanced_members"] is CheckStatus.NOT_MET
    members["p0"] = SubjectFacts(awards={YEAR: {"lao_dong_tien_tien": "x"}},
                                 disciplines=[Discipline(DisciplineLevel.REPRIMAND, date(YEAR, 5, 1), None, "r")])
    assert checks_of("tap_the_lao_dong_tien_tien", collective)["members_no_warning"] is CheckStatus.MET  # a reprimand is below a warning
    nobody = Facts(SubjectKind.UNIT, SubjectFacts(ratings={YEAR: TaskRating.GOOD}))
    assert checks_of("tap_the_lao_dong_tien_tien", nobody)["advanced_members"] is CheckStatus.JUDGEMENT  # no people: cannot be computed


def test_leading_a_cluster_shared_first_place_and_unsettled_criteria():
    leader = Facts(SubjectKind.UNIT, SubjectFacts(led={YEAR: ["r1"]}))
    found = eligibility.evaluate(ruleset("vca"), award_rule("vca", "co_thi_dua_lmhtx_vn"), YEAR, leader)
    assert found[0].status is CheckStatus.MET and found[0].evidence == ["ranking:r1"]
    tied = Facts(SubjectKind.UNIT, SubjectFacts(tied_first={YEAR: ["r1"]}))
    assert checks_of("co_thi_dua_lmhtx_vn", tied, "vca")["leads_cluster"] is CheckStatus.JUDGEMENT  # a ballot settles it, not the system
    assert checks_of("co_thi_dua_lmhtx_vn", Facts(SubjectKind.UNIT, SubjectFacts()), "vca")["leads_cluster"] is CheckStatus.NOT_MET
    # The VCA's certificate of merit: its task criterion is unsettled, so failing it leaves a judgement, not a refusal.
    unrated = checks_of("bang_khen_lmhtx_vn", Facts(SubjectKind.UNIT, SubjectFacts()), "vca")
    assert unrated["task_good"] is CheckStatus.JUDGEMENT and "no_discipline" not in unrated  # that one is for people only
    assert checks_of("lao_dong_tien_tien", person(ratings={YEAR: TaskRating.GOOD}), "decree_152_2025")["ruleset"] is CheckStatus.JUDGEMENT


# --- the dossier's path and quotas --------------------------------------------------------------------------------
def nomination(state: NominationState, eligible: bool | None = True) -> NominationSnapshot:
    return NominationSnapshot(id="n", node="vn", award_code="co_thi_dua_lmhtx_vn", ruleset_id="vca", year=YEAR,
                              subject=Subject(kind=SubjectKind.UNIT, id="u"), subject_name="U", proposer_unit_id="p", to_unit_id="t",
                              source="manual", state=state, eligible=eligible)


def test_the_path_refuses_steps_out_of_order_and_returns_need_a_reason():
    assert model.next_state(nomination(NominationState.DRAFTED), "submit") is NominationState.SUBMITTED
    assert model.next_state(nomination(NominationState.RETURNED), "submit") is NominationState.SUBMITTED
    with pytest.raises(Conflict, match="'Approval' is not possible now"):
        model.next_state(nomination(NominationState.CHECKED), "approve")
    with pytest.raises(Invalid, match="needs a reason"):
        model.next_state(nomination(NominationState.RECEIVED), "return")
    with pytest.raises(Conflict, match="not found eligible"):
        model.ensure_may_go_to_council(nomination(NominationState.CHECKED, eligible=None))
    with pytest.raises(Conflict, match="not over"):
        model.ensure_posting_closed(True, date(YEAR, 12, 8), date(YEAR, 12, 8))
    model.ensure_posting_closed(True, date(YEAR, 12, 8), date(YEAR, 12, 9))


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=500))
@settings(max_examples=80, deadline=None)
def test_a_share_quota_is_never_exceeded(leaders: int, used: int):
    quota = Quota(kind="share_of_cluster_leaders", share=Decimal("0.2"))
    limit = model.quota_limit(quota, leaders)
    assert limit >= 1 and (leaders < 5 or limit <= leaders * Decimal("0.2"))
    award = award_rule("decree_152_2025", "co_thi_dua_chinh_phu")
    if used >= limit:
        with pytest.raises(Conflict, match="quota"):
            model.ensure_within_quota(quota, used, limit, award)
    else:
        model.ensure_within_quota(quota, used, limit, award)


# --- ballots ---------------------------------------------------------------------------------------------------
RULE = VoteRule(threshold=Decimal("0.7"), basis=VoteBasis.ALL, quorum=Decimal("0.67"))


def test_the_tally_follows_threshold_basis_and_quorum():
    def counts(yes: int, no: int) -> list[dict[Choice, int]]:
        return [{Choice.YES: yes, Choice.NO: no, Choice.ABSTAIN: 0}]

    tallies, quorum = ballots.tally(counts(7, 2), ["a"], eligible=10, voted=9, rule=RULE)
    assert quorum and tallies[0].yes == 7 and tallies[0].passed and tallies[0].share == Decimal("0.7000")  # 7 of all 10
    tallies, _ = ballots.tally(counts(6, 2), ["a"], eligible=10, voted=8, rule=RULE)
    assert not tallies[0].passed  # 6 of 10
    present = RULE.model_copy(update={"basis": VoteBasis.PRESENT})
    assert ballots.tally(counts(6, 2), ["a"], eligible=10, voted=8, rule=present)[0][0].passed  # 6 of the 8 who voted = 75%
    tallies, quorum = ballots.tally(counts(5, 0), ["a"], eligible=10, voted=5, rule=present)
    assert quorum is False and tallies[0].yes == 5 and not tallies[0].passed  # 5 of 10 voted: no quorum, nothing passes


@given(st.permutations(range(8)))
@settings(max_examples=40, deadline=None)
def test_the_box_digest_depends_on_the_receipts_not_on_the_order_of_casting(order: list[int]):
    receipts = [f"{i:064x}" for i in range(8)]
    cast = ballots.BoxDigest()
    for receipt in sorted(receipts[i] for i in order):  # the box is read in receipt order, whatever the casting order
        cast.add(receipt)
    expected = ballots.BoxDigest()
    for receipt in receipts:
        expected.add(receipt)
    assert cast.hexdigest() == expected.hexdigest()


def test_a_committee_decrypts_by_majority_by_default():
    assert [ballots.default_threshold(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]


# --- working days ------------------------------------------------------------------------------------------------
def test_a_posting_window_skips_weekends_and_tet():
    # From Monday 01/02/2027, ten working days: 1–3 February, then Tết (4–10 February, with the weekend), 11–19 February.
    assert last_working_day(date(2027, 2, 1), 10) == date(2027, 2, 19)
    assert not is_working_day(date(2027, 2, 8)) and not is_working_day(date(2027, 2, 6)) and is_working_day(date(2027, 2, 11))
    skipped = dict(skipped_days(date(2027, 2, 1), date(2027, 2, 19)))
    assert "Lunar New Year" in skipped[date(2027, 2, 6)] and skipped[date(2027, 2, 13)] == "Thứ Bảy"
    assert last_working_day(date(2026, 4, 29), 3) == date(2026, 5, 5)  # 30/4 and 1/5 are holidays, then the weekend


# --- statistical forms -----------------------------------------------------------------------------------------------
def campaign(kind: str, start: str, end: str, clusters: list[str] | None = None) -> CampaignSnapshot:
    return CampaignSnapshot.model_validate({
        "id": "c", "issuer_unit_id": "vca", "letter_number": None, "letter_date": None, "title": "t", "theme": None, "kind": kind,
        "period_start": start, "period_end": end, "registration_deadline": None, "scale": 100,
        "scope": {"cluster_ids": clusters or []}, "sections": [], "milestones": [], "awards": [], "attachments": [],
        "indicators": [{"code": "1", "title": "x", "kind": "achieved", "max_points": 100}], "parent_id": None, "status": "launched", "revision": 0,
    })


def test_the_forms_are_data_and_their_cells_count_what_both_filters_let_through():
    records = [
        reports.campaign_record(campaign("regular_movement", "2026-01-01", "2026-12-31"), "national_alliance"),
        reports.campaign_record(campaign("special_campaign", "2026-03-01", "2026-06-30"), "provincial_alliance"),
        reports.campaign_record(campaign("thematic", "2022-06-16", "2030-12-31", ["k"]), "national_alliance"),
    ]
    assert [r["duration"] for r in records] == ["1", "under_1", "5_plus"] and records[2]["scope"] == "cluster"
    form = reports.form("0601")
    cells = reports.compute(form, records)
    labels = [c.label for _, c in form.flat_columns()]
    total = dict(zip(labels, cells[0], strict=True))
    assert total["Tổng số"] == 3 and total["Thường xuyên hằng năm"] == 1 and total["Theo chuyên đề, đợt"] == 2
    assert dict(zip(labels, cells[1], strict=True))["Tổng số"] == 2  # launched by the centre
    awards = reports.award_records([("co_thi_dua_chinh_phu", "unit", "regular")], [("co_thi_dua_chinh_phu", "unit", "regular")])
    state = reports.compute(reports.form("0602"), awards)
    assert state[0][0] == 1 and state[2][3] == 1 and state[1] == [0] * len(state[1])
