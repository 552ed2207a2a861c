"""The progress writer through its handler, on moto: each credit once, whatever SNS redelivers
(a player's result, and a hosted or live game's owner and host credits)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from services.core.events import GameCredits, RoleCredit
from services.players.handlers import accounts, progress_writer
from tests.integration.play_support import (
    EVENTS,
    LocalAws,
    Player,
    call,
    http_event,
    local_aws,
    sns_event,
)

pytestmark = pytest.mark.integration

FIXTURE_MESSAGE = json.loads(
    json.loads((EVENTS / "scores_sns_player_result.json").read_text())["Records"][0]["Sns"][
        "Message"]
)
ADA = Player(FIXTURE_MESSAGE["player_id"], "ada")
OWNER = Player(FIXTURE_MESSAGE["quiz_owner_id"], "olga")
HOST = Player("host-player", "hana")


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    with local_aws(monkeypatch) as aws:
        yield aws


def _message(**changes: Any) -> str:
    return json.dumps({**FIXTURE_MESSAGE, **changes})


def _me(player: Player) -> dict[str, Any]:
    status, body = call(accounts, http_event("GET /me", player=player))
    assert status == 200, body
    return body


def _deliver(message: str, sequential: int = 3, parallel: int = 4) -> list[dict[str, int]]:
    outcomes = [progress_writer(sns_event(message), None) for _ in range(sequential)]
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        outcomes += pool.map(lambda _: progress_writer(sns_event(message), None),
                             range(parallel))
    return outcomes


def test_duplicate_and_parallel_deliveries_credit_once(cloud: LocalAws) -> None:
    _me(ADA)
    outcomes = _deliver(_message(experience=20))
    assert all(outcome == {"processed": 1, "skipped": 0} for outcome in outcomes)
    me = _me(ADA)
    assert (me["experience"], me["wins"], me["wallet"]) == (20, 0, 0)
    assert _me(OWNER)["experience"] == 20


def test_each_result_credits_again(cloud: LocalAws) -> None:
    for game in ("play-1", "play-2", "play-3", "play-2"):
        progress_writer(sns_event(_message(game_id=game, experience=40)), None)
    me = _me(ADA)
    assert (me["experience"], me["level"], me["next_level_at"]) == (120, 2, 250)


def test_a_hosted_result_credits_its_player_only_and_counts_a_win(cloud: LocalAws) -> None:
    message = _message(source="hosted", host_id=HOST.player_id, experience=30, won=True,
                       credit_owner_and_host=False)
    _deliver(message)
    assert (_me(ADA)["experience"], _me(ADA)["wins"]) == (30, 1)
    assert (_me(OWNER)["experience"], _me(HOST)["experience"]) == (0, 0)


def _game_credits(game: str = "g1", **experience: int) -> str:
    beneficiaries = {"owner": OWNER, "host": HOST}
    return GameCredits(
        source="hosted", game_id=game, quiz_id="capitals", completed_at="2030-01-01T00:00:05Z",
        credits=tuple(RoleCredit(player_id=beneficiaries[role].player_id, role=role,  # type: ignore[arg-type]
                                 experience=xp) for role, xp in experience.items()),
    ).to_message()


def test_game_credits_delivered_again_and_in_parallel_credit_once(cloud: LocalAws) -> None:
    outcomes = _deliver(_game_credits(owner=40, host=30))
    assert all(outcome == {"processed": 1, "skipped": 0} for outcome in outcomes)
    assert (_me(OWNER)["experience"], _me(OWNER)["wins"]) == (40, 0)
    assert (_me(HOST)["experience"], _me(HOST)["wins"]) == (30, 0)
    markers = sorted(i["sk"]["S"] for i in cloud.items("PlayersTable")
                     if i["sk"]["S"].startswith("credit#"))
    assert markers == ["credit#hosted#g1#host", "credit#hosted#g1#owner"]


def test_owner_and_host_in_one_person_is_credited_once_per_role(cloud: LocalAws) -> None:
    message = GameCredits(
        source="live", game_id="g2", quiz_id="capitals", completed_at="2030-01-01T00:00:05Z",
        credits=(RoleCredit(player_id=OWNER.player_id, role="owner", experience=50),
                 RoleCredit(player_id=OWNER.player_id, role="host", experience=50)),
    ).to_message()
    _deliver(message, sequential=3, parallel=3)
    assert _me(OWNER)["experience"] == 100


def test_each_game_credits_again_and_zero_credits_write_nothing(cloud: LocalAws) -> None:
    for game in ("g1", "g2", "g1"):
        progress_writer(sns_event(_game_credits(game, owner=20, host=0)), None)
    assert _me(OWNER)["experience"] == 40
    assert not [i for i in cloud.items("PlayersTable") if i["player_id"]["S"] == HOST.player_id]


def test_own_quiz_credits_the_player_once(cloud: LocalAws) -> None:
    _deliver(_message(quiz_owner_id=ADA.player_id, host_id=ADA.player_id, experience=50))
    assert _me(ADA)["experience"] == 50
    credits = [i for i in cloud.items("PlayersTable") if i["sk"]["S"].startswith("credit#")]
    assert [c["role"]["S"] for c in credits] == ["player"]


def test_zero_experience_results_write_nothing(cloud: LocalAws) -> None:
    progress_writer(sns_event(_message(ranked=False, experience=0)), None)
    progress_writer(sns_event(_message(experience=0, correct=0, score=0)), None)
    assert cloud.items("PlayersTable") == []


def test_credit_before_registration_keeps_the_experience(cloud: LocalAws) -> None:
    progress_writer(sns_event(_message(experience=70)), None)
    owner = _me(OWNER)
    assert (owner["username"], owner["display_name"], owner["experience"]) == (
        "olga", "olga", 70)
