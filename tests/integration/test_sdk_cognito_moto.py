"""The SDK's Cognito calls against moto's Cognito (the local cloud's), over loopback HTTP.

Checks the wire protocol the fake cloud imitates: unsigned JSON calls with ``X-Amz-Target``,
moto's answers for USER_PASSWORD_AUTH / REFRESH_TOKEN_AUTH / GlobalSignOut and its error types.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from clients.sdk.client import TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import NotAuthorized, SessionExpired, UserNotFound

pytestmark = pytest.mark.integration

PASSWORD = "Sup3r-secret!"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def endpoints(moto_url: str) -> Endpoints:
    cognito = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    pool_id = cognito.create_user_pool(PoolName="sdk-test")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="sdk",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="ann", Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="ann")
    return Endpoints(
        http_api_url="http://127.0.0.1:9",  # not called here
        region="us-east-1",
        user_pool_id=pool_id,
        user_pool_client_id=client_id,
        cognito_endpoint_url=moto_url,
    )


def test_login_refresh_and_global_sign_out_against_moto(endpoints: Endpoints) -> None:
    async def scenario() -> None:
        async with TriviaClient(endpoints) as client:
            tokens = await client.login("ann", PASSWORD)
            assert tokens.claims()["username"] == "ann"
            assert tokens.claims()["client_id"] == endpoints.user_pool_client_id
            refreshed = await client.refresh()
            assert refreshed.refresh_token == tokens.refresh_token
            assert refreshed.access_token != tokens.access_token
            await client.logout()
            assert client.tokens is None
        async with TriviaClient(endpoints, tokens=tokens) as stale:
            with pytest.raises(SessionExpired):
                await stale.refresh()

    asyncio.run(scenario())


def test_moto_login_errors_map_to_sdk_errors(endpoints: Endpoints) -> None:
    async def scenario() -> None:
        async with TriviaClient(endpoints) as client:
            with pytest.raises(NotAuthorized) as wrong:
                await client.login("ann", "Wrong-passw0rd!")
            with pytest.raises(UserNotFound):
                await client.login("nobody", PASSWORD)
        assert wrong.value.aws_type == "NotAuthorizedException"

    asyncio.run(scenario())
