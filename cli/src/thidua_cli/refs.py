"""What people use to name a record, turned into its id. Nobody remembers a UUID; everyone knows the paper:
a campaign by its letter's number and symbol ("396/LMHTXVN-TTTT"), a decision by its number ("01/QĐ-LMHTXVN"),
a round, a ballot or a pledge by its cluster and year ("CUM-TP-TRUNG-UONG/2017"), a nomination by the unit or
person it proposes and the year ("LMHTX-79/2017"). An id is always accepted as it is."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from thidua_cli.client import Context
from thidua_shared.i18n import Label
from thidua_shared.text import search_key

ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CODE_AND_YEAR = re.compile(r"^(?P<code>[^/\s]+)/(?P<year>\d{4})$")


def _id(ref: str) -> str | None:
    return ref.strip().lower() if ID.match(ref.strip().lower()) else None


def _code_and_year(c: Context, ref: str, what: str) -> tuple[str, int]:
    found = CODE_AND_YEAR.match(ref.strip())
    if not found:
        raise c.fail("record_ref_form", what=Label(what), ref=ref)
    return found["code"].upper(), int(found["year"])


def _one(c: Context, found: list[dict[str, Any]], ref: str, what: str, describe) -> str:  # type: ignore[no-untyped-def]
    """The single record found; none or several is said with what to type instead."""
    if len(found) == 1:
        return str(found[0]["id"])
    if not found:
        raise c.fail("record_ref_unknown", what=Label(what), ref=ref)
    raise c.fail("record_ref_ambiguous", what=Label(what), ref=ref, ids="; ".join(f"{i['id']} ({describe(i)})" for i in found))


def campaign_ref(c: Context, ref: str) -> str:
    """A campaign's id from its id or its letter's number (the list is read a page at a time; campaigns are few)."""
    if known := _id(ref):
        return known
    wanted, found, offset = search_key(ref), [], 0
    client = c.client("campaigns")
    while True:
        page = client.call("GET", "/campaigns", params={"limit": 500, "offset": offset})
        found += [item for item in page if item.get("letter_number") and search_key(item["letter_number"]) == wanted]
        if len(page) < 500:
            break
        offset += 500
    return _one(c, found, ref, "ref_campaign", lambda i: i["title"][:40])


def _by_cluster_and_year(c: Context, ref: str, what: str, service: str, path: str, describe) -> str:  # type: ignore[no-untyped-def]
    if known := _id(ref):
        return known
    cluster, year = _code_and_year(c, ref, what)
    return _one(c, c.client(service).call("GET", path, params={"cluster": cluster, "year": year}), ref, what, describe)


def round_ref(c: Context, ref: str) -> str:
    """A review round from its id or its cluster and year: CUM-TP-TRUNG-UONG/2017."""
    return _by_cluster_and_year(c, ref, "ref_round", "scoring", "/rounds", lambda i: i.get("campaign_title", "")[:40])


def pledge_ref(c: Context, ref: str) -> str:
    """A cluster's yearly pledge from its id or its cluster and year."""
    return _by_cluster_and_year(c, ref, "ref_pledge", "campaigns", "/pledges", lambda i: i["title"][:40])


def ballot_ref(c: Context, ref: str) -> str:
    """A ballot from its id or its cluster and year."""
    return _by_cluster_and_year(c, ref, "ref_ballot", "awards", "/ballots", lambda i: i["title"][:40])


def nomination_ref(c: Context, ref: str) -> str:
    """A nomination from its id or the unit it proposes and the year: LMHTX-79/2017."""
    if known := _id(ref):
        return known
    code, year = _code_and_year(c, ref, "ref_nomination")
    unit = c.client("registry").call("GET", f"/units/{code}")
    found = c.client("awards").call("GET", "/nominations", params={"subject": unit["id"], "year": year})
    return _one(c, found, ref, "ref_nomination", lambda i: i["award"][f"name_{c.language}"][:40])


def decision_ref(c: Context, ref: str) -> str:
    """A decision from its id or its number and symbol, as signed: 01/QĐ-LMHTXVN."""
    if known := _id(ref):
        return known
    found = c.client("awards").call("GET", "/decisions", params={"number": ref.strip()})
    return _one(c, found, ref, "ref_decision", lambda i: f"{i['number']} {i['signed_on']}")


# The arguments as commands declare them, each with the forms it takes.
RoundArg = Annotated[str, typer.Argument(metavar="ROUND", help="Mã (id) vòng chấm, hoặc CỤM/NĂM: CUM-TP-TRUNG-UONG/2017")]
PledgeArg = Annotated[str, typer.Argument(metavar="PLEDGE", help="Mã (id) giao ước, hoặc CỤM/NĂM: CUM-TP-TRUNG-UONG/2026")]
BallotArg = Annotated[str, typer.Argument(metavar="BALLOT", help="Mã (id) cuộc bỏ phiếu, hoặc CỤM/NĂM: CUM-TP-TRUNG-UONG/2017")]
NominationArg = Annotated[str, typer.Argument(metavar="NOMINATION", help="Mã (id) hồ sơ, hoặc ĐƠN-VỊ/NĂM: LMHTX-79/2017")]
DecisionArg = Annotated[str, typer.Argument(metavar="DECISION", help="Mã (id) hoặc số quyết định: 01/QĐ-LMHTXVN")]
CampaignArg = Annotated[str, typer.Argument(metavar="CAMPAIGN", help="Mã (id) hoặc số văn bản phát động: 396/LMHTXVN-TTTT")]


def nominations_ref(c: Context, refs: list[str]) -> list[str]:
    return [nomination_ref(c, ref) for ref in refs]
