"""Redis killed mid-game under the whole local cloud (its own `trivia up`, so the shared one
keeps its Redis): answers over MQTT get a retryable ``service_unavailable`` on the inbox, never
a silent accept; once a Redis answers on the same address again, the next answer rebuilds the
game from DynamoDB, nothing acknowledged is lost and the game goes on to its end."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from clients.sdk.endpoints import Endpoints
from infra.local import mosquitto, processes
from infra.local.redis_server import RedisProcess, redis_binary
from tests.e2e.test_live_server import Peer, connect, open_game, register
from tests.fixtures.local.trivia_up import TriviaUp

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not mosquitto.available(), reason=mosquitto.INSTALL_HINT),
]


@pytest.fixture(scope="module")
def own_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    cloud = TriviaUp(tmp_path_factory.mktemp("live-faults")).start()
    try:
        yield cloud.wait_ready()
    finally:
        cloud.stop()


def test_redis_killed_mid_game_then_rebuilt_from_dynamodb(own_cloud: Endpoints,
                                                         tmp_path: Path) -> None:
    host = connect(own_cloud, register(own_cloud))
    ann, ben = (connect(own_cloud, register(own_cloud)) for _ in range(2))
    peers: list[Peer] = [host, ann, ben]
    replacement: RedisProcess | None = None
    try:
        game_id = open_game(own_cloud, host)
        for player in (ann, ben):
            player.act(action="join_game", game_id=game_id)
            player.wait("joined")
        host.command(action="start_game", game_id=game_id)
        host.command(action="next_question", game_id=game_id, request_id="n1")
        ann.wait("question")
        ann.act(action="answer", game_id=game_id, question_id="q1", answer="Rome")
        assert ann.first("verdict", question_id="q1")["verdict"] == "correct"

        assert own_cloud.redis_url is not None
        port = int(own_cloud.redis_url.rsplit(":", 1)[1].split("/")[0])
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(host="127.0.0.1", port=port).shutdown(nosave=True)  # Redis dies

        ben.act(action="answer", game_id=game_id, question_id="q1", answer="Rome",
                request_id="b1")
        refused = ben.first("error", request_id="b1")
        assert refused["error"]["code"] == "service_unavailable"
        assert refused["error"]["retryable"] is True
        assert ben.of("verdict") == []  # never a silent accept

        replacement = start_redis(tmp_path, port)  # an empty Redis on the same address
        ben.act(action="answer", game_id=game_id, question_id="q1", answer="Rome",
                request_id="b2")
        assert ben.first("verdict", question_id="q1")["verdict"] == "not_first"
        host.command(action="next_question", game_id=game_id, request_id="n2")
        assert ben.wait("question", 2)[-1]["question"]["question_id"] == "q2"
        ben.act(action="answer", game_id=game_id, question_id="q2", answer="Paris")
        assert ben.first("verdict", question_id="q2")["verdict"] == "correct"
        host.command(action="end_game", game_id=game_id)
        final = ann.wait("game_ended")[0]["scores"]
        assert {line["player_id"]: line["score"] for line in final} == {ann.me: 1, ben.me: 1}
    finally:
        for peer in peers:
            peer.close()
        if replacement is not None:
            replacement.stop()


def start_redis(directory: Path, port: int) -> RedisProcess:
    argv = [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(directory), "--daemonize", "no",
            "--logfile", "redis.log"]
    server = RedisProcess(processes.spawn(argv), port, directory)
    assert server.wait_ready(), "could not restart Redis on its address"
    return server
