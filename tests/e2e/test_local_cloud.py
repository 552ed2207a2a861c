"""`trivia up` as a developer runs it: ready, endpoints file, two at once, Ctrl-C, no orphans."""

from __future__ import annotations

import json
import os
import signal
import urllib.request
from pathlib import Path

import pytest
import redis

from clients.sdk.endpoints import Endpoints
from infra.local import seed
from tests.fixtures.local.trivia_up import TriviaUp, descendants, wait_until_dead

pytestmark = pytest.mark.e2e


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _serves(endpoints: Endpoints) -> None:
    status, body = _get(f"{endpoints.http_api_url}/me")  # an authorized route, no token
    assert (status, body["message"]) == (401, "Unauthorized")
    status, body = _get(f"{endpoints.http_api_url}/no/such/route")
    assert (status, body["error"]["code"]) == (404, "route_not_found")
    client = redis.Redis.from_url(endpoints.redis_url or "")
    try:
        assert client.ping() is True
    finally:
        client.close()


def test_trivia_up_reaches_ready_and_writes_the_endpoints_file(local_cloud: Endpoints) -> None:
    assert local_cloud.http_api_url.startswith("http://127.0.0.1:")
    assert local_cloud.aws_endpoint_url == local_cloud.cognito_endpoint_url
    assert local_cloud.user_pool_id.startswith(f"{local_cloud.region}_")
    assert local_cloud.user_pool_client_id
    assert local_cloud.data_dir and Path(local_cloud.data_dir).is_dir()
    _serves(local_cloud)


def test_two_clouds_run_at_once_and_ctrl_c_stops_every_child(tmp_path: Path) -> None:
    first, second = TriviaUp(tmp_path / "one").start(), TriviaUp(tmp_path / "two").start()
    second_children: set[int] = set()
    try:
        endpoints = [first.wait_ready(), second.wait_ready()]
        ports = {
            url.rsplit(":", 1)[1]
            for e in endpoints
            for url in (e.http_api_url, e.aws_endpoint_url or "", e.redis_url or "")
        }
        assert len(ports) == 6  # nothing shared
        for each in endpoints:
            _serves(each)
        assert "ready in" in first.stdout() and "ready in" in second.stdout()
        assert first.process is not None and second.process is not None
        first_children = descendants(first.process.pid)
        second_children = descendants(second.process.pid)
        assert len(first_children) >= 2 and len(second_children) >= 2  # moto and redis

        assert first.stop() == 0

        assert wait_until_dead(first_children) == set()
        assert not first.endpoints_file.exists()  # no stale endpoints pointing at dead ports
        _serves(endpoints[1])  # the other cloud is untouched
    finally:
        first.stop()
        second.stop()
    assert wait_until_dead(second_children) == set()


def test_children_die_with_a_killed_cloud(tmp_path: Path) -> None:
    cloud = TriviaUp(tmp_path).start()
    try:
        cloud.wait_ready()
        assert cloud.process is not None
        children = descendants(cloud.process.pid)
        assert children

        os.kill(cloud.process.pid, signal.SIGKILL)  # no chance to clean up
        cloud.process.wait()

        assert wait_until_dead(children) == set()
    finally:
        cloud.stop()


def test_a_second_cloud_on_the_same_data_dir_is_refused(
    local_cloud: Endpoints, tmp_path: Path
) -> None:
    assert local_cloud.data_dir is not None
    clash = TriviaUp(tmp_path)
    clash.directory.mkdir(exist_ok=True)
    clash.data_dir.symlink_to(local_cloud.data_dir)  # the running session cloud's data dir

    clash.start()

    assert clash.process is not None and clash.process.wait(30) != 0
    assert "another local cloud" in clash.stderr()
    assert descendants(clash.process.pid) == set()
    _serves(local_cloud)  # the running cloud is untouched


def test_the_seeded_cloud_serves_the_sample_quizzes(seeded_cloud: Endpoints) -> None:
    documents = [json.loads(path.read_text()) for path in seed.seed_files()]
    api = seeded_cloud.http_api_url
    player = {
        "username": "seedcheck",
        "email": "seedcheck@example.com",
        "password": "Seed-Check-1!",
    }
    request = urllib.request.Request(
        f"{api}/accounts",
        data=json.dumps(player).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    token = seed.log_in(seeded_cloud, player["username"], player["password"])

    listing = urllib.request.Request(
        f"{api}/games/single", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(listing, timeout=10) as response:
        games = json.loads(response.read())["games"]

    single = sorted(d["name"] for d in documents if d.get("mode") == "single")
    assert single and sorted(game["name"] for game in games) == single
