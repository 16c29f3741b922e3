"""A secret ballot's voters and tellers for tests over the in-process clients: what the CLI's `ballot_client`
does over HTTP, with the same shared cryptography; the tellers' keys live only in the test's memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from thidua_shared import encrypted_ballot as crypto
from thidua_shared.events.awards import Choice, Encrypted, EncryptedBallot, TellerCount, TellerDeal


@dataclass
class Teller:
    token: str
    unit: str | None = None  # a cluster's member unit; None for a council member in person
    keys: tuple[bytes, str] = field(default_factory=crypto.transport_keys)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def index_in(self, view: dict[str, Any]) -> int:
        """This teller's index in a ballot's committee (`GET /ballots/{id}/tellers`), found by its transport key."""
        return int(next(t["index"] for t in view["tellers"] if t["transport_key"] == self.keys[1]))


async def make_key(awards: httpx.AsyncClient, ballot_id: str, tellers: list[Teller]) -> dict[str, Any]:
    """Every teller registers a transport key and deals; the last deal opens the ballot."""
    for t in tellers:
        registered = await awards.put("/tellers/key", headers=t.headers(), json={"public_key": t.keys[1], "unit": t.unit})
        assert registered.status_code == 200, registered.text
    ballot: dict[str, Any] = {}
    for t in tellers:
        view = (await awards.get(f"/ballots/{ballot_id}/tellers", headers=t.headers())).json()
        deal = crypto.deal(ballot_id, t.index_in(view), view["threshold"], {x["index"]: x["transport_key"] for x in view["tellers"]})
        dealt = await awards.post(f"/ballots/{ballot_id}/deals", headers=t.headers(), json={"unit": t.unit, "deal": deal.model_dump(mode="json")})
        assert dealt.status_code == 200, dealt.text
        ballot = dealt.json()
    assert ballot["status"] == "open" and ballot["public_key"]
    return ballot


async def vote(awards: httpx.AsyncClient, headers: dict[str, str], ballot: dict[str, Any], choices: dict[str, str],
               voter: str | None = None) -> httpx.Response:
    encrypted = crypto.encrypt_ballot(ballot["public_key"], ballot["nominations"], {n: Choice(c) for n, c in choices.items()})
    return await awards.post(f"/ballots/{ballot['id']}/votes", headers=headers, json={"voter": voter, "ballot": encrypted.model_dump(mode="json")})


async def count(awards: httpx.AsyncClient, ballot_id: str, teller: Teller) -> httpx.Response:
    view = (await awards.get(f"/ballots/{ballot_id}/tellers", headers=teller.headers())).json()
    index = teller.index_in(view)
    secret = crypto.secret_share(ballot_id, index, teller.keys[0], [TellerDeal.model_validate(d) for d in view["deals"]])
    tally = [[Encrypted.model_validate(c) for c in row] for row in view["counting"]["tally"]]
    share = crypto.count(index, secret, tally)
    return await awards.post(f"/ballots/{ballot_id}/counts", headers=teller.headers(), json={"unit": teller.unit, "count": share.model_dump(mode="json")})


async def recount(awards: httpx.AsyncClient, headers: dict[str, str], ballot_id: str) -> list[dict[Choice, int]]:
    """What any auditor can do from what is published: multiply the box, check every teller's proofs, decrypt."""
    ballot = (await awards.get(f"/ballots/{ballot_id}", headers=headers)).json()
    view = (await awards.get(f"/ballots/{ballot_id}/tellers", headers=headers)).json()
    tally, after = crypto.Tally(len(ballot["nominations"])), ""
    while True:
        page = (await awards.get(f"/ballots/{ballot_id}/box", headers=headers, params={"after": after, "limit": 2})).json()
        for entry in page["ballots"]:  # each receipt its ballot's hash, each ballot's proofs checked (else ProofFailed)
            tally.add_published(entry["receipt"], EncryptedBallot.model_validate(entry["ballot"]), ballot["public_key"], ballot["nominations"])
        if not page["next"]:
            break
        after = page["next"]
    product = tally.encrypted()
    assert [[c.model_dump() for c in row] for row in product] == view["counting"]["tally"]
    deals = [TellerDeal.model_validate(d) for d in view["deals"]]
    counts = [TellerCount.model_validate(c) for c in view["counts"]]
    for c in counts:
        crypto.check_count(c, product, crypto.public_share(deals, c.index))
    return crypto.decrypt(product, counts[: view["threshold"]], view["counting"]["voted"])
