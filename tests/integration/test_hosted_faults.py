"""Redis killed mid-question (QUALITY.md, "Faults"): every answer gets a retryable error, never
a silent accept; an answer acknowledged before the kill was acknowledged by Redis itself."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis

from infra.local.redis_server import spawn_redis
from services.core.errors import ServiceUnavailable
from services.hosted.game import plan_game
from services.hosted.store import RedisGameStore
from services.quizzes.model import Quiz, QuizInput

pytestmark = pytest.mark.integration


def test_answers_while_redis_is_down_are_refused_as_retryable(tmp_path: Path) -> None:
    server = spawn_redis(tmp_path)
    assert server.wait_ready()
    client = redis.Redis.from_url(server.url, socket_timeout=1, socket_connect_timeout=1)
    store = RedisGameStore(client)
    document = QuizInput.model_validate({
        "name": "Q", "category": "geo", "mode": "casual",
        "questions": [{"type": "open", "text": "Capital of Italy?", "answer": "Rome"}]})
    quiz = Quiz(quiz_id="quiz1", owner_id="h", owner_name="h", created_at="t", updated_at="t",
                document=document)
    plan = plan_game(quiz, game_id="g" + uuid.uuid4().hex[:8], host_id="h", join_code="ABCDEF")
    store.create(plan, "c-host")
    for player in ("p1", "p2"):
        store.join(plan.game_id, player_id=player, display_name=player, connection_id=player)
    store.start(plan.game_id)
    question = plan.question(0)
    store.ask(plan.game_id, expected_index=-1, index=0, question_id="q1",
              time_limit_seconds=20, accepted=question.accepted())
    acknowledged = store.answer(plan.game_id, player_id="p1", question_id="q1",
                                answer="Rome", normalized="rome")
    assert not acknowledged.duplicate
    server.stop()  # killed mid-question
    for _ in range(3):
        with pytest.raises(ServiceUnavailable) as refused:
            store.answer(plan.game_id, player_id="p2", question_id="q1", answer="Rome",
                         normalized="rome")
        assert refused.value.retryable and refused.value.code == "service_unavailable"
    with pytest.raises(ServiceUnavailable):
        store.allow_action("c-p2")
    with pytest.raises(ServiceUnavailable):
        store.state(plan.game_id)
