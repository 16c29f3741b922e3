"""`thidua demo`: load the demo tree and campaigns through the services' APIs, so every step is an event.

Every step does what is missing and passes over what is there, so a run that was cut off
is completed by the next one (a second run changes nothing). Before the campaigns service
is asked about units, the loader waits until it has caught up with the registry: by the
consumer lag that both services report in /health, never by sleeping a guessed time.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from thidua_cli import ballot_client
from thidua_cli.client import Context, ServiceClient
from thidua_cli.demo.campaigns import NINH_BINH_ADOPTION, VCA_2013, VCA_DOAN_KET_SANG_TAO, YEN_BAI_2019
from thidua_cli.demo.awards import BALLOT_TITLE, CITIES, DECISION, FLAG, MEETING_ON, OFFICER, PLEDGE_2018, SUMMARIES, TELLERS, VOTES
from thidua_cli.demo.scoring import (
    CITIES_2017,
    HAI_PHONG_2017,
    HAI_PHONG_BLOCK,
    RESULTS_HAI_PHONG,
    results_hai_phong,
    DEDUCTIONS_2017,
    LATE_2017,
    LATE_YEN_BAI,
    RESULTS_2017,
    RESULTS_YEN_BAI,
    VCA_2017,
    YEN_BAI_PLEDGE,
    results_2017,
    results_yen_bai,
)
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

REPLICATION_TIMEOUT = 300.0
DEMO_PDF = b"%PDF-1.4\n% Thi Dua demo: a stand-in for the signed document\n"  # a loaded laptop catches up in seconds; this bounds a stuck system


def load_demo(ctx: Context) -> None:
    loader = DemoLoader(ctx)
    units = loader.units()
    clusters = loader.clusters()
    people = loader.people()
    loader.wait_for_replicas()
    campaigns = loader.campaigns()
    loader.wait_for_replicas()
    leader_2017 = loader.scoring()
    loader.wait_for_replicas()
    flagged = loader.awards()
    loader.mergers()  # last: what former provinces did exists before the merger
    ctx.say("demo_done", units=units, clusters=clusters, people=people)
    ctx.say("demo_campaigns_done", campaigns=campaigns)
    ctx.say("demo_scoring_done", leader=leader_2017)
    ctx.say("demo_awards_done", names=", ".join(flagged))


class DemoLoader:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.registry = ctx.client("registry")
        self.campaigns_client = ctx.client("campaigns")
        self.scoring_client = ctx.client("scoring")
        self.awards_client = ctx.client("awards")

    # --- the registry ------------------------------------------------------------------
    def _unit(self, code: str, name: str, kind: str, parent: str | None = None, province: str | None = None) -> None:
        self.registry.call("POST", "/units", json={"code": code, "name": name, "kind": kind, "parent": parent, "province_code": province},
                           tolerate=("unit_code_taken",))

    def units(self) -> int:
        self.ctx.say("demo_step", what=VCA[1])
        self._unit(VCA[0], VCA[1], "national_alliance")
        for code, name, kind in VCA_DEPARTMENTS:
            self._unit(code, name, kind, VCA[0])
        count = 1 + len(VCA_DEPARTMENTS)
        self.ctx.say("demo_step", what="63 → 34 Liên minh HTX tỉnh, thành phố")
        for code, name, place, former in PROVINCES:
            old_name, old_place = FORMER_NAMES.get(code, (name, place))
            self._unit(alliance_code(code), alliance_name(old_name, old_place), "provincial_alliance", VCA[0], code)
            if (old_name, old_place) != (name, place):
                self.registry.call("PATCH", f"/units/{alliance_code(code)}", json={"name": alliance_name(name, place)},
                                   tolerate=("nothing_to_change",))
            for old_code, old, old_kind in former:
                self._unit(alliance_code(old_code), alliance_name(old, old_kind), "provincial_alliance", VCA[0], old_code)
            count += 1 + len(former)
        for code, name, kind, province in COOPERATIVES:
            self._unit(code, name, kind, alliance_code(province), province)
        return count + len(COOPERATIVES)

    def clusters(self) -> int:
        for code, name, kind, owner, years in CLUSTERS:
            self.ctx.say("demo_step", what=name)
            self.registry.call("POST", "/clusters", json={"code": code, "name": name, "kind": kind, "owner": owner},
                               tolerate=("cluster_code_taken",))
            for year, (members, leader, deputy, elected_on) in sorted(years.items()):
                self.registry.call("PUT", f"/clusters/{code}/members/{year}", json={"units": members}, tolerate=("nothing_to_change",))
                self.registry.call("POST", f"/clusters/{code}/leaders/{year}",
                                   json={"leader": leader, "deputy": deputy, "elected_on": elected_on}, tolerate=("leader_already_elected",))
        return len(CLUSTERS)

    def people(self) -> int:
        for unit, full_name, position in PEOPLE:
            known = self.registry.call("GET", "/people", params={"unit": unit, "q": full_name})
            if not any(p["full_name"] == full_name for p in known):
                self.registry.call("POST", "/people", json={"unit": unit, "full_name": full_name, "position": position})
        return len(PEOPLE)

    def mergers(self) -> None:
        self.ctx.say("demo_step", what="hợp nhất ngày 01/07/2025 / merger of 1 July 2025")
        for code, _name, _place, former in PROVINCES:
            for old_code, _old, _kind in former:
                self.registry.call("POST", f"/units/{alliance_code(old_code)}/merge", tolerate=("unit_merged_into",),
                                   json={"successor": alliance_code(code), "effective_date": MERGER_DATE, "reason": MERGER_REASON})

    # --- waiting for the services' replicas ---------------------------------------------------
    def wait_for_replicas(self) -> None:
        """Until every service has published what it committed and applied what the others published."""
        self.ctx.say("demo_waiting")
        deadline = time.monotonic() + REPLICATION_TIMEOUT
        while not self._caught_up():
            if time.monotonic() > deadline:
                raise self.ctx.fail("demo_replicas_stuck", seconds=int(REPLICATION_TIMEOUT))
            time.sleep(0.2)  # between two readings of the lag, not instead of them

    def _caught_up(self) -> bool:
        for client in (self.registry, self.campaigns_client, self.scoring_client, self.awards_client):
            health = client.call("GET", "/health", ok_statuses=(503,))
            if health is None or health["outbox_pending"] != 0 or any(c["lag"] != 0 for c in health["consumers"]):
                return False
        return True

    # --- campaigns -------------------------------------------------------------------------------
    def _campaign(self, body: dict[str, Any]) -> dict[str, Any]:
        """The campaign with this title (drafted if missing)."""
        found = self.campaigns_client.call("GET", "/campaigns", params={"q": body["title"][:200]})
        existing = next((c for c in found if c["title"] == body["title"]), None)
        return existing or self.campaigns_client.call("POST", "/campaigns", json=body)

    def _status(self, campaign: dict[str, Any], action: str, wanted: str) -> dict[str, Any]:
        if campaign["status"] in (wanted, "closed", "cancelled"):
            return campaign
        return self.campaigns_client.call("POST", f"/campaigns/{campaign['id']}/{action}")

    def campaigns(self) -> int:
        c = self.campaigns_client
        self.ctx.say("demo_step", what="121/LMHTXVN-TĐKT, 252/LMHTX-PTĐTĐ, 396/LMHTXVN-TTTT")
        bodies = (VCA_2013, YEN_BAI_2019, VCA_DOAN_KET_SANG_TAO, VCA_2017, HAI_PHONG_2017)
        vca_2013, yen_bai, national, vca_2017, hai_phong = (self._status(self._campaign(body), "launch", "launched") for body in bodies)
        self._register(yen_bai, list(RESULTS_YEN_BAI), YEN_BAI_PLEDGE, LATE_YEN_BAI)  # on paper in 2019, typed in now
        self._register(vca_2017, list(RESULTS_2017), [], LATE_2017)
        self._register(hai_phong, list(RESULTS_HAI_PHONG), [], LATE_2017)
        for finished in (vca_2013, yen_bai, vca_2017, hai_phong):
            self._status(finished, "close", "closed")
        national = c.call("GET", f"/campaigns/{national['id']}")
        adopted = next((child for child in national["children"] if child["title"] == NINH_BINH_ADOPTION["title"]), None)
        ninh_binh = c.call("GET", f"/campaigns/{adopted['id']}") if adopted else c.call("POST", f"/campaigns/{national['id']}/adopt", json=NINH_BINH_ADOPTION)
        ninh_binh = self._status(ninh_binh, "launch", "launched")
        for unit in ("HTX-37-KHANHTHIEN", "HTX-37-GOMDAI"):
            c.call("POST", f"/campaigns/{ninh_binh['id']}/registrations", tolerate=("registration_duplicate",),
                   json={"unit": unit, "titles": ["Tập thể lao động tiên tiến"], "targets": [{"indicator_code": "III", "target": 8}]})
        pledges = c.call("GET", "/pledges", params={"cluster": "CUM-TP-TRUNG-UONG", "year": 2026})
        pledge = pledges[0] if pledges else c.call("POST", "/pledges", json={
            "cluster": "CUM-TP-TRUNG-UONG", "year": 2026, "title": "Giao ước thi đua năm 2026",
            "text": "Các Liên minh HTX thành phố trực thuộc trung ương cam kết thực hiện các chỉ tiêu thi đua năm 2026.",
        })
        for unit in ("LMHTX-01", "LMHTX-46"):
            c.call("POST", f"/pledges/{pledge['id']}/sign", json={"unit": unit}, tolerate=("pledge_already_signed", "pledge_complete"))
        # Signed at the 2017 meeting, for 2018 (with Đà Nẵng elected leader for 2018: the registry's data).
        pledges = c.call("GET", "/pledges", params={"cluster": CITIES, "year": 2018})
        pledge = pledges[0] if pledges else c.call("POST", "/pledges", json=PLEDGE_2018)
        for unit in VOTES:
            c.call("POST", f"/pledges/{pledge['id']}/sign", json={"unit": unit}, tolerate=("pledge_already_signed", "pledge_complete"))
        return 6

    def _register(self, campaign: dict[str, Any], units: list[str], targets: list[dict[str, Any]], late_reason: str) -> None:
        if campaign["status"] != "launched":
            return  # closed by an earlier run, after its registrations
        for unit in units:
            self.campaigns_client.call("POST", f"/campaigns/{campaign['id']}/registrations", tolerate=("registration_duplicate",),
                                       json={"unit": unit, "targets": targets, "late_reason": late_reason})

    # --- scoring ------------------------------------------------------------------------------------
    def scoring(self) -> str:
        """The 2017 cities' cluster scored and ranked; Yên Bái's cooperatives reporting on letter 252."""
        self.ctx.say("demo_step", what="chấm điểm Cụm thi đua 05 thành phố năm 2017; chỉ tiêu 252/LMHTX-PTĐTĐ")
        vca_2017, yen_bai, hai_phong = (self._campaign(body) for body in (VCA_2017, YEN_BAI_2019, HAI_PHONG_2017))
        for unit in RESULTS_2017:
            self._report(vca_2017, unit, results_2017(unit), LATE_2017)
        for unit in RESULTS_YEN_BAI:
            self._report(yen_bai, unit, results_yen_bai(unit), LATE_YEN_BAI)
        for unit in RESULTS_HAI_PHONG:
            self._report(hai_phong, unit, results_hai_phong(unit), LATE_2017)
        round_ = self._round(vca_2017)
        if round_["status"] == "open":
            self._reviews(round_)
            self.scoring_client.call("POST", f"/rounds/{round_['id']}/close")
        block = self._round(hai_phong, HAI_PHONG_BLOCK)
        if block["status"] == "open":  # nobody cross-scores this block here: its table is the campaign's rules on the results
            self.scoring_client.call("POST", f"/rounds/{block['id']}/close")
        table = self.scoring_client.call("GET", f"/rounds/{round_['id']}/table")
        return next((r["unit"]["name"] for r in table["rows"] if r["unit_id"] == table["leader_unit_id"]), "")

    def _report(self, campaign: dict[str, Any], unit: str, results: list[dict[str, Any]], late_reason: str) -> None:
        s = self.scoring_client
        if not s.call("GET", "/submissions", params={"campaign": campaign["id"], "unit": unit, "period": "final"}):
            s.call("POST", "/submissions", json={"campaign": campaign["id"], "unit": unit, "period": "final", "results": results,
                                                 "late_reason": late_reason})

    def _round(self, campaign: dict[str, Any], cluster: str = CITIES_2017) -> dict[str, Any]:
        s = self.scoring_client
        found = s.call("GET", "/rounds", params={"campaign": campaign["id"], "cluster": cluster})
        rule = {"kind": "rotation", "reviewers_per_unit": 2} if cluster == CITIES_2017 else {"kind": "manual"}
        return found[0] if found else s.call("POST", "/rounds", json={
            "campaign": campaign["id"], "period": "final", "cluster": cluster, "year": 2017, "rule": rule,
        })

    # --- awards: the 2017 meeting -----------------------------------------------------------------------
    def awards(self) -> list[str]:
        """The flag for the two units leading their cluster and block in 2017: proposed from the rankings,
        voted on by the cities' cluster in secret, checked by the VCA's office, decided."""
        self.ctx.say("demo_step", what="Cờ thi đua năm 2017: bỏ phiếu của Cụm, hồ sơ, quyết định")
        a = self.awards_client
        nominations = [self._nomination(campaign, cluster) for campaign, cluster in ((VCA_2017, CITIES_2017), (HAI_PHONG_2017, HAI_PHONG_BLOCK))]
        for nomination in nominations:
            self._through_the_office(nomination["id"])
        if not any(b for n in nominations for b in a.call("GET", f"/nominations/{n['id']}")["ballots"]):
            self._ballot([n["id"] for n in nominations])
        for nomination in nominations:
            current = a.call("GET", f"/nominations/{nomination['id']}")
            if current["state"] == "checked":
                current = a.call("POST", f"/nominations/{current['id']}/to-council", json={})
            if current["state"] == "to_council":
                a.call("POST", f"/nominations/{current['id']}/approve", json={"reason": "Hội đồng Thi đua - Khen thưởng nhất trí"})
        approved = [n["id"] for n in nominations if a.call("GET", f"/nominations/{n['id']}")["state"] == "approved"]
        if approved:
            a.call("POST", "/decisions", json={**DECISION, "nominations": approved})
        return [a.call("GET", f"/nominations/{n['id']}")["subject_name"] for n in nominations]

    def _nomination(self, body: dict[str, Any], cluster: str) -> dict[str, Any]:
        a = self.awards_client
        round_ = self._round(self._campaign(body), cluster)
        leader = self.scoring_client.call("GET", f"/rounds/{round_['id']}/table")["leader_unit_id"]
        found = a.call("GET", "/nominations", params={"award": FLAG, "year": 2017, "subject": leader})
        if found:
            return found[0]
        code = next(code for code in SUMMARIES if self.registry.call("GET", f"/units/{code}")["id"] == leader)
        return a.call("POST", "/nominations/from-ranking", json={"round": round_["id"], "to_unit": "VCA", "summary": SUMMARIES[code]})

    def _through_the_office(self, nomination_id: str) -> None:
        a = self.awards_client
        nomination = a.call("GET", f"/nominations/{nomination_id}")
        for kind in nomination["missing_documents"]:
            name = f"{kind.replace('_', '-')}-{nomination['subject_name'][:40]}.pdf"
            uploaded = a.call("POST", "/documents", files={"file": (name, DEMO_PDF + kind.encode())})
            a.call("POST", f"/nominations/{nomination_id}/documents", json={"kind": kind, "sha256": uploaded["sha256"]})
        steps = {"drafted": ("submit", {}), "submitted": ("receive", {}), "received": ("assign", {"officer": OFFICER}), "assigned": ("check", {})}
        state = a.call("GET", f"/nominations/{nomination_id}")["state"]
        while state in steps:
            action, body = steps[state]
            state = a.call("POST", f"/nominations/{nomination_id}/{action}", json=body)["state"]

    def _ballot(self, nominations: list[str]) -> None:
        """The cities' cluster votes in secret: three of them form the vote-counting committee, any two of which
        decrypt the tally; each unit votes and counts through its own token, its keys held only here."""
        a = self.awards_client
        members = {unit: ServiceClient(self.ctx, "awards", self.registry.call("POST", "/tokens", json={
            "holder_name": f"Đại diện {unit} tại hội nghị cụm", "role": "unit_reporter", "scope_unit": unit})["token"]) for unit in VOTES}
        keys = {unit: ballot_client.TellerKey.new() for unit in TELLERS}
        for unit in TELLERS:
            ballot_client.register(members[unit], keys[unit], unit)
        closes = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
        ballot = a.call("POST", "/ballots", json={"kind": "cluster", "title": BALLOT_TITLE, "nominations": nominations, "cluster": CITIES,
                                                  "year": 2017, "closes_at": closes, "meeting_on": MEETING_ON,
                                                  "tellers": list(TELLERS), "threshold": 2})
        for unit in TELLERS:
            ballot_client.deal(members[unit], ballot["id"], keys[unit], unit)
        for unit, choice in VOTES.items():  # each member unit votes through its own token: nobody votes for it
            ballot_client.vote(members[unit], ballot["id"], {n: choice for n in nominations}, unit)
        a.call("POST", f"/ballots/{ballot['id']}/close")
        for unit in TELLERS[:2]:
            ballot_client.count(members[unit], ballot["id"], keys[unit], unit)

    def _reviews(self, round_: dict[str, Any]) -> None:
        """Each reviewer gives the points the campaign's rules compute from the results, less its deductions."""
        s = self.scoring_client
        computed = {(row["unit"]["code"], cell["indicator_code"]): cell["computed_points"]
                    for row in s.call("GET", f"/rounds/{round_['id']}/table")["rows"] for cell in row["cells"]}
        off = {(reviewer, unit, code): (points, comment) for reviewer, unit, code, points, comment in DEDUCTIONS_2017}
        for assignment in s.call("GET", f"/rounds/{round_['id']}")["assignments"]:
            if assignment["reviewed"]:
                continue
            reviewer, unit = assignment["reviewer"]["code"], assignment["unit"]["code"]
            scores = []
            for code in ("1", "2", "3", "4", "5", "6"):
                points, comment = off.get((reviewer, unit, code), (0, None))
                scores.append({"indicator_code": code, "points": str(Decimal(computed[(unit, code)]) - points), "comment": comment})
            s.call("POST", f"/rounds/{round_['id']}/reviews", json={"reviewer": reviewer, "unit": unit, "scores": scores})
