"""The writer events: strict models, the discriminated union, and a game's owner and host
credits (each earns the experience of every player but themselves)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from services.core.events import (
    GameCredits,
    PlayerResult,
    RoleCredit,
    event_from_message,
    game_credits,
)

pytestmark = pytest.mark.unit


def _result(player_id: str, experience: int) -> PlayerResult:
    return PlayerResult(
        source="hosted", game_id="g1", quiz_id="capitals", quiz_owner_id="olga",
        host_id="hana", player_id=player_id, username=player_id, score=experience,
        correct=experience // 10, total=3, experience=experience, ranked=experience > 0,
        completed_at="2030-01-01T00:00:00Z", credit_owner_and_host=False,
    )


def _credits(owner: str = "olga", host: str | None = "hana",
             results: tuple[PlayerResult, ...] = ()) -> GameCredits:
    return game_credits(source="hosted", game_id="g1", quiz_id="capitals", quiz_owner_id=owner,
                        host_id=host, results=results, completed_at="2030-01-01T00:00:00Z")


def _by_role(credits: GameCredits) -> dict[str, tuple[str, int]]:
    return {c.role: (c.player_id, c.experience) for c in credits.credits}


def test_owner_and_host_each_earn_the_sum_of_their_players_experience() -> None:
    results = (_result("ada", 30), _result("bob", 10), _result("cy", 0))
    assert _by_role(_credits(results=results)) == {"owner": ("olga", 40), "host": ("hana", 40)}


def test_the_same_person_as_owner_and_host_gets_one_credit_per_role() -> None:
    results = (_result("ada", 30), _result("bob", 20))
    credits = _credits(owner="olga", host="olga", results=results)
    assert [(c.player_id, c.role, c.experience) for c in credits.credits] == [
        ("olga", "owner", 50), ("olga", "host", 50)]


def test_a_beneficiary_who_also_played_is_not_credited_for_their_own_result() -> None:
    results = (_result("ada", 30), _result("hana", 20), _result("olga", 10))
    assert _by_role(_credits(results=results)) == {"owner": ("olga", 50), "host": ("hana", 40)}


def test_no_host_means_an_owner_credit_only_and_no_players_means_zero() -> None:
    assert _by_role(_credits(host=None, results=(_result("ada", 30),))) == {
        "owner": ("olga", 30)}
    assert _by_role(_credits()) == {"owner": ("olga", 0), "host": ("hana", 0)}


def test_credits_round_trip_through_the_discriminated_union() -> None:
    credits = _credits(results=(_result("ada", 30),))
    assert event_from_message(credits.to_message()) == credits
    result = _result("ada", 30)
    assert event_from_message(result.to_message()) == result
    assert credits.credit_key == "hosted#g1"
    assert json.loads(credits.to_message())["type"] == "game.credits"


def test_a_player_result_credits_owner_and_host_unless_told_otherwise() -> None:
    single = PlayerResult(
        source="single", game_id="p1", quiz_id="capitals", quiz_owner_id="olga",
        player_id="ada", username="ada", score=100, correct=3, total=3, experience=30,
        ranked=True, completed_at="2030-01-01T00:00:00Z")
    assert single.credit_owner_and_host is True
    assert _result("ada", 30).credit_owner_and_host is False


def _credits_message(**changes: Any) -> str:
    message = json.loads(_credits(results=(_result("ada", 30),)).to_message())
    return json.dumps({**message, **changes})


@pytest.mark.parametrize("changes", [
    {"surprise": 1},  # extra fields are refused
    {"source": "single"},  # single-player plays credit their owner per play
    {"version": 2},
    {"game_id": ""},
    {"credits": [{"player_id": "olga", "role": "owner", "experience": -1}]},
    {"credits": [{"player_id": "olga", "role": "player", "experience": 1}]},
    {"credits": [{"player_id": "olga", "role": "owner", "experience": 1, "wins": 1}]},
    {"credits": [{"player_id": "olga", "role": "owner", "experience": 1},
                 {"player_id": "hana", "role": "owner", "experience": 1}]},
    {"type": "game.scores"},
])
def test_malformed_credits_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        event_from_message(_credits_message(**changes))


@pytest.mark.parametrize("message", ["not json", "[1]", json.dumps({"source": "single"})])
def test_a_message_without_a_known_type_is_refused(message: str) -> None:
    with pytest.raises(ValidationError):
        event_from_message(message)


def test_role_credits_are_strict() -> None:
    with pytest.raises(ValidationError):
        RoleCredit.model_validate({"player_id": "", "role": "owner", "experience": 1})
