"""The transparency log's pieces: RFC 6962 trees and proofs (the RFC's vectors, pymerkle, properties)
and the C2SP signed notes, checkpoints, cosignatures and proofs."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from thidua_shared.transparency import merkle
from thidua_shared.transparency.notes import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    InclusionProofText,
    Note,
    NoteError,
    Verifier,
    cosign,
    parse_note,
    sign,
    verified_by,
)

# Certificate Transparency's test vectors for RFC 6962 (the leaves, the root of each prefix, some proofs).
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = {
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (0, 1): [],
}
CONSISTENCY = {
    (1, 1): [],
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}


def tree_of(leaves: list[bytes]) -> merkle.MemoryTree:
    tree = merkle.MemoryTree()
    for leaf in leaves:
        tree.append(merkle.leaf_hash(leaf))
    return tree


def test_the_rfc_6962_vectors() -> None:
    tree = tree_of(LEAVES)
    assert merkle.root_hash(0, tree.subtree).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert [tree.root(n).hex() for n in range(1, 9)] == ROOTS
    for (index, size), path in INCLUSION.items():
        assert [h.hex() for h in merkle.inclusion_proof(index, size, tree.subtree)] == path
        assert merkle.verify_inclusion(merkle.leaf_hash(LEAVES[index]), index, size, [bytes.fromhex(h) for h in path], tree.root(size))
    for (old, new), proof in CONSISTENCY.items():
        assert [h.hex() for h in merkle.consistency_proof(old, new, tree.subtree)] == proof
        assert merkle.verify_consistency(old, new, tree.root(old), tree.root(new), [bytes.fromhex(h) for h in proof])


def test_roots_and_proofs_agree_with_pymerkle() -> None:
    """pymerkle (an independent implementation of the same tree) gives the same root for every size."""
    leaves = [f"sự kiện {i}".encode() for i in range(300)]
    ours, theirs = tree_of(leaves), InmemoryTree(algorithm="sha256")
    for leaf in leaves:
        theirs.append_entry(leaf)
    for size in range(1, len(leaves) + 1):
        root = theirs.get_root(size)
        assert ours.root(size) == root, size
        index = (size * 7919) % size
        path = merkle.inclusion_proof(index, size, ours.subtree)
        assert merkle.verify_inclusion(merkle.leaf_hash(leaves[index]), index, size, path, root)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 200), st.data())
def test_every_proof_verifies_and_a_changed_one_does_not(size: int, data: st.DataObject) -> None:
    tree = tree_of([i.to_bytes(4, "big") for i in range(size)])
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(0, size))
    path = merkle.inclusion_proof(index, size, tree.subtree)
    leaf = merkle.leaf_hash(index.to_bytes(4, "big"))
    assert merkle.verify_inclusion(leaf, index, size, path, tree.root(size))
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), index, size, path, tree.root(size))
    proof = merkle.consistency_proof(old, size, tree.subtree)
    assert merkle.verify_consistency(old, size, tree.root(old), tree.root(size), proof)
    if 0 < old < size:
        # A log that rewrote an old leaf cannot prove it only grew.
        rewritten = tree_of([b"rewritten", *(i.to_bytes(4, "big") for i in range(1, size))])
        assert not merkle.verify_consistency(old, size, tree.root(old), rewritten.root(size),
                                             merkle.consistency_proof(old, size, rewritten.subtree))


def test_a_checkpoint_signed_and_cosigned_in_the_c2sp_formats() -> None:
    log_key, witness_key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    log = Verifier("thidua.vn/log", ED25519, log_key.public_key())
    witness = Verifier("thidua.vn/witness/hp", COSIGNATURE_V1, witness_key.public_key())
    checkpoint = Checkpoint("thidua.vn/log", 8, bytes.fromhex(ROOTS[7]))
    note = Note(checkpoint.text(), [sign(checkpoint.text(), log.name, log_key)])
    note = note.with_signature(cosign(note.text, witness.name, witness_key, 1764057600))
    text = str(note)
    assert text.startswith(f"thidua.vn/log\n8\n{base64.b64encode(bytes.fromhex(ROOTS[7])).decode()}\n\n— thidua.vn/log ")

    parsed = parse_note(text)
    assert Checkpoint.parse(parsed.text) == checkpoint
    assert verified_by(parsed, [log, witness]) == [log, witness]
    assert Verifier.from_vkey(log.vkey()) == log and Verifier.from_vkey(witness.vkey()).kind == COSIGNATURE_V1
    # An unknown key is ignored; a known key's bad signature rejects the note.
    assert verified_by(parsed, [Verifier("thidua.vn/log", ED25519, other.public_key())]) == []
    forged = text.replace("\n8\n", "\n9\n")
    with pytest.raises(NoteError):
        verified_by(parse_note(forged), [log])

    proof = InclusionProofText(5, [bytes.fromhex(h) for h in INCLUSION[(5, 8)]], parsed, extra=b"event-id")
    again = InclusionProofText.parse(str(proof))
    assert (again.index, again.path, again.extra, str(again.checkpoint)) == (5, proof.path, b"event-id", text)
    for bad in ("", "c2sp.org/tlog-proof@v1\nindex 01\n\n" + text, "nonsense\n\n" + text, text):
        with pytest.raises(NoteError):
            InclusionProofText.parse(bad)
