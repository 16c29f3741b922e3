"""A secret ballot as it travels: what a voter's device encrypts, a teller deals and counts, and anyone checks.

Built on `secret_ballot` (the group and its proofs) and the wire models of `events.awards`. One voter's
choice on one nomination is three ciphertexts (yes, no, abstain), each of 0 or 1, adding up to one. The
awards service checks every proof and never sees a choice; at the end of voting it multiplies the box
into one encrypted tally per nomination and option, which any k tellers decrypt. Who uses it:
- a voter's client (CLI, portal): `encrypt_ballot`, `receipt_of`;
- the awards service and auditors: `check_ballot`, `Tally`, `check_deal`, `ballot_key`, `check_count`,
  `decrypt`;
- a teller's client: `transport_keys`, `deal`, `secret_share`, `count`.

A teller's key shares travel sealed with HPKE (RFC 9180: X25519, HKDF-SHA256, AES-128-GCM, from
`cryptography`) to the transport key each teller registered once; the server relays them unread.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence

from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from thidua_shared import secret_ballot as group
from thidua_shared.events.awards import (
    Choice,
    Encrypted,
    EncryptedBallot,
    EncryptedChoice,
    EncryptedOption,
    KnowledgeProof,
    PartialDecryption,
    TellerCount,
    TellerDeal,
)
from thidua_shared.events.envelope import canonical_json
from thidua_shared.secret_ballot import Ciphertext, ProofFailed

__all__ = ["OPTIONS", "ProofFailed", "Tally", "ballot_key", "check_ballot", "check_count", "check_deal", "count", "deal", "decrypt",
           "encrypt_ballot", "number", "public_share", "receipt_of", "secret_share", "transport_keys", "value"]

OPTIONS = (Choice.YES, Choice.NO, Choice.ABSTAIN)
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)


# --- numbers on the wire ------------------------------------------------------------------------------------
def number(x: int) -> str:
    return _b64(x.to_bytes(max(1, (x.bit_length() + 7) // 8), "big"))


def value(text: str) -> int:
    try:
        return int.from_bytes(_unb64(text), "big")
    except ValueError as error:
        raise ProofFailed("not a number") from error


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Unpadded base64url, as every number, key and sealed share travels."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _ciphertext(c: Encrypted) -> Ciphertext:
    return Ciphertext(value(c.alpha), value(c.beta))


def _encrypted(c: Ciphertext) -> Encrypted:
    return Encrypted(alpha=number(c.alpha), beta=number(c.beta))


# --- the voter ------------------------------------------------------------------------------------------------
def encrypt_ballot(key: str, nominations: Sequence[str], choices: Mapping[str, Choice]) -> EncryptedBallot:
    """Encrypts one choice per nomination to the ballot's key, with the proofs the server checks."""
    k = value(key)
    encrypted = []
    for nomination in nominations:
        options, randomness = [], 0
        for option in OPTIONS:
            m, r = int(choices[nomination] is option), group.random_exponent()
            c = group.encrypt(m, k, r)
            proof = group.prove_zero_or_one(c, m, r, k)
            options.append(EncryptedOption(alpha=number(c.alpha), beta=number(c.beta), c0=number(proof.c0), c1=number(proof.c1),
                                           v0=number(proof.v0), v1=number(proof.v1)))
            randomness = (randomness + r) % group.Q
        total = group.product(_ciphertext(o) for o in options)
        sum_proof = group.prove_value(total, 1, randomness, k)
        encrypted.append(EncryptedChoice(nomination_id=nomination, options=options, c=number(sum_proof.c), v=number(sum_proof.v)))
    return EncryptedBallot(choices=encrypted)


def receipt_of(ballot: EncryptedBallot) -> str:
    """The voter's receipt: the SHA-256 of their encrypted ballot, found again in the published box."""
    return hashlib.sha256(canonical_json(ballot.model_dump(mode="json"))).hexdigest()


def check_ballot(ballot: EncryptedBallot, key: str, nominations: Sequence[str]) -> None:
    """Every option encrypts 0 or 1 and each nomination's options add up to one: a ballot can neither vote twice
    for one option nor leave a question unanswered, and nobody learns which option it chose."""
    if [c.nomination_id for c in ballot.choices] != list(nominations):
        raise ProofFailed("nominations")
    k = value(key)
    for choice in ballot.choices:
        options = [_ciphertext(o) for o in choice.options]
        for c, o in zip(options, choice.options, strict=True):
            group.check_zero_or_one(c, group.ZeroOrOne(value(o.c0), value(o.c1), value(o.v0), value(o.v1)), k)
        group.check_value(group.product(options), 1, group.KnownValue(value(choice.c), value(choice.v)), k)


class Tally:
    """The box's product, ballot by ballot (a box is read in batches, never whole)."""

    def __init__(self, nominations: int) -> None:
        self.products = [[Ciphertext(1, 1) for _ in OPTIONS] for _ in range(nominations)]

    def add(self, ballot: EncryptedBallot) -> None:
        for row, choice in zip(self.products, ballot.choices, strict=True):
            for i, option in enumerate(choice.options):
                row[i] = row[i] * _ciphertext(option)

    def add_published(self, receipt: str, ballot: EncryptedBallot, key: str, nominations: Sequence[str]) -> None:
        """A ballot of a published box, as a teller or an auditor recounts it: its receipt is its hash and its proofs
        hold (a ballot the server forged or altered would make the tally a lie), then it is multiplied in."""
        if receipt_of(ballot) != receipt:
            raise ProofFailed("a receipt that is not its ballot's hash")
        check_ballot(ballot, key, nominations)
        self.add(ballot)

    def encrypted(self) -> list[list[Encrypted]]:
        return [[_encrypted(c) for c in row] for row in self.products]


# --- the tellers' key -----------------------------------------------------------------------------------------
def transport_keys() -> tuple[bytes, str]:
    """A teller's transport key pair: the private part (raw, kept by the teller), the public part to register."""
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return raw, _b64(public)


def _context(ballot_id: str, dealer: int, recipient: int) -> bytes:
    return f"thidua ballot {ballot_id} share {dealer}->{recipient}".encode()


def deal(ballot_id: str, index: int, threshold: int, recipients: Mapping[int, str]) -> TellerDeal:
    """A teller's deal: a fresh secret polynomial, its commitments and proofs, and its value at each teller's
    index sealed to that teller (itself included). The polynomial is forgotten when this returns."""
    coefficients = group.polynomial(threshold)
    commitments = group.commitments(coefficients)
    proofs = [group.prove_knowledge(a, c) for a, c in zip(coefficients, commitments, strict=True)]
    sealed = {}
    for recipient, public in sorted(recipients.items()):
        key = X25519PublicKey.from_public_bytes(_unb64(public))
        share = group.share_for(coefficients, recipient).to_bytes(group.ELEMENT_BYTES, "big")
        blob = SUITE.encrypt(share, key, info=_context(ballot_id, index, recipient))
        sealed[str(recipient)] = _b64(blob)
    return TellerDeal(index=index, commitments=[number(c) for c in commitments],
                      proofs=[KnowledgeProof(c=number(p.c), v=number(p.v)) for p in proofs], sealed=sealed)


def check_deal(deal_: TellerDeal, threshold: int, tellers: int) -> None:
    """A deal commits to a polynomial of the ballot's degree, proves knowing it and seals a share to every teller."""
    if len(deal_.commitments) != threshold or len(deal_.proofs) != threshold:
        raise ProofFailed("degree")
    if set(deal_.sealed) != {str(i) for i in range(1, tellers + 1)}:
        raise ProofFailed("recipients")
    for commitment, proof in zip(deal_.commitments, deal_.proofs, strict=True):
        group.check_knowledge(value(commitment), group.Knowledge(value(proof.c), value(proof.v)))


def _commitments(deals: Iterable[TellerDeal]) -> list[list[int]]:
    return [[value(c) for c in d.commitments] for d in sorted(deals, key=lambda d: d.index)]


def ballot_key(deals: Iterable[TellerDeal]) -> str:
    return number(group.joint_key(_commitments(deals)))


def public_share(deals: Iterable[TellerDeal], index: int) -> int:
    """g to the share of the key of the teller at `index`: what its decryption shares are checked against."""
    return group.public_share(_commitments(deals), index)


def secret_share(ballot_id: str, index: int, private_key: bytes, deals: Iterable[TellerDeal]) -> int:
    """The teller's share of the ballot's key: the sum of what every dealer sealed to it, each checked against
    that dealer's commitments (a dealer who cheated is named)."""
    key = X25519PrivateKey.from_private_bytes(private_key)
    total = 0
    for d in deals:
        blob = d.sealed[str(index)]
        try:
            share = int.from_bytes(SUITE.decrypt(_unb64(blob), key, info=_context(ballot_id, d.index, index)), "big")
        except Exception as error:  # cryptography's InvalidTag or a malformed blob: either way not ours
            raise ProofFailed(f"the share from teller {d.index} does not open with this key") from error
        group.check_share(share, [value(c) for c in d.commitments], index)
        total = (total + share) % group.Q
    return total


# --- counting -------------------------------------------------------------------------------------------------
def count(index: int, secret: int, tally: Sequence[Sequence[Encrypted]]) -> TellerCount:
    shares = []
    for row in tally:
        shares.append([_partial(group.decryption_share(index, secret, _ciphertext(c))) for c in row])
    return TellerCount(index=index, shares=shares)


def _partial(share: group.DecryptionShare) -> PartialDecryption:
    return PartialDecryption(m=number(share.m), c=number(share.c), v=number(share.v))


def _share(index: int, p: PartialDecryption) -> group.DecryptionShare:
    return group.DecryptionShare(index, value(p.m), value(p.c), value(p.v))


def check_count(count_: TellerCount, tally: Sequence[Sequence[Encrypted]], public: int) -> None:
    if len(count_.shares) != len(tally) or any(len(row) != len(OPTIONS) for row in count_.shares):
        raise ProofFailed("shape")
    for shares, row in zip(count_.shares, tally, strict=True):
        for p, c in zip(shares, row, strict=True):
            group.check_decryption_share(_share(count_.index, p), _ciphertext(c), public)


def decrypt(tally: Sequence[Sequence[Encrypted]], counts: Sequence[TellerCount], voted: int) -> list[dict[Choice, int]]:
    """Per nomination, how many chose each option: from `threshold` checked counts (checked before)."""
    results = []
    for n, row in enumerate(tally):
        results.append({option: group.decrypt_tally(_ciphertext(c), [_share(k.index, k.shares[n][i]) for k in counts], voted)
                        for i, (option, c) in enumerate(zip(OPTIONS, row, strict=True))})
    return results
