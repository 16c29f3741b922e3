"""RFC 6962 Merkle trees (section 2.1; verification as RFC 9162 section 2.1.3.2 and 2.1.4.2 write it).

A leaf's hash is SHA-256(0x00 || leaf), an interior node's SHA-256(0x01 || left || right), and a
tree of n leaves splits at k, the largest power of two smaller than n. Proofs are computed over a
`SubtreeHashes` source, so that a store holding only the complete (perfect, aligned) subtrees can
answer for a tree of millions of leaves in O(log n) reads; `MemoryTree` is such a source in memory.

Hand-written on purpose: the algorithms are a page of the RFC, and the tests check them against the
RFC's vectors and against pymerkle, an independent implementation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Hash = bytes
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> Hash:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


# A source of subtree hashes: the hash of the leaves [start, end) of the log (end > start).
SubtreeHash = Callable[[int, int], Hash]


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[Hash]:
    """PATH(m, D[n]): the hashes from the leaf's sibling up to the root's child."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[Hash] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeHash) -> list[Hash]:
    """PROOF(m, D[n]): what shows the tree of `new_size` leaves extends the tree of `old_size`."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[Hash] = []
    start, end, m, whole = 0, new_size, old_size, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            proof.append(subtree(start + k, end))
            end = start + k
        else:
            proof.append(subtree(start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(subtree(start, end))
    proof.reverse()
    return proof


def verify_inclusion(leaf: Hash, index: int, size: int, path: Sequence[Hash], root: Hash) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: Hash, new_root: Hash, proof: Sequence[Hash]) -> bool:
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


def root_hash(size: int, subtree: SubtreeHash) -> Hash:
    return EMPTY_ROOT if size == 0 else subtree(0, size)


# A store's complete (perfect, aligned) subtree: the hash at (level, index), leaves [index·2^level, (index+1)·2^level).
StoredNode = Callable[[int, int], Hash]


def subtree_hash(start: int, end: int, stored: StoredNode) -> Hash:
    """MTH of the leaves [start, end) from a store that keeps only complete subtrees: a range that is one
    is read; any other splits at k, its left part always complete (RFC 6962 asks for no other ranges)."""
    width = end - start
    if width & (width - 1) == 0 and start % width == 0:
        return stored(width.bit_length() - 1, start // width)
    k = split_point(width)
    return node_hash(subtree_hash(start, start + k, stored), subtree_hash(start + k, end, stored))


def closed_by(index: int, leaf: Hash, last_at: Callable[[int], Hash]) -> list[tuple[int, int, Hash]]:
    """The nodes a leaf appended at `index` completes, as (level, index, hash), the leaf itself first:
    while its index is odd, a subtree closes with its left sibling, the last complete node of that
    level (`last_at(level)`)."""
    nodes, level, current = [(0, index, leaf)], 0, leaf
    while index & 1:
        current = node_hash(last_at(level), current)
        level, index = level + 1, index >> 1
        nodes.append((level, index, current))
    return nodes


class MemoryTree:
    """A log's leaf hashes in memory, with every complete subtree's hash kept as leaves are appended
    (level l, index i: the leaves [i·2^l, (i+1)·2^l)). For tests and for tools over a small log."""

    def __init__(self) -> None:
        self.levels: list[list[Hash]] = [[]]

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: Hash) -> int:
        """Add a leaf's hash; return its index."""
        index = self.size
        for level, _, node in closed_by(index, leaf, lambda level: self.levels[level][-1]):
            if len(self.levels) == level:
                self.levels.append([])
            self.levels[level].append(node)
        return index

    def subtree(self, start: int, end: int) -> Hash:
        return subtree_hash(start, end, lambda level, index: self.levels[level][index])

    def root(self, size: int | None = None) -> Hash:
        return root_hash(self.size if size is None else size, self.subtree)
