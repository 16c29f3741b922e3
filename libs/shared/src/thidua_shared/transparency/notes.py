"""Signed notes, checkpoints, cosignatures and proofs, in the C2SP formats.

- `signed-note`: a text ending in a newline, a blank line, then lines `— <key name> base64(key ID ||
  signature)`; an Ed25519 key's ID is SHA-256(name || 0x0A || 0x01 || public key)[:4].
- `tlog-checkpoint`: the note text `<origin>\\n<size>\\n<base64 root>\\n`.
- `tlog-cosignature` (Ed25519, type 0x04): a witness signs `cosignature/v1\\ntime <t>\\n` followed by
  the checkpoint's text; its signature is base64(key ID || u64 time || signature).
- `tlog-proof`: `c2sp.org/tlog-proof@v1`, optionally `extra <base64>`, `index <n>`, the inclusion
  path one base64 hash a line, a blank line, then the checkpoint verbatim.

A verifier key is written as C2SP's "vkey": `<name>+<key ID, 8 hex digits>+<base64(type || key)>`.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIGNATURE_PREFIX = "— "  # an em dash (U+2014) and a space
PROOF_HEADER = "c2sp.org/tlog-proof@v1"
MAX_SIGNATURES = 64
MAX_NOTE_BYTES = 1 << 20


class NoteError(ValueError):
    """A note, checkpoint or proof that does not follow its format."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise NoteError(f"{what}: not base64") from exc


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A trusted key: its name, kind (0x01 a log's Ed25519 key, 0x04 a witness's cosignature key), key."""

    name: str
    kind: int
    public_key: Ed25519PublicKey

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.kind, raw_public_key(self.public_key))

    def vkey(self) -> str:
        return f"{self.name}+{self.id.hex()}+{_b64(bytes([self.kind]) + raw_public_key(self.public_key))}"

    @classmethod
    def from_vkey(cls, text: str) -> "Verifier":
        try:
            name, hex_id, encoded = text.strip().split("+", 2)  # the key (base64) may hold a "+" itself
        except ValueError as exc:
            raise NoteError("verifier key: expected <name>+<id>+<key>") from exc
        material = _unb64(encoded, "verifier key")
        if len(material) != 33 or material[0] not in (ED25519, COSIGNATURE_V1):
            raise NoteError("verifier key: not an Ed25519 key")
        verifier = cls(name, material[0], Ed25519PublicKey.from_public_bytes(material[1:]))
        if verifier.id.hex() != hex_id.lower():
            raise NoteError("verifier key: its ID does not match the key")
        return verifier


@dataclass(frozen=True)
class Signature:
    name: str
    id: bytes
    data: bytes  # what follows the key ID

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {_b64(self.id + self.data)}\n"


@dataclass(frozen=True)
class Note:
    text: str  # ends with a newline
    signatures: list[Signature] = field(default_factory=list)

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signature(self, signature: Signature) -> "Note":
        kept = [s for s in self.signatures if (s.name, s.id) != (signature.name, signature.id)]
        return Note(self.text, [*kept, signature])


def parse_note(data: str) -> Note:
    """Split a signed note into its text and signatures (nothing verified yet)."""
    if len(data.encode()) > MAX_NOTE_BYTES:
        raise NoteError("note: too large")
    if any(ord(c) < 0x20 and c != "\n" for c in data):
        raise NoteError("note: control characters")
    cut = data.rfind("\n\n")
    if cut < 0 or not data.endswith("\n"):
        raise NoteError("note: no signatures after a blank line")
    text, lines = data[: cut + 1], data[cut + 2 :].splitlines()
    if not lines or len(lines) > MAX_SIGNATURES:
        raise NoteError("note: between 1 and 64 signatures")
    signatures = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("note: a signature line must start with an em dash")
        name, _, encoded = line[len(SIGNATURE_PREFIX):].partition(" ")
        raw = _unb64(encoded, "signature")
        if not name or len(raw) < 5:
            raise NoteError("note: malformed signature line")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    return Note(text, signatures)


def sign(note_text: str, name: str, key: Ed25519PrivateKey) -> Signature:
    """A log's signature of a note (type 0x01)."""
    public = raw_public_key(key.public_key())
    return Signature(name, key_id(name, ED25519, public), key.sign(note_text.encode()))


def cosign(checkpoint_text: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> Signature:
    """A witness's cosignature of a checkpoint at `timestamp` (POSIX seconds; type 0x04)."""
    public = raw_public_key(key.public_key())
    signed = _cosigned_message(checkpoint_text, timestamp)
    return Signature(name, key_id(name, COSIGNATURE_V1, public), struct.pack(">Q", timestamp) + key.sign(signed))


def _cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


def verified_by(note: Note, verifiers: list[Verifier]) -> list[Verifier]:
    """The verifiers whose signature on the note verifies. Signatures of unknown keys are ignored; a known
    key's signature that fails rejects the whole note (NoteError), as the signed-note spec advises."""
    known = {(v.name, v.id): v for v in verifiers}
    good = []
    for signature in note.signatures:
        verifier = known.get((signature.name, signature.id))
        if verifier is None:
            continue
        if verifier.kind == COSIGNATURE_V1:
            if len(signature.data) != 8 + 64:
                raise NoteError(f"cosignature of {signature.name}: wrong length")
            message, raw = _cosigned_message(note.text, cosigned_at(signature)), signature.data[8:]
        else:
            message, raw = note.text.encode(), signature.data
        try:
            verifier.public_key.verify(raw, message)
        except InvalidSignature as exc:
            raise NoteError(f"signature of {signature.name} does not verify") from exc
        good.append(verifier)
    return good


def cosigned_at(signature: Signature) -> int:
    """When a witness cosigned (POSIX seconds): the first 8 bytes of its signature, big-endian."""
    return struct.unpack(">Q", signature.data[:8])[0]


# --- checkpoints ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{_b64(self.root)}\n"

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or not all(lines[:-1]):
            raise NoteError("checkpoint: expected origin, size and root hash, each on a line")
        origin, size, root = lines[0], lines[1], _unb64(lines[2], "checkpoint root")
        if not size.isdigit() or (size != "0" and size.startswith("0")) or len(root) != 32:
            raise NoteError("checkpoint: bad size or root hash")
        return cls(origin, int(size), root)


# --- proofs ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InclusionProofText:
    index: int
    path: list[bytes]
    checkpoint: Note
    extra: bytes | None = None

    def __str__(self) -> str:
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {_b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines += [_b64(h) for h in self.path]
        return "\n".join(lines) + "\n\n" + str(self.checkpoint)

    @classmethod
    def parse(cls, data: str) -> "InclusionProofText":
        head, sep, checkpoint = data.partition("\n\n")
        lines = head.split("\n")
        if not sep or lines[0] != PROOF_HEADER:
            raise NoteError(f"proof: must start with {PROOF_HEADER}")
        position, extra = 1, None
        if len(lines) > 1 and lines[1].startswith("extra "):
            extra, position = _unb64(lines[1][6:], "proof extra"), 2
        if len(lines) <= position or not lines[position].startswith("index "):
            raise NoteError("proof: no index line")
        index = lines[position][6:]
        if not index.isdigit() or (index != "0" and index.startswith("0")):
            raise NoteError("proof: bad index")
        path = [_unb64(line, "proof hash") for line in lines[position + 1 :]]
        if any(len(h) != 32 for h in path) or len(path) > 64:
            raise NoteError("proof: bad inclusion path")
        return cls(int(index), path, parse_note(checkpoint), extra)
