"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local import mosquitto


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[mosquitto.MosquittoProcess]:
    """A private Mosquitto as the local cloud runs it (our authorizer plugin), one per module.
    Modules that need another broker (``test_mqtt_client*``) define their own ``broker``."""
    server = mosquitto.start_mosquitto(Path(tmp_path_factory.mktemp("mosquitto")))
    try:
        yield server
    finally:
        server.stop()
