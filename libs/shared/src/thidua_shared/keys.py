"""The node's Ed25519 key: generated on first start, kept under `var/keys/`."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def private_key_path(keys_dir: Path, node: str) -> Path:
    return keys_dir / f"{node}.ed25519.pem"


def public_key_path(keys_dir: Path, node: str) -> Path:
    return keys_dir / f"{node}.ed25519.pub.pem"


def registered_key_path(keys_dir: Path, node: str, key: Ed25519PublicKey) -> Path:
    """Where a key registered for `node` by the centre is kept, beside any earlier one (rotation)."""
    return keys_dir / f"{node}.{fingerprint(key)}.ed25519.pub.pem"


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def write_public_key(path: Path, key: Ed25519PublicKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def ensure_node_key(keys_dir: Path, node: str) -> Ed25519PrivateKey:
    """Load the node's key, creating it (private part readable by the owner only) if absent."""
    path = private_key_path(keys_dir, node)
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        write_public_key(public_key_path(keys_dir, node), key.public_key())
    return load_private_key(path)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def derive_secret(key: Ed25519PrivateKey, purpose: str) -> bytes:
    """A 32-byte secret for one purpose (e.g. keyed digests of ID numbers), derived from the node key."""
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(raw)


class TrustedKeys:
    """The public keys of the nodes whose events this process accepts.

    They come from a directory the process was configured with, never from an event's own
    claim: `<node>.ed25519.pub.pem` (the key configured by hand: the centre's, the root of trust)
    and `<node>.<fingerprint>.ed25519.pub.pem` (keys the centre registered by a signed event, see
    `registry.node_key_registered`). A node may have several: after a rotation, events signed with
    the earlier key still verify. A node unknown at first, or a signature no known key verifies,
    makes the directory be read again, at most once a second per node, so that a stream of forged
    names cannot make it read the disk for every message."""

    RELOAD_INTERVAL = 1.0

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._keys: dict[str, list[Ed25519PublicKey]] = {}
        self._read_at: dict[str, float] = {}

    def keys_for(self, node: str, reload: bool = False) -> list[Ed25519PublicKey]:
        keys = self._keys.get(node)
        if keys and not reload:
            return keys
        now = time.monotonic()
        if now - self._read_at.get(node, -self.RELOAD_INTERVAL) < self.RELOAD_INTERVAL or "/" in node:
            return keys or []
        self._read_at[node] = now
        paths = [public_key_path(self.directory, node), *sorted(self.directory.glob(f"{node}.*.ed25519.pub.pem"))]
        self._keys[node] = keys = [load_public_key(p) for p in paths if p.is_file()]
        return keys

    def key_for(self, node: str) -> Ed25519PublicKey | None:
        """The first of the node's keys (None: the node is not trusted)."""
        keys = self.keys_for(node)
        return keys[0] if keys else None
