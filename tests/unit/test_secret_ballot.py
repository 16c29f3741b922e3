"""The secret ballot's mathematics (thidua_shared/secret_ballot.py): the group is RFC 7919's as OpenSSL ships
it, any k of n tellers decrypt a tally and fewer do not, every proof checks and a forged one does not."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from thidua_shared import secret_ballot as tc

OPTIONS = ("yes", "no", "abstain")


def probably_prime(n: int) -> bool:
    """Miller–Rabin with the first twelve primes as bases (deterministic far beyond 2^64; here a check, not a proof)."""
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


@pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")  # only its parameters are read here
def test_the_group_is_rfc_7919_ffdhe2048_as_openssl_ships_it():
    assert probably_prime(tc.P) and probably_prime(tc.Q) and tc.P == 2 * tc.Q + 1
    assert pow(tc.G, tc.Q, tc.P) == 1 and tc.P.bit_length() == 2048
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the constant is checked against it where it is")
    from cryptography.hazmat.primitives.serialization import load_pem_parameters

    pem = subprocess.run(["openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048"],
                         capture_output=True, check=True).stdout
    numbers = load_pem_parameters(pem).parameter_numbers()
    assert (numbers.p, numbers.g) == (tc.P, tc.G)


def key_ceremony(n: int, k: int) -> tuple[int, dict[int, int], list[list[int]]]:
    """n tellers, threshold k: each one's secret share (after checking every share it received) and the public key."""
    polynomials = {i: tc.polynomial(k) for i in range(1, n + 1)}
    published = {i: tc.commitments(p) for i, p in polynomials.items()}
    for i, p in polynomials.items():
        tc.check_knowledge(published[i][0], tc.prove_knowledge(p[0], published[i][0]))
    secret_shares = {}
    for receiver in polynomials:
        received = {giver: tc.share_for(p, receiver) for giver, p in polynomials.items()}
        for giver, share in received.items():
            tc.check_share(share, published[giver], receiver)
        secret_shares[receiver] = sum(received.values()) % tc.Q
    commitments = list(published.values())
    return tc.joint_key(commitments), secret_shares, commitments


def cast(choice: str, key: int) -> dict[str, tuple[tc.Ciphertext, tc.ZeroOrOne]]:
    """One voter's choice among the options: each option encrypted 0 or 1 with its proof, their sum proven to be 1."""
    randomness = {option: tc.random_exponent() for option in OPTIONS}
    ballot = {}
    for option in OPTIONS:
        m = int(option == choice)
        c = tc.encrypt(m, key, randomness[option])
        ballot[option] = (c, tc.prove_zero_or_one(c, m, randomness[option], key))
    total = tc.product(c for c, _ in ballot.values())
    ballot["sum"] = (total, tc.prove_value(total, 1, sum(randomness.values()) % tc.Q, key))  # type: ignore[assignment]
    return ballot


def test_any_k_of_n_tellers_decrypt_the_tally_and_no_ballot_is_ever_decrypted():
    key, secret_shares, commitments = key_ceremony(n=3, k=2)
    choices = ["yes", "yes", "no", "abstain"]
    box = [cast(choice, key) for choice in choices]
    for ballot in box:  # what anyone checks in the published box
        for option in OPTIONS:
            tc.check_zero_or_one(ballot[option][0], ballot[option][1], key)
        tc.check_value(ballot["sum"][0], 1, ballot["sum"][1], key)  # type: ignore[arg-type]
    tallies = {option: tc.product(ballot[option][0] for ballot in box) for option in OPTIONS}
    for present in ((1, 3), (2, 3), (1, 2, 3)):
        counted = {}
        for option, c in tallies.items():
            shares = [tc.decryption_share(i, secret_shares[i], c) for i in present]
            for share in shares:
                tc.check_decryption_share(share, c, tc.public_share(commitments, share.index))
            counted[option] = tc.decrypt_tally(c, shares, most=len(box))
        assert counted == {"yes": 2, "no": 1, "abstain": 1}, present
    lone = [tc.decryption_share(1, secret_shares[1], tallies["yes"])]
    with pytest.raises(tc.ProofFailed):  # one teller alone learns nothing it could count
        tc.decrypt_tally(tallies["yes"], lone, most=len(box))


def test_forged_ballots_shares_and_decryptions_are_refused():
    key, secret_shares, commitments = key_ceremony(n=2, k=2)
    r = tc.random_exponent()
    one = tc.encrypt(1, key, r)
    proof = tc.prove_zero_or_one(one, 1, r, key)
    two = tc.encrypt(2, key, r)  # a ballot stuffed with two votes for one option
    with pytest.raises(tc.ProofFailed):
        tc.check_zero_or_one(two, proof, key)
    with pytest.raises(tc.ProofFailed):
        tc.check_zero_or_one(one, tc.ZeroOrOne(**{**proof.__dict__, "v0": (proof.v0 + 1) % tc.Q}), key)
    with pytest.raises(tc.ProofFailed):
        tc.check_value(two, 1, tc.prove_value(two, 1, r, key), key)
    with pytest.raises(tc.ProofFailed):
        tc.check_zero_or_one(tc.Ciphertext(tc.P - 1, one.beta), proof, key)  # an element outside the subgroup
    with pytest.raises(tc.ProofFailed):
        tc.check_share((secret_shares[1] + 1) % tc.Q, commitments[0], 1)
    honest = tc.decryption_share(1, secret_shares[1], one)
    forged = tc.DecryptionShare(1, honest.m * tc.G % tc.P, honest.c, honest.v)
    with pytest.raises(tc.ProofFailed):
        tc.check_decryption_share(forged, one, tc.public_share(commitments, 1))
    with pytest.raises(tc.ProofFailed):
        tc.check_knowledge(commitments[0][0], tc.prove_knowledge(tc.random_exponent(), commitments[0][0]))
