"""Profiles and experience credits in DynamoDB (PlayersTable: key (player_id, sk)).

- ``sk = "profile"``: the profile. Counters are changed only with ADD, so credits never lose
  each other's updates; a credit that arrives before the profile exists creates it with the
  counters alone, and the first read fills in the rest (``ensure``).
- ``sk = "credit#<key>#<role>"``: a marker per credit applied, where ``key`` is a result's
  (``<source>#<game>#<player>``) or, for a game's owner and host credits, the game's
  (``<source>#<game>``); its conditional put and the counter update are one transaction, which
  is what makes each credit happen once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from services.core.errors import ServiceUnavailable
from services.core.provider_errors import error_code, transient_errors
from services.players.profile import Profile, ProfileChanges
from services.players.progress import Credit

PROFILE = "profile"

# Credit once: a duplicate, retried or parallel delivery of one result (or one game's credits)
# finds its marker and the whole transaction (counters included) is cancelled.
CREDIT_NOT_YET_APPLIED = "attribute_not_exists(sk)"
# A profile edit changes an existing profile; it never creates one without a username.
PROFILE_EXISTS = "attribute_exists(player_id)"

# Every field a profile needs, filled only where missing: registration, a first read, and a
# credit that came first all converge on the same item without overwriting each other.
_ENSURE = (
    "SET #username = if_not_exists(#username, :username), "
    "#display_name = if_not_exists(#display_name, :username), "
    "#location = if_not_exists(#location, :empty), "
    "#real_name = if_not_exists(#real_name, :empty), "
    "#experience = if_not_exists(#experience, :zero), "
    "#wins = if_not_exists(#wins, :zero), "
    "#wallet = if_not_exists(#wallet, :zero), "
    "#created_at = if_not_exists(#created_at, :now)"
)
_ENSURE_FIELDS = (
    "username", "display_name", "location", "real_name", "experience", "wins", "wallet",
    "created_at",
)
_CREDIT = (
    "ADD #experience :experience, #wins :wins "
    "SET #created_at = if_not_exists(#created_at, :now)"
)



def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class DynamoProfileStore:
    def __init__(
        self, client: Any, table_name: str, *, clock: Callable[[], str] = _utc_now
    ) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    def get(self, player_id: str) -> Profile | None:
        with transient_errors("player store"):
            response = self._client.get_item(
                TableName=self._table, Key=_profile_key(player_id), ConsistentRead=True
            )
        item = response.get("Item")
        if not item or not all(field in item for field in _ENSURE_FIELDS):
            return None
        return _profile(item)

    def ensure(self, player_id: str, username: str) -> Profile:
        with transient_errors("player store"):
            response = self._client.update_item(
                TableName=self._table,
                Key=_profile_key(player_id),
                UpdateExpression=_ENSURE,
                ExpressionAttributeNames=_names(*_ENSURE_FIELDS),
                ExpressionAttributeValues={
                    ":username": {"S": username},
                    ":empty": {"S": ""},
                    ":zero": {"N": "0"},
                    ":now": {"S": self._clock()},
                },
                ReturnValues="ALL_NEW",
            )
        return _profile(response["Attributes"])

    def update(self, player_id: str, changes: ProfileChanges) -> Profile:
        fields = changes.as_dict()
        try:
            with transient_errors("player store"):
                response = self._client.update_item(
                    TableName=self._table,
                    Key=_profile_key(player_id),
                    UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in fields),
                    ConditionExpression=PROFILE_EXISTS,
                    ExpressionAttributeNames=_names(*fields),
                    ExpressionAttributeValues={f":{n}": {"S": v} for n, v in fields.items()},
                    ReturnValues="ALL_NEW",
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise ServiceUnavailable("the profile is not there yet; try again") from None
            raise
        return _profile(response["Attributes"])

    def credit(self, key: str, credit: Credit) -> bool:
        now = self._clock()
        marker = {
            "player_id": {"S": credit.beneficiary_id},
            "sk": {"S": f"credit#{key}#{credit.role}"},
            "credited_for": {"S": key},
            "role": {"S": credit.role},
            "experience": {"N": str(credit.experience)},
            "wins": {"N": str(credit.wins)},
            "credited_at": {"S": now},
        }
        counters = {
            "TableName": self._table,
            "Key": _profile_key(credit.beneficiary_id),
            "UpdateExpression": _CREDIT,
            "ExpressionAttributeNames": _names("experience", "wins", "created_at"),
            "ExpressionAttributeValues": {
                ":experience": {"N": str(credit.experience)},
                ":wins": {"N": str(credit.wins)},
                ":now": {"S": now},
            },
        }
        put = {"TableName": self._table, "Item": marker,
               "ConditionExpression": CREDIT_NOT_YET_APPLIED}
        try:
            with transient_errors("player store"):
                self._client.transact_write_items(
                    TransactItems=[{"Put": put}, {"Update": counters}]
                )
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            if _first_cancellation_code(error) == "ConditionalCheckFailed":
                return False  # applied by an earlier delivery: done
            raise ServiceUnavailable("the credit collided with another write; retry") from None
        return True


def _profile_key(player_id: str) -> dict[str, Any]:
    return {"player_id": {"S": player_id}, "sk": {"S": PROFILE}}


def _names(*fields: str) -> dict[str, str]:
    return {f"#{field}": field for field in fields}


def _profile(item: Mapping[str, Any]) -> Profile:
    return Profile(
        player_id=item["player_id"]["S"],
        username=item["username"]["S"],
        display_name=item["display_name"]["S"],
        location=item["location"]["S"],
        real_name=item["real_name"]["S"],
        experience=int(item["experience"]["N"]),
        wins=int(item["wins"]["N"]),
        wallet=int(item["wallet"]["N"]),
        created_at=item["created_at"]["S"],
    )



def _first_cancellation_code(error: ClientError) -> str:
    reasons = error.response.get("CancellationReasons") or [{}]
    return str(reasons[0].get("Code") or "None")

