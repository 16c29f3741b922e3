"""Every service's OpenAPI, fuzzed by schemathesis against the real system (`thidua up`): no server error.

Hypothesis generates requests for every operation, valid and invalid, with a national
admin's token; the answer must never be a 5xx. The number of examples per operation is
bounded (THIDUA_FUZZ_EXAMPLES, default 25) so that the whole run takes a minute or so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.e2e.test_thidua_up import Up

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("THIDUA_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    """The whole system with a little data, so that generated requests also meet real units and campaigns."""
    up = Up(tmp_path_factory.mktemp("fuzz") / "var").start()
    try:
        registry, campaigns = up.client(up.registry), up.client(up.campaigns)
        for body in (
            {"code": "VCA", "name": "Liên minh Hợp tác xã Việt Nam", "kind": "national_alliance"},
            {"code": "LMHTX-37", "name": "Liên minh HTX tỉnh Ninh Bình", "kind": "provincial_alliance", "parent": "VCA", "province_code": "37"},
            {"code": "HTX-37-KT", "name": "HTX Dịch vụ nông nghiệp Khánh Thiện", "kind": "cooperative", "parent": "LMHTX-37"},
        ):
            registry.post("/units", json=body).raise_for_status()
        campaign = {"issuer": "LMHTX-37", "title": "Đoàn kết sáng tạo", "period_start": "2026-01-01", "period_end": "2026-12-31",
                    "indicators": [{"code": "I", "title": "Sáng kiến", "kind": "achieved", "max_points": 100}]}
        assert campaigns.post("/campaigns", json=campaign).status_code == 201
        yield up
    finally:
        up.stop()


def fuzz(url: str, up: Up) -> tuple[list[str], dict[int, int]]:
    """Run every operation of the service at `url` with generated requests; return the server errors
    found, and how many answers of each status came back (so a run that tested nothing shows)."""
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    failures: list[str] = []
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call_and_validate(base_url=url, headers=up.admin(), checks=[not_a_server_error], timeout=30)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            run()
        except Exception as failure:  # noqa: BLE001 - collected, so that one report lists every operation that failed
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    return failures, statuses


@pytest.mark.parametrize("service", ["registry", "campaigns", "scoring", "awards"])
def test_no_generated_request_gets_a_server_error(service: str, running: Up) -> None:
    failures, statuses = fuzz(getattr(running, service), running)
    assert failures == []
    assert sum(statuses.values()) >= 100 and any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses), statuses


def test_every_operation_documents_its_error_answers(running: Up) -> None:
    for url in (running.registry, running.campaigns, running.scoring, running.awards):
        paths = httpx.get(f"{url}/openapi.json").json()["paths"]
        for path, operations in paths.items():
            for method, operation in operations.items():
                documented = set(operation["responses"])
                assert {"400", "401", "403", "404", "409", "422"} <= documented, (url, method, path, documented)
                content = operation["responses"]["404"]["content"]
                assert any(media["schema"]["$ref"].endswith("/ErrorBody") for media in content.values()), (method, path, content)
