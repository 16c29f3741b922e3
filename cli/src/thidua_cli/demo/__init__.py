"""`thidua demo`: load the demo tree and campaigns through the services' APIs, so every step is an event."""

from __future__ import annotations

import time

from thidua_cli.client import Context, ServiceClient
from thidua_cli.demo.campaigns import NINH_BINH_ADOPTION, VCA_2013, VCA_DOAN_KET_SANG_TAO, YEN_BAI_2019
from thidua_cli.demo.data import (
    CLUSTERS,
    COOPERATIVES,
    FORMER_NAMES,
    MERGER_DATE,
    MERGER_REASON,
    PEOPLE,
    PROVINCES,
    VCA,
    VCA_DEPARTMENTS,
    alliance_code,
    alliance_name,
)


def load_demo(ctx: Context) -> None:
    registry = ctx.client("registry")
    if registry.call("GET", f"/units/{VCA[0]}", ok_statuses=(404,)) is not None:
        ctx.say("demo_exists")
        return
    units = _load_units(ctx, registry)
    clusters = _load_clusters(ctx, registry)
    people = _load_people(ctx, registry)
    campaigns = _load_campaigns(ctx, ctx.client("campaigns"))
    _merge_provinces(ctx, registry)  # last: what former provinces did exists before the merger
    ctx.say("demo_done", units=units, clusters=clusters, people=people)
    ctx.say("demo_campaigns_done", campaigns=campaigns)


def _add(registry: ServiceClient, code: str, name: str, kind: str, parent: str | None = None, province: str | None = None) -> None:
    registry.call("POST", "/units", json={"code": code, "name": name, "kind": kind, "parent": parent, "province_code": province})


def _load_units(ctx: Context, registry: ServiceClient) -> int:
    ctx.say("demo_step", what=VCA[1])
    _add(registry, VCA[0], VCA[1], "national_alliance")
    for code, name, kind in VCA_DEPARTMENTS:
        _add(registry, code, name, kind, VCA[0])
    count = 1 + len(VCA_DEPARTMENTS)
    ctx.say("demo_step", what="63 → 34 Liên minh HTX tỉnh, thành phố")
    for code, name, place, former in PROVINCES:
        old_name, old_place = FORMER_NAMES.get(code, (name, place))
        _add(registry, alliance_code(code), alliance_name(old_name, old_place), "provincial_alliance", VCA[0], code)
        if (old_name, old_place) != (name, place):
            registry.call("PATCH", f"/units/{alliance_code(code)}", json={"name": alliance_name(name, place)})
        for old_code, old, old_kind in former:
            _add(registry, alliance_code(old_code), alliance_name(old, old_kind), "provincial_alliance", VCA[0], old_code)
        count += 1 + len(former)
    for code, name, kind, province in COOPERATIVES:
        _add(registry, code, name, kind, alliance_code(province), province)
    return count + len(COOPERATIVES)


def _merge_provinces(ctx: Context, registry: ServiceClient) -> None:
    ctx.say("demo_step", what="hợp nhất ngày 01/07/2025 / merger of 1 July 2025")
    for code, _name, _place, former in PROVINCES:
        for old_code, _old, _kind in former:
            registry.call("POST", f"/units/{alliance_code(old_code)}/merge",
                          json={"successor": alliance_code(code), "effective_date": MERGER_DATE, "reason": MERGER_REASON})


def _load_clusters(ctx: Context, registry: ServiceClient) -> int:
    for code, name, kind, owner, years in CLUSTERS:
        ctx.say("demo_step", what=name)
        registry.call("POST", "/clusters", json={"code": code, "name": name, "kind": kind, "owner": owner})
        for year, (members, leader, deputy, elected_on) in sorted(years.items()):
            registry.call("PUT", f"/clusters/{code}/members/{year}", json={"units": members})
            registry.call("POST", f"/clusters/{code}/leaders/{year}", json={"leader": leader, "deputy": deputy, "elected_on": elected_on})
    return len(CLUSTERS)


def _load_people(ctx: Context, registry: ServiceClient) -> int:
    for unit, full_name, position in PEOPLE:
        registry.call("POST", "/people", json={"unit": unit, "full_name": full_name, "position": position})
    return len(PEOPLE)


def _when_replicated(campaigns: ServiceClient, method: str, path: str, body: dict) -> dict:
    """The campaigns service learns units and tokens from registry events: wait for it to catch up."""
    deadline = time.monotonic() + 60
    while True:
        result = campaigns.call(method, path, json=body, ok_statuses=(401, 404) if time.monotonic() < deadline else ())
        if result is not None:
            return result
        time.sleep(0.3)


def _load_campaigns(ctx: Context, campaigns: ServiceClient) -> int:
    ctx.say("demo_step", what="121/LMHTXVN-TĐKT, 252/LMHTX-PTĐTĐ, 396/LMHTXVN-TTTT")
    vca_2013 = _when_replicated(campaigns, "POST", "/campaigns", VCA_2013)
    yen_bai = _when_replicated(campaigns, "POST", "/campaigns", YEN_BAI_2019)
    national = _when_replicated(campaigns, "POST", "/campaigns", VCA_DOAN_KET_SANG_TAO)
    for campaign in (vca_2013, yen_bai, national):
        campaigns.call("POST", f"/campaigns/{campaign['id']}/launch")
    for finished in (vca_2013, yen_bai):
        campaigns.call("POST", f"/campaigns/{finished['id']}/close")
    ninh_binh = campaigns.call("POST", f"/campaigns/{national['id']}/adopt", json=NINH_BINH_ADOPTION)
    campaigns.call("POST", f"/campaigns/{ninh_binh['id']}/launch")
    for unit in ("HTX-37-KHANHTHIEN", "HTX-37-GOMDAI"):
        campaigns.call("POST", f"/campaigns/{ninh_binh['id']}/registrations",
                       json={"unit": unit, "titles": ["Tập thể lao động tiên tiến"], "targets": [{"indicator_code": "III", "target": 8}]})
    pledge = campaigns.call("POST", "/pledges", json={
        "cluster": "CUM-TP-TRUNG-UONG", "year": 2026, "title": "Giao ước thi đua năm 2026",
        "text": "Các Liên minh HTX thành phố trực thuộc trung ương cam kết thực hiện các chỉ tiêu thi đua năm 2026.",
    })
    for unit in ("LMHTX-01", "LMHTX-46"):
        campaigns.call("POST", f"/pledges/{pledge['id']}/sign", json={"unit": unit})
    return 4
