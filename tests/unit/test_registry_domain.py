"""Registry rules, without any I/O."""

from __future__ import annotations

from datetime import date

import pytest

from thidua_shared.errors import Conflict, Invalid
from thidua_shared.events.registry import ClusterKind, UnitKind, UnitStatus
from thidua_shared.i18n import format_date

from thidua_registry.domain import model
from thidua_registry.domain.model import Cluster, Unit

VCA = Unit("vca", "VCA", "Liên minh Hợp tác xã Việt Nam", UnitKind.NATIONAL_ALLIANCE, None, None)
YEN_BAI = Unit("yb", "LMHTX-15", "Liên minh HTX tỉnh Yên Bái", UnitKind.PROVINCIAL_ALLIANCE, "vca", "15")
LAO_CAI = Unit("lc", "LMHTX-10", "Liên minh HTX tỉnh Lào Cai", UnitKind.PROVINCIAL_ALLIANCE, "vca", "10")
COOP = Unit("c1", "HTX-15-A", "HTX Nông nghiệp Văn Chấn", UnitKind.COOPERATIVE, "yb", "15")


def test_codes_are_normalised_and_checked() -> None:
    assert model.normalize_code(" lmhtx-48 ") == "LMHTX-48"
    with pytest.raises(Invalid) as error:
        model.normalize_code("mã có dấu")
    assert error.value.code == "unit_code_invalid"


def test_search_key_folds_vietnamese_diacritics() -> None:
    assert model.search_key("Liên minh HTX thành phố Hải Phòng") == "lien minh htx thanh pho hai phong"
    assert model.search_key("Đà Nẵng") == model.search_key("da nang")


def test_only_the_national_alliance_is_a_root() -> None:
    model.check_placement(UnitKind.NATIONAL_ALLIANCE, None)
    with pytest.raises(Invalid, match="parent"):
        model.check_placement(UnitKind.COOPERATIVE, None)
    with pytest.raises(Invalid):
        model.check_placement(UnitKind.NATIONAL_ALLIANCE, VCA)


def test_a_merged_parent_is_refused_with_its_status() -> None:
    merged = model.merge(YEN_BAI, LAO_CAI, ["lc", "vca"], date(2025, 7, 1))
    with pytest.raises(Conflict) as error:
        model.check_placement(UnitKind.COOPERATIVE, merged)
    assert error.value.code == "unit_not_active"


def test_cycles_are_refused() -> None:
    with pytest.raises(Invalid) as error:
        model.check_no_cycle(YEN_BAI, COOP, ["c1", "yb", "vca"])
    assert error.value.code == "hierarchy_cycle"
    model.check_no_cycle(COOP, LAO_CAI, ["lc", "vca"])


def test_merge_keeps_identity_and_points_to_the_successor() -> None:
    merged = model.merge(YEN_BAI, LAO_CAI, ["lc", "vca"], date(2025, 7, 1))
    assert (merged.id, merged.code, merged.status, merged.successor_id) == ("yb", "LMHTX-15", UnitStatus.MERGED, "lc")
    with pytest.raises(Conflict) as error:
        merged.ensure_active("LMHTX-10")
    assert error.value.code == "unit_merged_into"
    assert "LMHTX-10" in error.value.message("vi") and "01/07/2025" in error.value.message("vi")


def test_merge_refuses_self_descendants_and_inactive_units() -> None:
    with pytest.raises(Invalid):
        model.merge(YEN_BAI, YEN_BAI, ["yb", "vca"], date(2025, 7, 1))
    with pytest.raises(Invalid) as error:
        model.merge(YEN_BAI, COOP, ["c1", "yb", "vca"], date(2025, 7, 1))
    assert error.value.code == "merge_into_descendant"
    merged = model.merge(YEN_BAI, LAO_CAI, ["lc", "vca"], date(2025, 7, 1))
    with pytest.raises(Conflict):
        model.merge(merged, LAO_CAI, ["lc", "vca"], date(2025, 8, 1))


def test_dissolving_needs_no_active_children() -> None:
    with pytest.raises(Conflict) as error:
        model.dissolve(YEN_BAI, 3, date(2026, 1, 1))
    assert error.value.params["count"] == 3
    assert model.dissolve(COOP, 0, date(2026, 1, 1)).status is UnitStatus.DISSOLVED


def test_membership_change_lists_added_and_removed() -> None:
    change = model.change_membership({"yb", "lc"}, [LAO_CAI, COOP])
    assert change.members == ["c1", "lc"] and change.added == ["c1"] and change.removed == ["yb"]
    with pytest.raises(Invalid):
        model.change_membership(set(), [COOP, COOP])
    merged = model.merge(YEN_BAI, LAO_CAI, ["lc", "vca"], date(2025, 7, 1))
    with pytest.raises(Invalid) as error:
        model.change_membership(set(), [merged])
    assert error.value.code == "member_not_active"


CITIES = Cluster("k5", "CUM-5TP", "Cụm thi đua 05 thành phố trực thuộc trung ương", ClusterKind.CLUSTER, "vca")


def test_leader_must_be_a_member_of_that_year() -> None:
    with pytest.raises(Invalid) as error:
        model.elect_leader(CITIES, 2018, {"lc"}, YEN_BAI, None, None, None)
    assert error.value.code == "leader_not_member"
    election = model.elect_leader(CITIES, 2018, {"lc", "yb"}, YEN_BAI, LAO_CAI, None, date(2017, 12, 7))
    assert (election.leader_unit_id, election.deputy_unit_id) == ("yb", "lc")


def test_one_leader_per_cluster_year_and_deputy_differs() -> None:
    with pytest.raises(Conflict) as error:
        model.elect_leader(CITIES, 2018, {"yb"}, YEN_BAI, None, "LMHTX-48", None)
    assert error.value.code == "leader_already_elected"
    with pytest.raises(Invalid):
        model.elect_leader(CITIES, 2018, {"yb"}, YEN_BAI, YEN_BAI, None, None)
    with pytest.raises(Invalid):
        model.elect_leader(CITIES, 1800, {"yb"}, YEN_BAI, None, None, None)


def test_national_id_is_kept_only_as_a_keyed_digest() -> None:
    digest = model.national_id_digest("001 085 012 345", b"k" * 32)
    assert digest == model.national_id_digest("001085012345", b"k" * 32)
    assert "001085012345" not in digest
    assert digest != model.national_id_digest("001085012345", b"x" * 32)
    with pytest.raises(Invalid):
        model.national_id_digest("12345", b"k" * 32)


def test_dates_read_the_vietnamese_way() -> None:
    assert format_date(date(2013, 10, 13)) == "13/10/2013"
    assert format_date(date(2013, 10, 13), "en") == "2013-10-13"
