"""DynamoDB adapters of the live game: the durable game record (GamesTable) and the
first-completion marker (PlaysTable).

A live game is the item ``live#<game_id>`` of the games table: listed while it runs (the sparse
``listing`` attribute, ``live``), with the quiz snapshot, the winner of each question, the
current question and the last broadcast ``seq``; and its players, one item each in the rosters
table (``game_id``, ``player_id``: name and join ``seq``), so that a join is a small put and the
game's item does not grow with the game. Together, what a rebuild needs.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Any

from botocore.exceptions import ClientError

from services.core.game_dynamo import THROTTLED, CompletionMarkers, available
from services.core.provider_errors import error_code as _code
from services.live.ports import GameRecord

LISTING = "live"

# A question has one winner: a second, different winner is never written over the first.
NO_WINNER_YET_OR_SAME = "attribute_not_exists(winners.#q) OR winners.#q = :p"
# A new game never overwrites another (ids are random; this makes a collision loud).
NEW_GAME = "attribute_not_exists(pk)"
# The seq only moves forward: concurrent writers never put back an older one.
SEQ_FORWARD = "attribute_not_exists(seq) OR seq < :s"


def _available() -> AbstractContextManager[None]:
    return available(THROTTLED)


def _key(game_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"live#{game_id}"}}


class DynamoLiveGames:
    def __init__(self, client: Any, table_name: str, rosters_table: str) -> None:
        self._client = client
        self._table = table_name
        self._rosters = rosters_table

    def create(self, record: GameRecord) -> bool:
        """False when the game exists already (a redelivered open_game raced this one)."""
        try:
            self._put_new(record)
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _put_new(self, record: GameRecord) -> None:
        with _available():
            self._client.put_item(TableName=self._table, ConditionExpression=NEW_GAME, Item={
                **_key(record.game_id), "game_id": {"S": record.game_id},
                "host_id": {"S": record.host_id}, "quiz_id": {"S": record.quiz_id},
                "quiz_name": {"S": record.quiz_name}, "mode": {"S": "live"},
                "listing": {"S": LISTING}, "status": {"S": record.status},
                "plan": {"S": record.plan_json}, "winners": {"M": {}},
                "q_index": {"N": "-1"}, "question": {"M": {}}, "seq": {"N": "0"},
            })

    def get(self, game_id: str) -> GameRecord | None:
        with _available():
            item = self._client.get_item(TableName=self._table, Key=_key(game_id),
                                         ConsistentRead=True).get("Item")
        if not item:
            return None
        players, joined_seq = self._roster(game_id)
        return GameRecord(
            game_id=item["game_id"]["S"], host_id=item["host_id"]["S"],
            quiz_id=item["quiz_id"]["S"], quiz_name=item["quiz_name"]["S"],
            status=item["status"]["S"], plan_json=item["plan"]["S"],
            players=players,
            winners={k: v["S"] for k, v in item.get("winners", {}).get("M", {}).items()},
            question_index=int(item["q_index"]["N"]),
            question={k: v["S"] for k, v in item.get("question", {}).get("M", {}).items()},
            seq=max(int(item["seq"]["N"]), joined_seq),
            results_published=item.get("results_published", {}).get("BOOL", False),
        )

    def _roster(self, game_id: str) -> tuple[dict[str, str], int]:
        """The game's players (id -> name) and the highest join seq among them."""
        players: dict[str, str] = {}
        highest = 0
        request: dict[str, Any] = {
            "TableName": self._rosters, "ConsistentRead": True,
            "KeyConditionExpression": "game_id = :g",
            "ExpressionAttributeValues": {":g": {"S": game_id}},
        }
        while True:
            with _available():
                page = self._client.query(**request)
            for line in page.get("Items", []):
                players[line["player_id"]["S"]] = line["display_name"]["S"]
                highest = max(highest, int(line["seq"]["N"]))
            if "LastEvaluatedKey" not in page:
                return players, highest
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def add_player(self, game_id: str, player_id: str, display_name: str, seq: int) -> None:
        """One put in the game's roster; its ``seq`` counts in the game's on a rebuild."""
        with _available():
            self._client.put_item(TableName=self._rosters, Item={
                "game_id": {"S": game_id}, "player_id": {"S": player_id},
                "display_name": {"S": display_name}, "seq": {"N": str(seq)},
            })

    def started(self, game_id: str, seq: int) -> None:
        self._update(game_id, "SET #status = :started", {"#status": "status"},
                     {":started": {"S": "started"}}, seq)

    def asked(self, game_id: str, index: int, question: dict[str, str], seq: int) -> None:
        self._update(game_id, "SET q_index = :i, question = :q", {},
                     {":i": {"N": str(index)},
                      ":q": {"M": {k: {"S": v} for k, v in question.items()}}}, seq)

    def won(self, game_id: str, question_id: str, player_id: str, seq: int) -> None:
        names, values = {"#q": question_id}, {":p": {"S": player_id}}
        if self._update_with_seq(game_id, "SET winners.#q = :p", names, values, seq,
                                 condition=NO_WINNER_YET_OR_SAME):
            return
        try:
            with _available():
                self._client.update_item(
                    TableName=self._table, Key=_key(game_id),
                    UpdateExpression="SET winners.#q = :p",
                    ConditionExpression=NO_WINNER_YET_OR_SAME,
                    ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise
            # Only a rebuilt game can disagree with the record; the record wins.
        self._seq_forward(game_id, seq)

    def ended(self, game_id: str, index: int, scores: dict[str, int], seq: int) -> None:
        with _available():
            self._client.update_item(
                TableName=self._table, Key=_key(game_id),
                UpdateExpression="SET #status = :ended, q_index = :i, final_scores = :scores, "
                                 "seq = :s REMOVE listing",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":ended": {"S": "ended"}, ":i": {"N": str(index)}, ":s": {"N": str(seq)},
                    ":scores": {"S": json.dumps(scores, sort_keys=True)},
                },
            )

    def results_sent(self, game_id: str) -> None:
        with _available():
            self._client.update_item(
                TableName=self._table, Key=_key(game_id),
                UpdateExpression="SET results_published = :yes",
                ExpressionAttributeValues={":yes": {"BOOL": True}},
            )

    def _update(self, game_id: str, expression: str, names: dict[str, str],
                values: dict[str, Any], seq: int) -> None:
        if self._update_with_seq(game_id, expression, names, values, seq):
            return
        # the seq was ahead already (a concurrent writer): the change alone
        request: dict[str, Any] = {"TableName": self._table, "Key": _key(game_id),
                                   "UpdateExpression": expression,
                                   "ExpressionAttributeValues": values}
        if names:
            request["ExpressionAttributeNames"] = names
        with _available():
            self._client.update_item(**request)

    def _update_with_seq(self, game_id: str, expression: str, names: dict[str, str],
                         values: dict[str, Any], seq: int, *, condition: str | None = None,
                         ) -> bool:
        """The change and the seq in one write (the common case); False, nothing written,
        when the seq is not behind ``seq`` or ``condition`` fails: the caller then writes them
        apart."""
        request: dict[str, Any] = {
            "TableName": self._table, "Key": _key(game_id),
            "UpdateExpression": f"{expression}, seq = :s",
            "ConditionExpression": f"({SEQ_FORWARD})" + (f" AND ({condition})" if condition
                                                           else ""),
            "ExpressionAttributeValues": {**values, ":s": {"N": str(seq)}},
        }
        if names:
            request["ExpressionAttributeNames"] = names
        try:
            with _available():
                self._client.update_item(**request)
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _seq_forward(self, game_id: str, seq: int) -> None:
        try:
            with _available():
                self._client.update_item(
                    TableName=self._table, Key=_key(game_id), UpdateExpression="SET seq = :s",
                    ConditionExpression=SEQ_FORWARD,
                    ExpressionAttributeValues={":s": {"N": str(seq)}},
                )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise


class DynamoCompletionMarkers(CompletionMarkers):
    """The single-player first-completion marker, shared: a live game's play id is
    ``live#<id>``."""

    def __init__(self, client: Any, plays_table: str) -> None:
        super().__init__(client, plays_table, mode="live", busy_codes=THROTTLED)
