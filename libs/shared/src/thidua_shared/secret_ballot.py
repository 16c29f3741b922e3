"""The mathematics of a secret ballot whose choices nobody can read, only the tally (issue 17, item 2).

Exponential ElGamal in the RFC 7919 group ffdhe2048 (a safe prime p = 2q + 1; g = 2 generates the
subgroup of prime order q): a choice m ∈ {0, 1} is encrypted as (g^r, K^r · g^m) to the ballot's key K.
Ciphertexts multiply into an encryption of the sum, so the tally of a box is decrypted without any
single ballot ever being decrypted. K belongs to nobody: each teller of the vote-counting committee
(Ban kiểm phiếu) picks a secret polynomial of degree k - 1, publishes commitments to its coefficients
and hands each other teller its value at that teller's index (Pedersen's distributed key generation,
as ElectionGuard does); K is the product of the constant terms' commitments. Any k tellers decrypt a
tally together (Lagrange interpolation in the exponent); fewer learn nothing.

Every step carries a non-interactive zero-knowledge proof (Fiat–Shamir with SHA-256): a ballot's
ciphertext encrypts 0 or 1 (a disjunctive Chaum–Pedersen proof, Cramer–Damgård–Schoenmakers), its
options add up to exactly one choice, a teller knows its coefficients (Schnorr), and a teller's share
of a decryption is correct (Chaum–Pedersen). Anyone can check a published box and tally offline.

Pure functions on integers: no I/O, no clock; the randomness is taken from `secrets` or given by the
caller (tests). GMP (gmpy2) does the modular exponentiations: seven times Python's own `pow` on
2048-bit numbers, which matters when a council member's ballot carries a proof per option.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import gmpy2

# RFC 7919, appendix A.1: ffdhe2048. g = 2 generates the subgroup of order q = (p - 1) / 2.
P = int(
    "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695"
    "A9E13641146433FBCC939DCE249B3EF97D2FE363630C75D8F681B202AEC4617A"
    "D3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935"
    "984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797A"
    "BC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4"
    "AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61"
    "9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005"
    "C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF", 16)
Q = (P - 1) // 2
G = 2
ELEMENT_BYTES = 256


G_INVERSE_POWERS = (1, pow(G, -1, P))  # g^-0, g^-1


def power(base: int, exponent: int, modulus: int = P) -> int:
    """base^exponent mod modulus (a negative exponent inverts first)."""
    return int(gmpy2.powmod(base, exponent, modulus))


class ProofFailed(ValueError):
    """A proof, a share or an element that does not check out."""


def random_exponent() -> int:
    return secrets.randbelow(Q - 1) + 1


def is_element(x: int) -> bool:
    """In the subgroup of order q (what every element a client sends must be)."""
    return 1 < x < P and gmpy2.jacobi(x, P) == 1  # the quadratic residues: Euler's criterion, without x^q


def challenge(tag: str, *values: int) -> int:
    """Fiat–Shamir: the hash of everything the prover committed to, as an exponent."""
    digest = hashlib.sha256(tag.encode())
    for value in values:
        digest.update(value.to_bytes(ELEMENT_BYTES, "big"))
    return int.from_bytes(digest.digest(), "big") % Q


# --- ElGamal ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ciphertext:
    alpha: int  # g^r
    beta: int  # K^r · g^m

    def __mul__(self, other: "Ciphertext") -> "Ciphertext":
        return Ciphertext(self.alpha * other.alpha % P, self.beta * other.beta % P)


def encrypt(m: int, key: int, r: int) -> Ciphertext:
    return Ciphertext(power(G, r, P), power(key, r, P) * power(G, m, P) % P)


def product(ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    total = Ciphertext(1, 1)
    for c in ciphertexts:
        total = total * c
    return total


# --- a ciphertext encrypts 0 or 1 (disjunctive Chaum–Pedersen) ---------------------------------------------
# Proofs are kept in their compact form, challenges and responses only: the verifier recomputes the
# prover's commitments from the verification equations and checks they hash to the challenge (a third of
# the size: a box is published, and a council votes on many nominations).
@dataclass(frozen=True)
class ZeroOrOne:
    c0: int
    c1: int
    v0: int
    v1: int


def _recommitted(c: Ciphertext, j: int, challenge_j: int, response: int, key: int) -> tuple[int, int]:
    """The commitments (a, b) that branch j's challenge and response imply: a = g^v α^-c, b = K^v (β/g^j)^-c."""
    shifted = c.beta * (G_INVERSE_POWERS[j] if j < 2 else power(G, -j, P)) % P  # β / g^j
    return (power(G, response, P) * power(c.alpha, -challenge_j, P) % P,
            power(key, response, P) * power(shifted, -challenge_j, P) % P)


def prove_zero_or_one(c: Ciphertext, m: int, r: int, key: int) -> ZeroOrOne:
    """Proves that `c` encrypts 0 or 1 without saying which: the true branch answered, the other simulated."""
    u, c_fake, v_fake = random_exponent(), random_exponent(), random_exponent()
    fake = 1 - m
    simulated = _recommitted(c, fake, c_fake, v_fake, key)
    honest = (power(G, u, P), power(key, u, P))
    (a0, b0), (a1, b1) = (honest, simulated) if m == 0 else (simulated, honest)
    c_true = (challenge("0/1", key, c.alpha, c.beta, a0, b0, a1, b1) - c_fake) % Q
    v_true = (u + c_true * r) % Q
    return ZeroOrOne(c_true, c_fake, v_true, v_fake) if m == 0 else ZeroOrOne(c_fake, c_true, v_fake, v_true)


def check_zero_or_one(c: Ciphertext, proof: ZeroOrOne, key: int) -> None:
    if not (is_element(c.alpha) and is_element(c.beta)):
        raise ProofFailed("ciphertext outside the group")
    a0, b0 = _recommitted(c, 0, proof.c0, proof.v0, key)
    a1, b1 = _recommitted(c, 1, proof.c1, proof.v1, key)
    if (proof.c0 + proof.c1) % Q != challenge("0/1", key, c.alpha, c.beta, a0, b0, a1, b1):
        raise ProofFailed("0/1 proof")


# --- a ciphertext encrypts a known value (Chaum–Pedersen): the options of one choice add up to 1 ----------
@dataclass(frozen=True)
class KnownValue:
    c: int
    v: int


def prove_value(c: Ciphertext, value: int, r: int, key: int) -> KnownValue:
    u = random_exponent()
    e = challenge("value", key, c.alpha, c.beta, value, power(G, u, P), power(key, u, P))
    return KnownValue(e, (u + e * r) % Q)


def check_value(c: Ciphertext, value: int, proof: KnownValue, key: int) -> None:
    a, b = _recommitted(c, value, proof.c, proof.v, key)
    if proof.c != challenge("value", key, c.alpha, c.beta, value, a, b):
        raise ProofFailed("sum proof")


# --- the tellers' key (distributed key generation) --------------------------------------------------------
@dataclass(frozen=True)
class Knowledge:
    """Schnorr: the teller knows the exponent behind a commitment."""

    c: int
    v: int


def polynomial(k: int) -> list[int]:
    """A teller's secret coefficients: degree k - 1, so that any k shares decide and k - 1 learn nothing."""
    return [random_exponent() for _ in range(k)]


def commitments(coefficients: Sequence[int]) -> list[int]:
    return [power(G, a, P) for a in coefficients]


def prove_knowledge(secret: int, commitment: int) -> Knowledge:
    u = random_exponent()
    e = challenge("schnorr", commitment, power(G, u, P))
    return Knowledge(e, (u + e * secret) % Q)


def check_knowledge(commitment: int, proof: Knowledge) -> None:
    h = power(G, proof.v, P) * power(commitment, -proof.c, P) % P  # g^v K^-c
    if not is_element(commitment) or proof.c != challenge("schnorr", commitment, h):
        raise ProofFailed("knowledge proof")


def share_for(coefficients: Sequence[int], index: int) -> int:
    """The polynomial's value at a teller's index (1..n): what that teller receives, in confidence."""
    return sum(a * power(index, j, Q) for j, a in enumerate(coefficients)) % Q


def share_commitment(commitments_of: Sequence[int], index: int) -> int:
    """g to the share a teller of `index` gets from one polynomial, from its public commitments alone."""
    value = 1
    for j, commitment in enumerate(commitments_of):
        value = value * power(commitment, power(index, j, Q), P) % P
    return value


def check_share(share: int, commitments_of: Sequence[int], index: int) -> None:
    if power(G, share, P) != share_commitment(commitments_of, index):
        raise ProofFailed("a share that does not match its teller's commitments")


def joint_key(all_commitments: Iterable[Sequence[int]]) -> int:
    """The ballot's public key: the product of every teller's constant-term commitment."""
    key = 1
    for teller in all_commitments:
        key = key * teller[0] % P
    return key


def public_share(all_commitments: Iterable[Sequence[int]], index: int) -> int:
    """g^(teller's secret share): what its decryption shares are checked against."""
    value = 1
    for teller in all_commitments:
        value = value * share_commitment(teller, index) % P
    return value


# --- decrypting a tally: each teller's share, then Lagrange in the exponent ----------------------------------
@dataclass(frozen=True)
class DecryptionShare:
    index: int
    m: int  # α^s
    c: int
    v: int


def decryption_share(index: int, secret_share: int, c: Ciphertext) -> DecryptionShare:
    m = power(c.alpha, secret_share, P)
    u = random_exponent()
    e = challenge("decrypt", power(G, secret_share, P), c.alpha, m, power(G, u, P), power(c.alpha, u, P))
    return DecryptionShare(index, m, e, (u + e * secret_share) % Q)


def check_decryption_share(share: DecryptionShare, c: Ciphertext, public: int) -> None:
    if not is_element(share.m):
        raise ProofFailed("decryption share outside the group")
    a = power(G, share.v, P) * power(public, -share.c, P) % P  # g^v Y^-c
    b = power(c.alpha, share.v, P) * power(share.m, -share.c, P) % P  # α^v m^-c
    if share.c != challenge("decrypt", public, c.alpha, share.m, a, b):
        raise ProofFailed("decryption share")


def lagrange_at_zero(index: int, present: Sequence[int]) -> int:
    numerator, denominator = 1, 1
    for other in present:
        if other != index:
            numerator = numerator * other % Q
            denominator = denominator * (other - index) % Q
    return numerator * power(denominator, -1, Q) % Q


def decrypt_tally(c: Ciphertext, shares: Sequence[DecryptionShare], most: int) -> int:
    """The count from k checked decryption shares: g^t = β / Π m_ℓ^λ_ℓ, t found by counting up (t ≤ most)."""
    present = [s.index for s in shares]
    if len(set(present)) != len(present):
        raise ProofFailed("a teller counted twice")
    blinding = 1
    for share in shares:
        blinding = blinding * power(share.m, lagrange_at_zero(share.index, present), P) % P
    target = c.beta * power(blinding, -1, P) % P
    g_t = 1
    for t in range(most + 1):
        if g_t == target:
            return t
        g_t = g_t * G % P
    raise ProofFailed("the shares do not decrypt to a count of at most the voters")
