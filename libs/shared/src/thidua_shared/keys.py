"""The node's Ed25519 key: generated on first start, kept under `var/keys/`."""

from __future__ import annotations

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
        public_key_path(keys_dir, node).write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
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

    They come from a directory the process was configured with (`<node>.ed25519.pub.pem`),
    never from an event: an event names its node, and the key for that node is looked up
    here. A node unknown at first is looked up again on disk (a key added later is found),
    at most once a second so that a stream of forged names cannot make it read the disk
    for every message."""

    RELOAD_INTERVAL = 1.0

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._missed_at: dict[str, float] = {}

    def key_for(self, node: str) -> Ed25519PublicKey | None:
        key = self._keys.get(node)
        if key is not None:
            return key
        now = time.monotonic()
        if now - self._missed_at.get(node, -self.RELOAD_INTERVAL) < self.RELOAD_INTERVAL:
            return None
        path = public_key_path(self.directory, node)
        if "/" in node or not path.is_file():
            self._missed_at[node] = now
            return None
        self._keys[node] = key = load_public_key(path)
        return key
