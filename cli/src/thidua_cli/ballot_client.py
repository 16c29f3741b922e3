"""The voter's and the teller's side of a secret ballot, over the awards API.

Everything secret happens here, on the person's own machine: a voter's choices are encrypted before
they leave it; a teller's transport key stays in their key file, and their share of the ballot's key
is rebuilt from the sealed deals only when they count. The server sees none of it.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from thidua_cli.client import ServiceClient
from thidua_shared import encrypted_ballot as crypto
from thidua_shared.events.awards import Choice, Encrypted, EncryptedBallot, TellerDeal


class BallotClientError(Exception):
    """A teller's or voter's step that cannot go on: `code` names the CLI message, `params` fill it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


class TellerKey:
    """A teller's X25519 transport key: the private part in memory (or in a file only its owner reads)."""

    def __init__(self, private: bytes) -> None:
        self.private = private
        public = X25519PrivateKey.from_private_bytes(private).public_key()
        self.public = base64.urlsafe_b64encode(public.public_bytes(serialization.Encoding.Raw,
                                                                   serialization.PublicFormat.Raw)).rstrip(b"=").decode()

    @classmethod
    def new(cls) -> "TellerKey":
        return cls(crypto.transport_keys()[0])

    @classmethod
    def from_file(cls, path: Path) -> "TellerKey":
        """Reads the key file, or makes one (mode 600) the first time."""
        if not path.exists():
            key = cls.new()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(base64.b64encode(key.private).decode() + "\n")
            return key
        return cls(base64.b64decode(path.read_text().strip()))


def register(client: ServiceClient, key: TellerKey, unit: str | None) -> dict[str, Any]:
    return client.call("PUT", "/tellers/key", json={"public_key": key.public, "unit": unit})


def _my_index(view: dict[str, Any], key: TellerKey) -> int:
    for teller in view["tellers"]:
        if teller["transport_key"] == key.public:
            return int(teller["index"])
    raise BallotClientError("teller_key_not_on_ballot")


def deal(client: ServiceClient, ballot_id: str, key: TellerKey, unit: str | None) -> dict[str, Any]:
    """Deals this teller's part of the ballot's key, sealed to every teller's registered transport key."""
    view = client.call("GET", f"/ballots/{ballot_id}/tellers")
    missing = [t["teller"] for t in view["tellers"] if not t["transport_key"]]
    if missing:
        raise BallotClientError("teller_keys_missing", tellers=", ".join(missing))
    index = _my_index(view, key)
    recipients = {int(t["index"]): t["transport_key"] for t in view["tellers"]}
    mine = crypto.deal(ballot_id, index, int(view["threshold"]), recipients)
    return client.call("POST", f"/ballots/{ballot_id}/deals", json={"unit": unit, "deal": mine.model_dump(mode="json")})


def vote(client: ServiceClient, ballot_id: str, choices: dict[str, str], voter: str | None) -> dict[str, Any]:
    """Encrypts the choices here, to the ballot's key, and casts them; returns the receipt."""
    ballot = client.call("GET", f"/ballots/{ballot_id}")
    if ballot["status"] != "open" or not ballot["public_key"]:
        raise BallotClientError("ballot_not_ready", status=ballot["status"])
    unknown = sorted(set(choices) - set(ballot["nominations"]))
    if unknown:
        raise BallotClientError("ballot_choice_unknown", ref=unknown[0])
    missing = [n for n in ballot["nominations"] if n not in choices]
    if missing:
        raise BallotClientError("ballot_choice_missing", ref=missing[0])
    try:
        wanted = {n: Choice(choices[n]) for n in ballot["nominations"]}
    except ValueError as error:
        raise BallotClientError("ballot_choice_invalid", allowed="yes, no, abstain") from error
    encrypted = crypto.encrypt_ballot(ballot["public_key"], ballot["nominations"], wanted)
    return client.call("POST", f"/ballots/{ballot_id}/votes", json={"voter": voter, "ballot": encrypted.model_dump(mode="json")})


def count(client: ServiceClient, ballot_id: str, key: TellerKey, unit: str | None) -> dict[str, Any]:
    """This teller's share of the tally's decryption. First it recomputes the tally from the published box
    and checks it is the one the server asks to decrypt: a teller never decrypts anything but the whole box."""
    view = client.call("GET", f"/ballots/{ballot_id}/tellers")
    counting = view["counting"]
    if counting is None:
        raise BallotClientError("ballot_not_ready", status="open")
    tally = [[Encrypted.model_validate(c) for c in row] for row in counting["tally"]]
    nominations = client.call("GET", f"/ballots/{ballot_id}")["nominations"]
    recomputed, ballots = _box_tally(client, ballot_id, view["public_key"], nominations)
    if recomputed != tally or ballots != counting["voted"]:
        raise BallotClientError("ballot_tally_mismatch")
    index = _my_index(view, key)
    deals = [TellerDeal.model_validate(d) for d in view["deals"]]
    try:
        secret = crypto.secret_share(ballot_id, index, key.private, deals)
    except crypto.ProofFailed as error:
        raise BallotClientError("ballot_deal_bad") from error
    share = crypto.count(index, secret, tally)
    return client.call("POST", f"/ballots/{ballot_id}/counts", json={"unit": unit, "count": share.model_dump(mode="json")})


def _box_tally(client: ServiceClient, ballot_id: str, key: str, nominations: list[str]) -> tuple[list[list[Encrypted]], int]:
    """The published box's product, every ballot checked on the way, and how many there were."""
    tally, after, ballots = crypto.Tally(len(nominations)), "", 0
    while True:
        page = client.call("GET", f"/ballots/{ballot_id}/box", params={"after": after, "limit": 200})
        for entry in page["ballots"]:
            try:
                tally.add_published(entry["receipt"], EncryptedBallot.model_validate(entry["ballot"]), key, nominations)
            except crypto.ProofFailed as error:
                raise BallotClientError("ballot_tally_mismatch") from error
            ballots += 1
        if not page["next"]:
            return tally.encrypted(), ballots
        after = page["next"]
