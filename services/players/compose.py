"""Composition roots of AccountsFunction and ProgressWriterFunction: each builds only what its
function may use (decision 0006), from typed settings, once per warm container, on first call."""

from __future__ import annotations

from functools import cache

from services.core import aws
from services.core.settings import AuthSettings, TableSettings
from services.players.cognito import CognitoIdentityProvider
from services.players.dynamo import DynamoProfileStore
from services.players.ports import ProfileStore
from services.players.use_cases import AccountServices


@cache
def account_services() -> AccountServices:
    """Tests call ``account_services.cache_clear()`` between clouds."""
    auth = AuthSettings()  # type: ignore[call-arg]  # filled from the environment
    return AccountServices(
        identities=CognitoIdentityProvider(
            aws.client("cognito-idp", auth.aws_region),
            auth.user_pool_id,
            auth.user_pool_client_id,
        ),
        profiles=profile_store(),
    )


@cache
def profile_store() -> ProfileStore:
    """Tests call ``profile_store.cache_clear()`` between clouds."""
    tables = TableSettings()  # type: ignore[call-arg]  # filled from the environment
    return DynamoProfileStore(aws.client("dynamodb", tables.aws_region), tables.players_table)
