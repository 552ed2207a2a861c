"""The whole local cloud, started once per test session exactly as a developer starts it.

``local_cloud`` runs `trivia up --no-seed` as a child process (temporary endpoints file and
data dir), waits for the endpoints file, yields the loaded ``Endpoints`` and stops the cloud with
Ctrl-C (SIGINT) at the end. Other suites' e2e tests rely on this name and behaviour.
``seeded_cloud`` is the same with the sample quizzes seeded (a second cloud, started only by the
tests that ask for it); it fails if seeding failed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clients.sdk.endpoints import Endpoints
from tests.fixtures.local.trivia_up import TriviaUp


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    cloud = TriviaUp(tmp_path_factory.mktemp("local-cloud")).start()
    try:
        yield cloud.wait_ready()
    finally:
        cloud.stop()


@pytest.fixture(scope="session")
def seeded_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    cloud = TriviaUp(tmp_path_factory.mktemp("seeded-cloud"), seed=True).start()
    try:
        endpoints = cloud.wait_ready()
        if "seeding failed" in cloud.stderr():
            pytest.fail(f"the seeded cloud started without its quizzes:\n{cloud.stderr()}")
        yield endpoints
    finally:
        cloud.stop()
