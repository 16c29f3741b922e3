"""A node is the centre or a province, never something in between."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from thidua_shared.settings import Settings


def test_a_province_needs_the_centres_url_and_the_centre_has_none() -> None:
    province = Settings(node="hp", centre_url="nats-leaf://centre.example:7422")
    assert province.is_province and province.provinces() == []
    assert not Settings(node="vn").is_province
    with pytest.raises(ValidationError, match="THIDUA_CENTRE_URL"):
        Settings(node="hp")
    with pytest.raises(ValidationError, match="trung tâm"):
        Settings(node="vn", centre_url="nats-leaf://elsewhere:7422")


def test_a_cluster_lists_every_server_and_replicates_three_times() -> None:
    cluster = Settings(node="vn", cluster_size=3, nats_port=5000)
    assert cluster.nats_servers == ["nats://127.0.0.1:5000", "nats://127.0.0.1:5001", "nats://127.0.0.1:5002"]
    assert cluster.effective_stream_replicas == 3
    assert Settings(node="vn", nats_url="nats://a:4222, nats://b:4222").nats_servers == ["nats://a:4222", "nats://b:4222"]
