"""The topology is the contract: services consume what it declares, NATS grants exactly that, AsyncAPI shows it."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from thidua_shared.events.all import load_all
from thidua_shared.events.catalog import CATALOG
from thidua_shared.messaging.asyncapi import asyncapi_document
from thidua_shared.messaging.consumer import ConsumerSpec
from thidua_shared.messaging.nats_access import service_permissions, tools_permissions
from thidua_shared.runtime import check_against_topology
from thidua_shared.topology import SERVICES


def test_every_service_runtime_matches_its_declared_subscriptions():
    from thidua_campaigns.entrypoints.app import build_runtime as campaigns
    from thidua_registry.entrypoints.app import build_runtime as registry

    for build in (registry, campaigns):
        runtime = build()
        assert {c.name for c in runtime.all_consumers} == {s.name for s in runtime.info.all_subscriptions}


def test_a_handler_the_topology_does_not_declare_is_refused_at_start():
    extra = ConsumerSpec("campaigns-registry-replica", "registry", handlers={"registry.person_registered": lambda *_: None})
    with pytest.raises(ValueError, match="differ from thidua_shared.topology"):
        check_against_topology(SERVICES["campaigns"], [extra])


def test_permissions_pin_each_consumer_to_its_filter_and_publishing_to_the_own_subjects():
    campaigns = service_permissions("vn", SERVICES["campaigns"])
    assert "thidua.events.vn.campaigns.>" in campaigns.publish
    assert not any(p.startswith("thidua.events.vn.registry") for p in campaigns.publish)
    assert "$JS.API.CONSUMER.CREATE.EVENTS.campaigns-registry-replica.thidua.events.*.registry.>" in campaigns.publish
    assert campaigns.subscribe == ("_INBOX_campaigns.>",)
    assert not any(p.startswith("thidua.") for p in tools_permissions().publish)


def test_the_asyncapi_document_has_every_event_its_publisher_and_its_consumers():
    load_all()
    document = asyncapi_document()
    sends = {unquote(op["channel"]["$ref"].rsplit("/", 1)[1]) for op in document["operations"].values() if op["action"] == "send"}
    assert {f"{t} v{v}" for t, v in CATALOG} == sends
    channels = document["channels"]
    assert channels["campaigns-registry-replica ← registry.unit_merged"]["address"] == "thidua.events.*.registry.unit_merged"
    # Two consumers of one service read the same event: each has its own channel (no warning, none lost).
    assert {"scoring-standings ← scoring.submission_received", "scoring-rounds-replica ← scoring.submission_received"} <= set(channels)
    assert "registry" in channels["registry.unit_merged v1"]["description"]
    schemas = document["components"]["schemas"]
    assert any("payload" in s.get("properties", {}) for s in schemas.values())


def test_every_message_code_means_one_thing_across_services_and_the_cli() -> None:
    """One process may load every service and the CLI (the audit tests run the CLI in-process beside
    services): a message code defined twice with two texts would fail there, so it fails here first."""
    import importlib

    for service in SERVICES:
        importlib.import_module(f"thidua_{service}.entrypoints.app")
    importlib.import_module("thidua_cli.main")
