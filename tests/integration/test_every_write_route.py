"""Every write route of every service, with a token of every role in and out of scope (issue 17, item 1):
an answer of 2xx means something was written, 4xx means nothing was (the rows of every table of every
service's database, and the EVENTS stream, counted before and after each request).

The routes are read from the services' own OpenAPI documents, so a route added later is tried too (a test
fails for a write route this file has no request for). The four services run in-process on SQLite, fed
through a real nats-server; the scenario is the 2017 cities' cluster with a published ranking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from thidua_cli.audit import read_stream
from thidua_shared.topology import TOOLS_IDENTITY

from thidua_shared import encrypted_ballot as crypto
from thidua_shared.events.awards import Choice

from tests import ballots
from tests.ballots import Teller
from tests.integration.conftest import ScoringSystem
from tests.integration.test_awards_api import PDF, THIS_YEAR, ranked_cluster, tree

WRITES = ("post", "put", "patch", "delete")
# POST routes that compute and answer without writing anything.
READ_ONLY_POSTS = {"POST /submissions/preview", "POST /drafts/cover-letter.docx", "POST /drafts/decision.docx"}


@dataclass
class Scenario:
    ids: dict[str, str]
    uploads: int = 0
    ballot: dict[str, Any] = field(default_factory=dict)  # the open ballot, with its public key
    recipients: dict[int, str] = field(default_factory=dict)  # the transport keys of the ballot still making its key

    def __getitem__(self, key: str) -> str:
        return self.ids[key]

    def document(self, name: str) -> tuple[str, bytes]:
        """A document of its own each time: files are kept by content, and the same one twice is kept once."""
        self.uploads += 1
        return name, PDF + f" {name} {self.uploads}".encode()


def requests(sc: Scenario) -> dict[str, Callable[[], dict[str, Any]]]:
    """One plausible request per write route: `path` with its parameters filled in, and a body."""
    unit, person, campaign, round_ = sc["unit"], sc["person"], sc["campaign"], sc["round"]
    nomination, ballot, posting = sc["nomination"], sc["ballot"], sc["posting"]
    subject = {"kind": "person", "ref": person}
    closes = f"{THIS_YEAR + 1}-01-15T00:00:00Z"
    csv = ("don-vi.csv", b"code,name,kind,parent\nHTX-31-MOI,HTX moi,cooperative,LMHTX-31\n")
    return {
        "POST /units": lambda: {"json": {"code": "HTX-31-Z", "name": "HTX Z", "kind": "cooperative", "parent": "LMHTX-31"}},
        "PATCH /units/{unit_ref}": lambda: {"path": f"/units/{unit}", "json": {"name": "HTX Quang Phục (đổi tên)"}},
        "POST /units/{unit_ref}/merge": lambda: {"path": "/units/HTX-31-TMP/merge", "json": {"successor": unit, "effective_date": f"{THIS_YEAR}-07-01"}},
        "POST /units/{unit_ref}/dissolve": lambda: {"path": "/units/HTX-31-GIAI/dissolve", "json": {"effective_date": f"{THIS_YEAR}-07-01"}},
        "POST /imports/units": lambda: {"files": {"file": csv}},
        "POST /clusters": lambda: {"json": {"code": "KHOI-31-Z", "name": "Khối Z", "owner": "LMHTX-31", "kind": "block"}},
        "PUT /clusters/{cluster_ref}/members/{year}": lambda: {"path": f"/clusters/KHOI-31/members/{THIS_YEAR}", "json": {"units": [unit]}},
        "POST /clusters/{cluster_ref}/leaders/{year}": lambda: {"path": f"/clusters/KHOI-31/leaders/{THIS_YEAR}", "json": {"leader": unit}},
        "POST /people": lambda: {"json": {"unit": unit, "full_name": "Lê Văn Mới", "position": "Xã viên"}},
        "POST /imports/people": lambda: {"files": {"file": ("nguoi.csv", f"unit,full_name\n{unit},Pham Van Nhap\n".encode())}},
        "PATCH /people/{person_id}": lambda: {"path": f"/people/{person}", "json": {"position": "Kế toán"}},
        "POST /tokens": lambda: {"json": {"holder_name": "Người mới", "role": "unit_reporter", "scope_unit": unit}},
        "DELETE /tokens/{token_id}": lambda: {"path": f"/tokens/{sc['spare_token']}"},
        "POST /nodes/{node}/keys": lambda: {"path": "/nodes/hp/keys", "json": {"public_key": "không phải khóa", "reason": "thử"}},
        "POST /campaigns": lambda: {"json": {"issuer": "LMHTX-31", "title": "Phong trào mới", "kind": "regular_movement"}},
        "PATCH /campaigns/{campaign_id}": lambda: {"path": f"/campaigns/{sc['draft']}", "json": {"title": "Phong trào (sửa)"}},
        "POST /campaigns/{campaign_id}/launch": lambda: {"path": f"/campaigns/{sc['draft']}/launch"},
        "POST /campaigns/{campaign_id}/revise": lambda: {"path": f"/campaigns/{campaign}/revise", "json": {"reason": "Sửa", "changes": {"title": "Phong trào (sửa)"}}},
        "POST /campaigns/{campaign_id}/close": lambda: {"path": f"/campaigns/{sc['draft']}/close"},
        "POST /campaigns/{campaign_id}/cancel": lambda: {"path": f"/campaigns/{sc['draft']}/cancel", "json": {"reason": "Hủy"}},
        "POST /campaigns/{campaign_id}/adopt": lambda: {"path": f"/campaigns/{campaign}/adopt", "json": {"issuer": "LMHTX-31", "title": "Cụ thể hóa"}},
        "POST /campaigns/{campaign_id}/attachments": lambda: {"path": f"/campaigns/{sc['draft']}/attachments", "files": {"file": sc.document("cv.pdf")}},
        "POST /campaigns/{campaign_id}/registrations": lambda: {"path": f"/campaigns/{campaign}/registrations", "json": {"unit": "LMHTX-48"}},
        "PATCH /registrations/{registration_id}": lambda: {"path": f"/registrations/{sc['registration']}", "json": {"targets": [], "reason": "Sửa"}},
        "POST /registrations/{registration_id}/withdraw": lambda: {"path": f"/registrations/{sc['registration']}/withdraw", "json": {"reason": "Rút"}},
        "POST /pledges": lambda: {"json": {"cluster": "CUM-TP", "year": THIS_YEAR + 1, "title": "Giao ước", "text": "Cam kết"}},
        "POST /pledges/{pledge_id}/sign": lambda: {"path": f"/pledges/{sc['pledge']}/sign", "json": {"unit": "LMHTX-31"}},
        "POST /submissions/preview": lambda: {"json": {"campaign": campaign, "unit": "LMHTX-31", "period": "final",
                                                       "results": [{"indicator_code": "1", "achieved": True}]}},
        "POST /submissions": lambda: {"json": {"campaign": campaign, "unit": "LMHTX-31", "period": "mid_term",
                                               "results": [{"indicator_code": "1", "achieved": True}]}},
        "POST /evidence": lambda: {"files": {"file": sc.document("bien-ban.pdf")}},
        "POST /rounds": lambda: {"json": {"campaign": campaign, "period": "mid_term", "cluster": "CUM-TP", "year": THIS_YEAR,
                                          "rule": {"kind": "manual"}}},
        "POST /rounds/{round_id}/assignments": lambda: {"path": f"/rounds/{round_}/assignments", "json": {"reviewer": "LMHTX-01", "unit": "LMHTX-31"}},
        "POST /rounds/{round_id}/conflicts": lambda: {"path": f"/rounds/{round_}/conflicts", "json": {"reviewer": "LMHTX-01", "unit": "LMHTX-31", "reason": "x"}},
        "POST /rounds/{round_id}/reviews": lambda: {"path": f"/rounds/{round_}/reviews", "json": {"reviewer": "LMHTX-01", "unit": "LMHTX-31",
                                                                                                   "scores": [{"indicator_code": "1", "points": "50"}]}},
        "POST /rounds/{round_id}/explanations": lambda: {"path": f"/rounds/{round_}/explanations", "json": {"unit": "LMHTX-31", "indicator_code": "1", "text": "x"}},
        "POST /rounds/{round_id}/close": lambda: {"path": f"/rounds/{round_}/close", "json": {"accept_missing": True, "reason": "Hết hạn"}},
        "POST /rounds/{round_id}/handover": lambda: {"path": f"/rounds/{round_}/handover", "json": {"to_node": "hp", "reason": "x"}},
        "POST /rounds/{round_id}/return-request": lambda: {"path": f"/rounds/{round_}/return-request", "json": {"reason": "x"}},
        "POST /initiatives": lambda: {"json": {"subject": subject, "title": "Sáng kiến", "level": "grassroots", "year": THIS_YEAR}},
        "POST /ratings": lambda: {"json": {"subject": subject, "year": THIS_YEAR, "rating": "excellent"}},
        "POST /initiatives/{initiative_id}/confirm": lambda: {"path": f"/initiatives/{sc['initiative']}/confirm"},
        "POST /ratings/confirm": lambda: {"json": {"subject": subject, "year": THIS_YEAR - 1}},
        "POST /disciplines": lambda: {"json": {"subject": subject, "level": "reprimand", "starts_on": f"{THIS_YEAR}-03-01", "reason": "x"}},
        "POST /history": lambda: {"json": {"subject": subject, "award": "lao_dong_tien_tien", "year": THIS_YEAR - 2}},
        "POST /imports/{kind}": lambda: {"path": "/imports/ratings", "files": {"file": ("xep-loai.csv", f"unit,year,rating\n{unit},{THIS_YEAR - 3},good\n".encode())}},
        "POST /documents": lambda: {"files": {"file": sc.document("to-trinh.pdf")}},
        "POST /nominations": lambda: {"json": {"award": "giay_khen_lmhtx_tinh", "year": THIS_YEAR, "subject": subject, "proposer": unit,
                                               "to_unit": "LMHTX-31"}},
        "POST /nominations/from-ranking": lambda: {"json": {"round": sc["closed_round"]}},
        "POST /nominations/{nomination_id}/documents": lambda: {"path": f"/nominations/{nomination}/documents",
                                                                "json": {"kind": "cover_letter", "sha256": sc["document"]}},
        "POST /nominations/{nomination_id}/assign": lambda: {"path": f"/nominations/{nomination}/assign", "json": {"officer": "Cán bộ"}},
        "POST /nominations/{nomination_id}/check": lambda: {"path": f"/nominations/{nomination}/check", "json": {}},
        "POST /nominations/{nomination_id}/{action}": lambda: {"path": f"/nominations/{nomination}/submit", "json": {}},
        "POST /drafts/cover-letter.docx": lambda: {"json": {"nominations": [nomination]}},
        "POST /drafts/decision.docx": lambda: {"json": {"nominations": [nomination]}},
        "POST /ballots": lambda: {"json": {"kind": "cluster", "title": "Bình chọn", "nominations": [nomination], "cluster": "CUM-TP",
                                           "year": THIS_YEAR, "closes_at": closes, "tellers": ["LMHTX-31"]}},
        "PUT /tellers/key": lambda: {"json": {"public_key": crypto.transport_keys()[1], "unit": "LMHTX-31"}},
        "POST /ballots/{ballot_id}/deals": lambda: {"path": f"/ballots/{sc['keys_ballot']}/deals", "json": {
            "unit": "LMHTX-31", "deal": crypto.deal(sc["keys_ballot"], int(sc["deal_index"]), 2, sc.recipients).model_dump(mode="json")}},
        "POST /ballots/{ballot_id}/votes": lambda: {"path": f"/ballots/{ballot}/votes", "json": {"voter": "LMHTX-31", "ballot": crypto.encrypt_ballot(
            sc.ballot["public_key"], [nomination], {nomination: Choice.YES}).model_dump(mode="json")}},
        "POST /ballots/{ballot_id}/counts": lambda: {"path": f"/ballots/{ballot}/counts", "json": {"unit": "LMHTX-31",
                                                                                                  "count": {"index": 1, "shares": []}}},
        "POST /ballots/{ballot_id}/close": lambda: {"path": f"/ballots/{ballot}/close"},
        "POST /postings": lambda: {"json": {"to_unit": "VCA", "title": "Công khai", "nominations": [nomination]}},
        "POST /postings/{posting_id}/comments": lambda: {"path": f"/postings/{posting}/comments", "json": {"text": "Ý kiến"}},
        "POST /postings/{posting_id}/comments/{comment_id}/answer": lambda: {"path": f"/postings/{posting}/comments/{sc['comment']}/answer",
                                                                              "json": {"answer": "Trả lời"}},
        "POST /postings/{posting_id}/close": lambda: {"path": f"/postings/{posting}/close"},
        "POST /decisions": lambda: {"json": {"number": "9/QĐ", "signed_on": f"{THIS_YEAR}-12-01", "signer_title": "Chủ tịch", "nominations": [nomination]}},
        "POST /decisions/{decision_id}/revocations": lambda: {"path": f"/decisions/{sc['decision']}/revocations",
                                                              "json": {"number": "10/QĐ", "reason": "Khai man"}},
    }


async def scenario(s: ScoringSystem) -> Scenario:
    r = s.registry
    people = await tree(s)
    for code in ("HTX-31-TMP", "HTX-31-GIAI"):
        await r.unit(code, f"HTX {code}", "cooperative", "LMHTX-31")
    await r.post("/clusters", {"code": "KHOI-31", "name": "Khối HTX Hải Phòng", "owner": "LMHTX-31", "kind": "block"})
    campaign, closed_round = await ranked_cluster(s, "CUM-TP", ["LMHTX-79", "LMHTX-31", "LMHTX-01"], "LMHTX-79")
    ids = {"unit": "HTX-31-QP", "person": people["Nguyễn Văn Nam"], "campaign": campaign["id"], "closed_round": closed_round}
    spare = await r.post("/tokens", {"holder_name": "Mã dự phòng", "role": "unit_reporter", "scope_unit": "HTX-31-QP"})
    ids["spare_token"] = spare.json()["id"]
    draft = await s.campaigns.post("/campaigns", headers=s.auth(), json={"issuer": "LMHTX-31", "title": "Bản nháp", "kind": "regular_movement"})
    ids["draft"] = draft.json()["id"]
    registrations = (await s.campaigns.get(f"/campaigns/{campaign['id']}/registrations", headers=s.auth())).json()
    ids["registration"] = registrations[0]["id"]
    pledge = await s.campaigns.post("/pledges", headers=s.auth(), json={"cluster": "CUM-TP", "year": THIS_YEAR, "title": "Giao ước", "text": "x"})
    ids["pledge"] = pledge.json()["id"]
    opened = await s.scoring.post("/rounds", headers=s.auth(), json={"campaign": campaign["id"], "period": "final", "cluster": "CUM-TP",
                                                                      "year": THIS_YEAR, "rule": {"kind": "manual"}, "corrects": closed_round,
                                                                      "reason": "Chấm lại"})
    ids["round"] = opened.json()["id"]
    initiative = await s.awards.post("/initiatives", headers=s.auth(await s.token("unit_reporter", "HTX-31-QP")), json={
        "subject": {"kind": "person", "ref": ids["person"]}, "title": "Sáng kiến tự kê khai", "level": "grassroots", "year": THIS_YEAR})
    ids["initiative"] = initiative.json()["id"]
    nomination = await s.awards.post("/nominations/from-ranking", headers=s.auth(), json={"round": closed_round})
    ids["nomination"] = nomination.json()["id"]
    document = await s.awards.post("/documents", headers=s.auth(), files={"file": ("bao-cao.pdf", PDF + b" bao cao")})
    ids["document"] = document.json()["sha256"]
    # An open ballot counted by LMHTX-31 alone, and one whose key LMHTX-31 and LMHTX-01 are still making.
    tellers = {code: Teller(await s.token("unit_reporter", code), code) for code in ("LMHTX-31", "LMHTX-01")}
    opening = {"kind": "cluster", "title": "Bình chọn", "nominations": [ids["nomination"]], "cluster": "CUM-TP", "year": THIS_YEAR,
               "closes_at": f"{THIS_YEAR + 1}-01-15T00:00:00Z"}
    ballot = await s.awards.post("/ballots", headers=s.auth(), json={**opening, "tellers": ["LMHTX-31"]})
    ids["ballot"] = ballot.json()["id"]
    open_ballot = await ballots.make_key(s.awards, ids["ballot"], [tellers["LMHTX-31"]])
    keys_ballot = await s.awards.post("/ballots", headers=s.auth(), json={**opening, "tellers": list(tellers)})
    ids["keys_ballot"] = keys_ballot.json()["id"]
    await s.awards.put("/tellers/key", headers=tellers["LMHTX-01"].headers(), json={"public_key": tellers["LMHTX-01"].keys[1], "unit": "LMHTX-01"})
    view = (await s.awards.get(f"/ballots/{ids['keys_ballot']}/tellers", headers=s.auth())).json()
    ids["deal_index"] = str(tellers["LMHTX-31"].index_in(view))
    posting = await s.awards.post("/postings", headers=s.auth(), json={"to_unit": "VCA", "title": "Công khai", "nominations": [ids["nomination"]]})
    ids["posting"] = posting.json()["id"]
    commented = await s.awards.post(f"/postings/{ids['posting']}/comments", headers=s.auth(), json={"text": "Ý kiến đầu"})
    ids["comment"] = commented.json()["comments"][0]["id"]
    ids["decision"] = "0190a3c2-0000-7000-8000-00000000dec1"
    missing = [key for key, value in ids.items() if not value]
    assert not missing, missing
    return Scenario(ids, ballot=open_ballot, recipients={t["index"]: t["transport_key"] for t in view["tellers"]})


async def finished(client: Any, job_id: str, token: str, s: ScoringSystem) -> Any:
    """The job's last state, answered as its request would have been: 200 once it succeeded, its error's status once it failed."""
    from tests.support import eventually

    seen: list[Any] = []

    async def done() -> bool:
        seen.append(await client.get(f"/jobs/{job_id}", headers=s.auth(token)))
        return seen[-1].json()["status"] != "running"

    await eventually(done, 60, "the import to end")
    job = seen[-1]
    if job.json()["status"] == "failed":
        return type(job)(422, json=job.json()["error"], request=job.request)
    return job


async def written(s: ScoringSystem) -> tuple[int, ...]:
    """Rows of every table of every service, and events in the stream, once everything has been applied."""
    await s.caught_up()
    counts: list[int] = []
    for app in (s.registry.http._transport.app, s.campaigns_app, s.scoring_app, s.awards_app):  # type: ignore[attr-defined]
        runtime = app.state.runtime  # type: ignore[attr-defined]
        tables = sorted(runtime.tables.outbox.metadata.tables.values(), key=lambda t: t.name)  # the service's whole schema
        async with runtime.db.sessions() as session:
            counts.extend((await session.execute(select(*[select(func.count()).select_from(t).scalar_subquery() for t in tables]))).one())
    events = await read_stream(s.registry.nats_url, s.registry.nats.identity(TOOLS_IDENTITY))
    return (*counts, len(events))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_write_route_with_every_role_writes_exactly_when_it_answers_2xx(awards_system: ScoringSystem):
    s = awards_system
    sc = await scenario(s)
    planned = requests(sc)
    routes = []
    for name, client in (("registry", s.registry.http), ("campaigns", s.campaigns), ("scoring", s.scoring), ("awards", s.awards)):
        app = client._transport.app  # type: ignore[attr-defined]
        for path, operations in app.openapi()["paths"].items():
            routes += [(name, client, f"{method.upper()} {path}") for method in operations if method in WRITES]
    unplanned = [route for _, _, route in routes if route not in planned]
    assert not unplanned, f"write routes this test has no request for: {unplanned}"

    tokens = {"national_admin": s.registry.admin_token}
    for role, scope in (("provincial_officer", "LMHTX-31"), ("provincial_officer", "LMHTX-48"), ("cluster_leader", "LMHTX-79"),
                        ("cluster_leader", "LMHTX-48"), ("unit_reporter", "HTX-31-QP"), ("unit_reporter", "LMHTX-31"),
                        ("unit_reporter", "LMHTX-48"), ("reviewer", "LMHTX-01"), ("auditor", None), ("council_member", None)):
        tokens[f"{role}@{scope or '*'}"] = await s.token(role, scope)

    contradictions = []
    before = await written(s)
    # The least privileged first: a refusal must leave the scenario as it was for the next role.
    for who in sorted(tokens, key=lambda t: t == "national_admin"):
        for service, client, route in routes:
            request = planned[route]()
            method, template = route.split(" ", 1)
            answer = await client.request(method, request.get("path", template), json=request.get("json"),
                                          files=request.get("files"), headers=s.auth(tokens[who]))
            if answer.status_code == 202:  # a long job (an import): judged by how it ends, all rows or none
                answer = await finished(client, answer.json()["id"], tokens[who], s)
            after = await written(s)
            changed = after != before
            if answer.status_code >= 500 or (answer.status_code >= 400 and changed) or (
                    answer.status_code < 300 and not changed and route not in READ_ONLY_POSTS):
                contradictions.append(f"{who} {service} {route} → {answer.status_code} {'wrote' if changed else 'wrote nothing'}: "
                                      f"{answer.text[:160]}")
            before = after
    assert not contradictions, "\n".join(contradictions)
