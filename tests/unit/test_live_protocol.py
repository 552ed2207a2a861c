"""Live games without a network: the topic layout and policy renderings, inbound validation,
and every message builder against docs/schemas/mqtt/messages.schema.json."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from services.core.errors import ServiceUnavailable, ValidationFailed
from services.live import protocol, topics
from services.live.errors import UnknownAction
from services.live.game import ScoreLine, plan_from_quiz, ranked
from services.live.topics import PlayerPolicy
from services.quizzes.model import Quiz, QuizInput

pytestmark = pytest.mark.unit

MESSAGES = protocol.validator("messages")


def plan() -> Any:
    document = QuizInput.model_validate({
        "name": "Mixed", "category": "misc", "mode": "live",
        "questions": [
            {"type": "multiple_choice", "text": "2 + 2?", "options": ["3", "4"], "answer": "4",
             "follow_up": "Arithmetic."},
            {"type": "open", "text": "Capital of Italy?", "answer": "Rome",
             "alternatives": ["Roma"], "time_limit_seconds": 7},
        ],
    })
    quiz = Quiz(quiz_id="qz", owner_id="h", owner_name="h", created_at="t", updated_at="t",
                document=document)
    return plan_from_quiz(quiz, game_id="g1", host_id="h")


BOARD = (ScoreLine("a", "Ann", 2), ScoreLine("b", "Bob", 1), ScoreLine("c", "Cy", 2))


def all_messages() -> list[dict[str, Any]]:
    p = plan()
    who = protocol.player("a", "Ann")
    return [
        protocol.game_opened("g1", "r1", name="Mixed", count=2),
        protocol.joined("g1", None, board=BOARD, status="started",
                        question=protocol.open_question(p.questions[0], 123)),
        protocol.joined("g1", "r", board=(), status="lobby", question=None),
        protocol.player_joined("g1", 1, who=who, players=3),
        protocol.game_started("g1", 2, players=3),
        protocol.question("g1", 3, p.questions[1], 456),
        protocol.verdict("g1", "r2", question_id="q1", outcome="not_first", correct_answer="4"),
        protocol.winner("g1", 4, question_id="q1", who=who, correct_answer="4", board=BOARD),
        protocol.question_ended("g1", 5, question_id="q1", who=None, correct_answer="4"),
        protocol.question_ended("g1", 6, question_id="q2", who=who, correct_answer="Rome"),
        protocol.game_ended("g1", 7, board=BOARD),
        protocol.error(ServiceUnavailable("down"), request_id="r3", game_id="g1"),
        protocol.error(ValidationFailed("bad"), request_id=None, game_id=None),
    ]


@pytest.mark.parametrize("message", all_messages(), ids=lambda m: m["type"])
def test_every_message_is_valid_against_the_schema(message: dict[str, Any]) -> None:
    assert list(MESSAGES.iter_errors(message)) == []


def test_a_question_shows_no_answer_alternative_or_follow_up() -> None:
    p = plan()
    text = json.dumps([protocol.question("g1", 1, q, 0) for q in p.questions]).lower()
    assert "roma" not in text and "arithmetic" not in text and '"answer"' not in text
    assert p.questions[1].accepted == ("rome", "roma") and p.questions[1].time_limit_seconds == 7


def test_retryable_errors_say_so() -> None:
    message = protocol.error(ServiceUnavailable("down"), request_id="r", game_id="g1")
    assert message["error"] == {"code": "service_unavailable", "message": "down",
                                "retryable": True}


def test_scores_rank_ties_together() -> None:
    assert [(line["player_id"], line["rank"]) for line in ranked(list(BOARD))] == [
        ("a", 1), ("c", 1), ("b", 3)]


@pytest.mark.parametrize(("raw", "schema", "error"), [
    (b'{"action":"answer","game_id":"g1","question_id":"q1","answer":"x","player_id":"p"}',
     "actions", ValidationFailed),
    (b'{"action":"answer","game_id":"g1","question_id":"q1","answer":"x","score":9}',
     "actions", ValidationFailed),
    (b'{"action":"answer","game_id":"g1","question_id":"q1","answer":"' + b"x" * 201 + b'"}',
     "actions", ValidationFailed),
    (b'{"action":"end_game","game_id":"g1"}', "actions", UnknownAction),
    (b'{"action":"answer","game_id":"g1","question_id":"q1","answer":"x"}', "commands",
     UnknownAction),
    (b"[1]", "actions", ValidationFailed),
    (b"\xff\xfe", "actions", ValidationFailed),
    (b"{" + b" " * 5000 + b"}", "actions", ValidationFailed),
])
def test_invalid_inbound_messages_are_refused(raw: bytes, schema: str, error: type) -> None:
    with pytest.raises(error):
        protocol.parse(protocol.decode(raw), schema)


def test_valid_inbound_messages_pass() -> None:
    action = protocol.parse(protocol.decode(
        b'{"action":"answer","game_id":"g1","question_id":"q1","answer":"Rome",'
        b'"request_id":"r"}'), "actions")
    assert action["answer"] == "Rome"
    assert protocol.parse({"action": "open_game", "quiz_id": "qz"}, "commands")


def test_the_sender_is_the_pinned_topic_segment() -> None:
    assert topics.sender_of("trivia/live/players/p1/actions") == "p1"
    assert topics.sender_of("trivia/live/hosts/h1/commands") == "h1"
    for topic in ("trivia/live/players/p1/inbox", "trivia/live/games/g/events",
                  "trivia/live/players/+/actions", "x/live/players/p1/actions",
                  "trivia/live/players/p1/actions/extra"):
        assert topics.sender_of(topic) is None
    with pytest.raises(ValueError):
        topics.player_inbox("a/#")


def test_the_broker_rules_are_the_players_policy_with_the_player_left_open() -> None:
    publish, subscribe = topics.broker_rules()
    assert publish == ("trivia/live/hosts/%u/commands", "trivia/live/players/%u/actions")
    assert subscribe == ("trivia/live/players/%u/inbox", "trivia/live/games/+/events")
    policy = PlayerPolicy("p1")  # the plugin substitutes the username for %u: the same lists
    assert tuple(t.replace("%u", "p1") for t in publish) == policy.publish
    assert tuple(t.replace("%u", "p1") for t in subscribe) == policy.subscribe


def test_the_policy_as_an_iot_document_pins_client_topics_and_grants_no_retain() -> None:
    response = PlayerPolicy("p1").authorizer_response(
        region="eu-west-1", account_id="123456789012", disconnect_after_seconds=3600)
    assert response["isAuthenticated"] is True and response["disconnectAfterInSeconds"] == 3600
    document = json.loads(response["policyDocuments"][0])
    by_action = {s["Action"]: s["Resource"] for s in document["Statement"]}
    arn = "arn:aws:iot:eu-west-1:123456789012"
    assert by_action["iot:Connect"] == f"{arn}:client/p1"
    assert by_action["iot:Publish"] == [f"{arn}:topic/trivia/live/hosts/p1/commands",
                                        f"{arn}:topic/trivia/live/players/p1/actions"]
    assert by_action["iot:Subscribe"] == [f"{arn}:topicfilter/trivia/live/players/p1/inbox",
                                          f"{arn}:topicfilter/trivia/live/games/*/events"]
    assert "iot:RetainPublish" not in by_action and "iot:*" not in by_action


def test_schemas_are_valid_draft_2020_12() -> None:
    for name in ("commands", "actions", "messages"):
        Draft202012Validator.check_schema(protocol.validator(name).schema)


def test_rule_payloads_are_base64_of_the_raw_message() -> None:
    from services.live.handlers import _payload, _sender

    raw = b'{"action":"join_game","game_id":"g1"}'
    event = {"payload": base64.b64encode(raw).decode(), "sender": "p1",
             "topic": "trivia/live/players/p1/actions"}
    assert _payload(event) == raw and _sender(event) == "p1"
    assert _sender({**event, "sender": "p2"}) is None  # segment and topic must agree
