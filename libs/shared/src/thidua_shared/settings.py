"""Configuration, read from `THIDUA_*` environment variables.

With nothing set, everything is embedded: a local nats-server and SQLite files
under `./var/`. Production sets `THIDUA_NATS_URL` and one database URL per
service (`THIDUA_REGISTRY_DATABASE_URL`, ...).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

NODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
LINK_KEY_SUFFIX = ".link.pub"

from thidua_shared.topology import PORTAL, PORTAL_PORT, SERVICES


class Settings(BaseSettings):
    """Settings shared by every process of one node."""

    model_config = SettingsConfigDict(env_prefix="THIDUA_", extra="ignore")

    node: str = Field("vn", description="Node id: `vn` for the centre, a province code for a provincial node")
    var_dir: Path = Field(Path("var"), description="Where data, keys and logs live")
    nats_url: str | None = Field(None, description="External NATS; unset means the embedded nats-server")
    # Not 4222: a machine may already run its own NATS there.
    nats_port: int = Field(4322, description="Client port of the embedded nats-server")
    nats_monitor_port: int = Field(8322, description="Monitoring port of the embedded nats-server")
    stream_replicas: int = Field(1, ge=1, le=5)
    cluster_size: int = Field(1, ge=1, le=5, description="Embedded: how many nats-servers form the centre's cluster (3 in production)")
    cluster_port: int = Field(6322, description="Embedded cluster: route port of the first server (the others follow)")
    read_your_writes_seconds: float = Field(
        10.0, gt=0, le=60, description="How long a request carrying `Thidua-After` waits for those positions before a 503 with Retry-After",
    )
    outbox_alarm_seconds: int = Field(60, ge=1, description="/health answers 503 once an event has waited this long to be published")
    max_upload_mb: int = Field(20, ge=1, le=1024, description="Largest file accepted by an upload")
    max_unpacked_mb: int = Field(100, ge=1, le=4096, description="Largest size an uploaded .xlsx may unpack to")
    max_import_rows: int = Field(100_000, ge=1, le=10_000_000, description="Most rows in one imported file")
    max_json_kb: int = Field(1024, ge=16, le=65536, description="Largest JSON request body")
    log_format: Literal["auto", "console", "json"] = "auto"
    log_level: str = "INFO"
    language: Literal["vi", "en"] = "vi"
    host: str = "127.0.0.1"

    @field_validator("node")
    @classmethod
    def _node_is_a_subject_token(cls, value: str) -> str:
        if not NODE_PATTERN.match(value):
            raise ValueError("node must be lower-case letters, digits, '-' or '_' (it is a NATS subject token)")
        return value

    trusted_keys: Path | None = Field(
        None, description="Folder of the public keys (<node>.ed25519.pub.pem) whose events are accepted; default var/keys"
    )

    credentials: Path | None = Field(
        None, description="Folder of the NATS credentials (<identity>.nk seed files); default var/credentials"
    )

    # --- provincial nodes (see docs: "Provincial nodes") ---
    centre_url: str | None = Field(
        None, description="On a provincial node: the centre's leaf node URL (nats-leaf://host:7422); unset on the centre"
    )
    centre_node: str = Field("vn", description="The centre's node id")
    leaf_port: int = Field(7422, description="On the centre: the port provincial nodes' leaf links connect to")
    link_cut_alarm_hours: float = Field(
        72, gt=0, description="The centre reports a province whose link has been down longer than this"
    )
    proof_url: str = Field(
        "https://thidua.vn/minh-bach/{ref}",
        description="Where a citizen fetches a proof (`{ref}`: award:<decision id>); printed, with the leaf hash, as a QR code on certificates",
    )
    checkpoint_minutes: float = Field(
        10, gt=0, description="On the centre: how often `up` brings the Merkle log up to date and signs a checkpoint"
    )

    @property
    def ledger_path(self) -> Path:
        """The centre's transparency log (the Merkle tree over its log, and the checkpoints signed)."""
        return self.var_dir / "ledger" / "tlog.sqlite"

    @model_validator(mode="after")
    def _centre_or_province(self) -> "Settings":
        """The centre has no centre to link to; any other node is a province and needs the centre's URL."""
        if self.node == self.centre_node and self.centre_url:
            raise ValueError(f"nút {self.node} là trung tâm: không đặt THIDUA_CENTRE_URL / node {self.node} is the centre: THIDUA_CENTRE_URL must not be set")
        if self.node != self.centre_node and not self.centre_url:
            raise ValueError(
                f"nút {self.node} là nút tỉnh: cần THIDUA_CENTRE_URL (hoặc --centre), địa chỉ liên kết tới trung tâm"
                f" / node {self.node} is a provincial node: set THIDUA_CENTRE_URL (or --centre) to the centre's leaf URL"
            )
        return self

    @property
    def is_province(self) -> bool:
        return self.centre_url is not None

    @property
    def nodes_dir(self) -> Path:
        """On the centre: one `<province>.link.pub` per registered provincial node (its link's public NKey)."""
        return self.var_dir / "nodes"

    def link_key_path(self, province: str) -> Path:
        """On the centre: where a registered province's link NKey (public) is kept."""
        return self.nodes_dir / f"{province}{LINK_KEY_SUFFIX}"

    def provinces(self) -> list[str]:
        """The provincial nodes registered at this centre (none on a province)."""
        if self.is_province or not self.nodes_dir.is_dir():
            return []
        return sorted(p.name.removesuffix(LINK_KEY_SUFFIX) for p in self.nodes_dir.glob(f"*{LINK_KEY_SUFFIX}"))

    @property
    def keys_dir(self) -> Path:
        return self.var_dir / "keys"

    @property
    def credentials_dir(self) -> Path:
        return self.credentials or self.var_dir / "credentials"

    @property
    def trusted_keys_dir(self) -> Path:
        return self.trusted_keys or self.keys_dir

    @property
    def effective_nats_url(self) -> str:
        """One URL, or several separated by commas (a cluster)."""
        if self.nats_url:
            return self.nats_url
        return ",".join(f"nats://127.0.0.1:{self.nats_port + i}" for i in range(self.cluster_size))

    @property
    def nats_servers(self) -> list[str]:
        """The URLs to connect to (the client also learns the rest of a cluster from the first it reaches)."""
        return [url.strip() for url in self.effective_nats_url.split(",") if url.strip()]

    @property
    def effective_stream_replicas(self) -> int:
        return max(self.stream_replicas, min(self.cluster_size, 3))


class ServiceSettings(BaseSettings):
    """Settings of one service, read from `THIDUA_<SERVICE>_*`."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = None
    port: int | None = None
    nats_seed_file: Path | None = None  # this service's NATS credentials; default <credentials>/<service>.nk

    @classmethod
    def for_service(cls, service: str) -> "ServiceSettings":
        return cls(_env_prefix=f"THIDUA_{service.upper()}_")  # type: ignore[call-arg]

    def resolved_database_url(self, service: str, settings: Settings) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(settings.var_dir / 'db' / f'{service}.db').resolve()}"

    def resolved_port(self, service: str) -> int:
        return self.port or (PORTAL_PORT if service == PORTAL else SERVICES[service].port)


class BootstrapSettings(BaseSettings):
    """Set by `thidua up` on first start: the hash of the admin token it printed."""

    model_config = SettingsConfigDict(env_prefix="THIDUA_", extra="ignore")

    bootstrap_admin_token_hash: str | None = None
