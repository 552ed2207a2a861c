"""Leaderboards in DynamoDB (LeaderboardsTable: key (quiz_id, player_id), LSI ``by_score``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from services.core.provider_errors import error_code, transient_errors
from services.scores.leaderboard import LeaderboardEntry

BY_SCORE = "by_score"

# One entry per player per quiz: a duplicate delivery or a later replay never replaces the
# first completed play (and two deliveries racing in parallel write once).
NO_ENTRY_FOR_PLAYER_YET = "attribute_not_exists(player_id)"



class DynamoLeaderboardStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add_once(self, entry: LeaderboardEntry) -> bool:
        try:
            with transient_errors("leaderboard"):
                self._client.put_item(
                    TableName=self._table,
                    Item=_item(entry),
                    ConditionExpression=NO_ENTRY_FOR_PLAYER_YET,
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def best(self, quiz_id: str, limit: int) -> list[LeaderboardEntry]:
        with transient_errors("leaderboard"):
            response = self._client.query(
                TableName=self._table,
                IndexName=BY_SCORE,
                KeyConditionExpression="#quiz_id = :quiz_id",
                ExpressionAttributeNames={"#quiz_id": "quiz_id"},
                ExpressionAttributeValues={":quiz_id": {"S": quiz_id}},
                ScanIndexForward=False,
                Limit=limit,
            )
        return [_entry(item) for item in response.get("Items", [])]

    def entry(self, quiz_id: str, player_id: str) -> LeaderboardEntry | None:
        with transient_errors("leaderboard"):
            response = self._client.get_item(
                TableName=self._table,
                Key={"quiz_id": {"S": quiz_id}, "player_id": {"S": player_id}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        return _entry(item) if item else None

    def count_better(self, quiz_id: str, score: int) -> int:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_SCORE,
            "KeyConditionExpression": "#quiz_id = :quiz_id AND #score > :score",
            "ExpressionAttributeNames": {"#quiz_id": "quiz_id", "#score": "score"},
            "ExpressionAttributeValues": {":quiz_id": {"S": quiz_id}, ":score": {"N": str(score)}},
            "Select": "COUNT",
        }
        count = 0
        while True:  # a COUNT query still stops at 1 MB read; follow the pages
            with transient_errors("leaderboard"):
                response = self._client.query(**request)
            count += int(response.get("Count", 0))
            if "LastEvaluatedKey" not in response:
                return count
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _item(entry: LeaderboardEntry) -> dict[str, Any]:
    return {
        "quiz_id": {"S": entry.quiz_id},
        "player_id": {"S": entry.player_id},
        "display_name": {"S": entry.display_name},
        "score": {"N": str(entry.score)},
        "game_id": {"S": entry.game_id},
        "achieved_at": {"S": entry.achieved_at},
    }


def _entry(item: Mapping[str, Any]) -> LeaderboardEntry:
    return LeaderboardEntry(
        quiz_id=item["quiz_id"]["S"],
        player_id=item["player_id"]["S"],
        display_name=item["display_name"]["S"],
        score=int(item["score"]["N"]),
        game_id=item["game_id"]["S"],
        achieved_at=item["achieved_at"]["S"],
    )


