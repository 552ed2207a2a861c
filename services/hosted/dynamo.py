"""DynamoDB adapters of the hosted game: connections, the games directory, completion markers.

- ConnectionsTable (key ``connection_id``, TTL ``expires_at``): one record per open WebSocket
  connection, written at ``$connect``, deleted at ``$disconnect`` or on a 410.
- GamesTable (key ``pk``): a game item ``game#<id>`` (listed while it runs: the sparse
  ``listing`` attribute) and a join-code item ``code#<CODE>`` pointing at it.
- PlaysTable: the single-player first-completion marker (``first#<quiz>#<player>``), shared so
  that a player's first completed play of a quiz is ranked whether it was single or hosted.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from botocore.exceptions import ClientError

from services.core.errors import Conflict
from services.core.game_dynamo import CompletionMarkers, available
from services.core.provider_errors import error_code as _code
from services.hosted.ports import ConnectionRecord

CONNECTION_RECORD_GRACE_SECONDS = 3 * 3600  # kept past the token's expiry, then TTL removes it

# A join code names one game: of two games drawing the same code, the second draws again.
CODE_NOT_TAKEN = "attribute_not_exists(pk)"


class JoinCodeTaken(Conflict):
    code = "join_code_taken"


def _available() -> AbstractContextManager[None]:
    return available()  # only an unreachable table: a throttle reaches the caller as is


class DynamoConnections:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add(self, record: ConnectionRecord) -> None:
        with _available():
            self._client.put_item(TableName=self._table, Item={
                "connection_id": {"S": record.connection_id},
                "player_id": {"S": record.player_id},
                "username": {"S": record.username},
                "token_expires_at": {"N": str(record.token_expires_at)},
                "connected_at": {"N": str(record.connected_at)},
                "expires_at": {
                    "N": str(record.token_expires_at + CONNECTION_RECORD_GRACE_SECONDS)},
            })

    def get(self, connection_id: str) -> ConnectionRecord | None:
        with _available():
            item = self._client.get_item(
                TableName=self._table, Key={"connection_id": {"S": connection_id}},
                ConsistentRead=True,
            ).get("Item")
        if not item:
            return None
        return ConnectionRecord(
            connection_id=item["connection_id"]["S"], player_id=item["player_id"]["S"],
            username=item["username"]["S"],
            token_expires_at=int(item["token_expires_at"]["N"]),
            connected_at=int(item["connected_at"]["N"]),
        )

    def remove(self, connection_id: str) -> None:
        with _available():
            self._client.delete_item(
                TableName=self._table, Key={"connection_id": {"S": connection_id}})


class DynamoGameDirectory:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def register(self, *, game_id: str, join_code: str, host_id: str, quiz_id: str,
                 quiz_name: str, mode: str) -> None:
        game = {
            "pk": {"S": f"game#{game_id}"}, "game_id": {"S": game_id},
            "join_code": {"S": join_code}, "host_id": {"S": host_id},
            "quiz_id": {"S": quiz_id}, "quiz_name": {"S": quiz_name}, "mode": {"S": mode},
            "listing": {"S": mode},
        }
        code = {"pk": {"S": f"code#{join_code}"}, "game_id": {"S": game_id}}
        try:
            with _available():
                self._client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": self._table, "Item": code,
                             "ConditionExpression": CODE_NOT_TAKEN}},
                    {"Put": {"TableName": self._table, "Item": game}},
                ])
        except ClientError as error:
            if _code(error) == "TransactionCanceledException":
                raise JoinCodeTaken(join_code) from None
            raise

    def game_for_code(self, join_code: str) -> str | None:
        with _available():
            item = self._client.get_item(
                TableName=self._table, Key={"pk": {"S": f"code#{join_code}"}},
                ConsistentRead=True,
            ).get("Item")
        return item["game_id"]["S"] if item else None

    def unlist(self, game_id: str, join_code: str) -> None:
        with _available():
            self._client.transact_write_items(TransactItems=[
                {"Delete": {"TableName": self._table, "Key": {"pk": {"S": f"code#{join_code}"}}}},
                {"Update": {"TableName": self._table, "Key": {"pk": {"S": f"game#{game_id}"}},
                            "UpdateExpression": "REMOVE listing SET ended = :yes",
                            "ExpressionAttributeValues": {":yes": {"BOOL": True}}}},
            ])


class DynamoCompletionMarkers(CompletionMarkers):
    """The single-player marker item, reused: a hosted game's play id is ``hosted#<id>``."""

    def __init__(self, client: Any, plays_table: str, *, max_workers: int = 16) -> None:
        super().__init__(client, plays_table, mode="hosted", max_workers=max_workers)
