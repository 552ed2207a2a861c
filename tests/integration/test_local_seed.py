"""Seeding goes through the public API; when the API cannot seed, the cloud still runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.local import seed
from tests.fixtures.local.support import call, running_cloud

pytestmark = pytest.mark.integration


def test_a_failed_seed_is_a_clear_message_not_a_dead_cloud(tmp_path: Path) -> None:
    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    (seed_dir / "quiz.json").write_text(json.dumps({"name": "Q"}))

    # The test template has no POST /accounts: seeding fails at its first step.
    with running_cloud(tmp_path / "data", seed=True, seed_dir=seed_dir) as cloud:
        endpoints = cloud.cloud.endpoints
        assert endpoints is not None
        error = cloud.cloud.seed_error

        assert error is not None and cloud.cloud.seed_result is None
        assert "POST " in error and "/accounts answered 404" in error
        assert "route_not_found" in error
        assert call(endpoints.http_api_url, "GET", "/items/special").status == 200


def test_seed_files_are_the_json_documents_in_order(tmp_path: Path) -> None:
    for name in ("b.json", "a.json", "notes.txt"):
        (tmp_path / name).write_text("{}")

    assert seed.seed_files(tmp_path) == [tmp_path / "a.json", tmp_path / "b.json"]
    assert seed.seed_files(tmp_path / "missing") == []
