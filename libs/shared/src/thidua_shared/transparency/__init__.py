"""The transparency log: an RFC 6962 Merkle tree over the centre's log, signed checkpoints (C2SP
`tlog-checkpoint` in a `signed-note`), witnesses' cosignatures (`tlog-cosignature`) and
offline-checkable proofs (`tlog-proof`)."""
