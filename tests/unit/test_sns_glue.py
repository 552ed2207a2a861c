"""The SNS glue: each writer takes the event types it has a use case for and skips the rest;
malformed messages are skipped; a use case's failure propagates (so the event is retried)."""

from __future__ import annotations

import json

import pytest

from services.core.events import GameCredits, PlayerResult, RoleCredit
from services.core.sns import sns_handler

pytestmark = pytest.mark.unit

RESULT = PlayerResult(
    source="live", game_id="g1", quiz_id="capitals", quiz_owner_id="olga", host_id="olga",
    player_id="ada", username="ada", score=2, correct=2, total=3, experience=20, ranked=True,
    completed_at="2030-01-01T00:00:00Z", credit_owner_and_host=False)
CREDITS = GameCredits(
    source="live", game_id="g1", quiz_id="capitals", completed_at="2030-01-01T00:00:00Z",
    credits=(RoleCredit(player_id="olga", role="owner", experience=20),))


def _event(*messages: str) -> dict[str, object]:
    return {"Records": [{"Sns": {"Message": message}} for message in messages]}


def test_a_results_only_writer_skips_game_credits() -> None:
    seen: list[PlayerResult] = []
    handle = sns_handler(seen.append)
    outcome = handle(_event(CREDITS.to_message(), RESULT.to_message()), None)
    assert outcome == {"processed": 1, "skipped": 1} and seen == [RESULT]


def test_a_writer_of_both_gets_each_event_by_its_type() -> None:
    results: list[PlayerResult] = []
    credits: list[GameCredits] = []
    handle = sns_handler(results.append, on_game_credits=credits.append)
    outcome = handle(_event(RESULT.to_message(), CREDITS.to_message(), "not json",
                            json.dumps({"type": "player.result"})), None)
    assert outcome == {"processed": 2, "skipped": 2}
    assert (results, credits) == ([RESULT], [CREDITS])


def test_a_failing_use_case_fails_the_event() -> None:
    def broken(_: GameCredits) -> None:
        raise RuntimeError("the store is down")

    handle = sns_handler(on_game_credits=broken)
    with pytest.raises(RuntimeError):
        handle(_event(CREDITS.to_message()), None)
