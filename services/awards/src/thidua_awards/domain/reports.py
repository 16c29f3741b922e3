"""The statistical forms of Circular 02/2023/TT-BNV as data, and how their cells are counted. Pure.

A form (thidua_awards/reports/*.yaml) names its dataset and lists rows and columns, each with a
filter (field → value or values). A cell counts the dataset's records that both its row's and
its column's filters let through. Records are plain dicts made from campaigns (0601) or from
nominations and decisions (0602, 0603) by the service layer. A newer circular changes the files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from thidua_shared.errors import NotFound
from thidua_shared.events.campaigns import CampaignKind, CampaignSnapshot

FORMS_DIR = Path(__file__).resolve().parent.parent / "reports"
Filter = dict[str, str | list[str]]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Line(Strict):
    label: str
    filter: Filter = Field(default_factory=dict)


class ColumnGroup(Strict):
    group: str
    columns: list[Line]


class Form(Strict):
    id: str
    code: str
    title: str
    dataset: Literal["campaigns", "awards"]
    level: Literal["state", "organisation"] | None = None
    unit_label: str
    rows: list[Line]
    columns: list[Line | ColumnGroup]

    def flat_columns(self) -> list[tuple[str | None, Line]]:
        """(group or None, column), left to right."""
        flat: list[tuple[str | None, Line]] = []
        for column in self.columns:
            flat += [(column.group, line) for line in column.columns] if isinstance(column, ColumnGroup) else [(None, column)]
        return flat


@cache
def forms() -> dict[str, Form]:
    found = {}
    for path in sorted(FORMS_DIR.glob("*.yaml")):
        form = Form.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        found[form.id] = form
    return found


def form(form_id: str) -> Form:
    found = forms().get(form_id.split(".")[0])
    if found is None:
        raise NotFound("report_form_not_found", ref=form_id)
    return found


def _matches(record: Mapping[str, Any], wanted: Filter) -> bool:
    for name, value in wanted.items():
        allowed = value if isinstance(value, list) else [value]
        if str(record.get(name)) not in allowed:
            return False
    return True


def compute(form: Form, records: Sequence[Mapping[str, Any]]) -> list[list[int]]:
    """The form's cells, row by row (one pass per row over the records that row lets through)."""
    columns = form.flat_columns()
    table = []
    for row in form.rows:
        kept = [r for r in records if _matches(r, row.filter)]
        table.append([sum(1 for r in kept if _matches(r, column.filter)) for _, column in columns])
    return table


# --- the datasets' records --------------------------------------------------------------------------------------
LEVELS = {"national_alliance": "central", "provincial_alliance": "province"}


def campaign_record(campaign: CampaignSnapshot, issuer_kind: str | None) -> dict[str, Any]:
    """0601's view of a campaign: who launched it, over what, for how long, how."""
    level = LEVELS.get(issuer_kind or "", "agency")
    if campaign.scope.cluster_ids:
        scope = "cluster"
    elif level == "central" and not campaign.scope.province_codes:
        scope = "national"
    elif level in ("central", "province"):
        scope = "locality"
    else:
        scope = "agency"
    method = "regular" if campaign.kind is CampaignKind.REGULAR_MOVEMENT else "thematic"
    return {"level": level, "scope": scope, "duration": _duration(campaign.period_start, campaign.period_end), "method": method}


def _duration(start: date | None, end: date | None) -> str:
    if start is None or end is None:
        return "5_plus"  # a movement with no end: a standing one
    months = (end.year - start.year) * 12 + (end.month - start.month) + (1 if end.day >= start.day else 0)
    if months < 12:
        return "under_1"
    if months == 12:
        return "1"
    if months <= 36:
        return "1_3"
    if months < 60:
        return "3_5"
    return "5_plus"


def award_records(proposed: Iterable[tuple[str, str, str]], awarded: Iterable[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """0602/0603's records: (report group, subject kind, commendation type) per nomination proposed and per award decided."""
    return [*({"stage": "proposed", "group": g, "subject": s, "type": t} for g, s, t in proposed),
            *({"stage": "awarded", "group": g, "subject": s, "type": t} for g, s, t in awarded)]
