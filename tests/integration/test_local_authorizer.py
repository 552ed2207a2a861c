"""The gateway's JWT authorizer against real tokens from moto's Cognito (QUALITY.md, "Tokens").

Every refused token gets 401 with AWS's and our error body, and the handler never runs. Forged
tokens use moto's own signing key where that makes the case sharper: an expired token or one
without ``exp`` that is otherwise perfectly signed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from clients.sdk.endpoints import Endpoints
from infra.local.cloud import BackgroundCloud
from infra.local.seed import log_in
from tests.fixtures.local import handlers
from tests.fixtures.local.support import bearer, call, running_cloud
from tests.fixtures.moto_key import moto_signing_key

pytestmark = pytest.mark.integration

PASSWORD = "Correct-Horse-42"
# moto signs every pool's tokens with this one key (DESIGN.md, "The local cloud").
MOTO_KEY = moto_signing_key()


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundCloud]:
    # A long cooldown, as in production: a flood of unknown kids must not refetch.
    with running_cloud(tmp_path_factory.mktemp("authorizer"), jwks_cooldown_seconds=300) as c:
        yield c


@pytest.fixture(scope="module")
def endpoints(cloud: BackgroundCloud) -> Endpoints:
    assert cloud.cloud.endpoints is not None
    return cloud.cloud.endpoints


@pytest.fixture(scope="module")
def cognito(endpoints: Endpoints) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoints.aws_endpoint_url,
        region_name=endpoints.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _register(cognito: Any, pool_id: str, client_id: str, username: str) -> None:
    cognito.sign_up(
        ClientId=client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)


def _access_token(endpoints: Endpoints, client_id: str, username: str) -> str:
    """Logged in as a client does: the unsigned InitiateAuth call."""
    return log_in(
        endpoints.model_copy(update={"user_pool_client_id": client_id}), username, PASSWORD
    )


@pytest.fixture(scope="module")
def ada(cognito: Any, endpoints: Endpoints) -> dict[str, str]:
    """Ada's real tokens from the template's pool and app client."""
    _register(cognito, endpoints.user_pool_id, endpoints.user_pool_client_id, "ada")
    result = cognito.initiate_auth(
        ClientId=endpoints.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return {"access": result["AccessToken"], "id": result["IdToken"]}


@pytest.fixture(scope="module")
def other_pool_token(cognito: Any, endpoints: Endpoints) -> str:
    pool = cognito.create_user_pool(PoolName="someone-elses")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="theirs", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    _register(cognito, pool, client, "mallory")
    return _access_token(endpoints, client, "mallory")


@pytest.fixture(scope="module")
def other_client_token(cognito: Any, endpoints: Endpoints) -> str:
    client = cognito.create_user_pool_client(
        UserPoolId=endpoints.user_pool_id,
        ClientName="another-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    _register(cognito, endpoints.user_pool_id, endpoints.user_pool_client_id, "eve")
    return _access_token(endpoints, client, "eve")


@pytest.fixture()
def api(endpoints: Endpoints) -> str:
    handlers.reset()
    return endpoints.http_api_url


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _b64(data: bytes) -> str:
    return jwt.utils.base64url_encode(data).decode()


def _alg_none(real: str) -> str:
    header = _b64(json.dumps({"alg": "none", "kid": "dummy", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(_claims(real)).encode())}."


def _hs256_with_public_key(real: str) -> str:
    public_pem = MOTO_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # pyjwt refuses PEM keys as HMAC secrets, so sign by hand, as an attacker would.
    header = _b64(json.dumps({"alg": "HS256", "kid": "dummy", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims(real)).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _foreign_key_real_kid(real: str) -> str:
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(_claims(real), foreign, algorithm="RS256", headers={"kid": "dummy"})


def _signed_by_moto(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, MOTO_KEY, algorithm="RS256", headers={"kid": "dummy"})


def _expired(real: str) -> str:
    return _signed_by_moto({**_claims(real), "exp": int(time.time()) - 5})


def _without_exp(real: str) -> str:
    claims = _claims(real)
    del claims["exp"]
    return _signed_by_moto(claims)


def _assert_refused(api: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = call(api, "GET", "/echo/ada", headers=headers)
    assert answer.status == 401
    body = answer.json()
    assert body["message"] == "Unauthorized"
    assert body["error"]["code"] == "unauthorized" and body["error"]["message"]
    assert answer.headers["www-authenticate"].startswith("Bearer ")
    assert handlers.calls() == []  # the handler never ran
    return body


def test_a_real_access_token_passes_with_claims_as_strings(api: str, ada: dict[str, str]) -> None:
    answer = call(api, "GET", "/echo/ada", headers=bearer(ada["access"]))

    assert answer.status == 200
    authorizer = answer.json()["requestContext"]["authorizer"]
    claims = _claims(ada["access"])
    assert authorizer["jwt"]["scopes"] is None  # the route declares no scopes
    assert authorizer["jwt"]["claims"] == {name: str(value) for name, value in claims.items()}
    assert authorizer["jwt"]["claims"]["exp"].isdigit()
    assert authorizer["jwt"]["claims"]["username"] == "ada"
    assert authorizer["jwt"]["claims"]["token_use"] == "access"


ForgedToken = Callable[[str], str]


@pytest.mark.parametrize(
    "forge",
    [_alg_none, _hs256_with_public_key, _foreign_key_real_kid, _expired, _without_exp],
    ids=["alg-none", "hs256-public-key", "foreign-key-real-kid", "expired", "no-exp"],
)
def test_forged_or_stale_tokens_are_refused(
    api: str, ada: dict[str, str], forge: ForgedToken
) -> None:
    _assert_refused(api, bearer(forge(ada["access"])))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic YWRhOnBhc3M="},
        {"Authorization": "Bearer not.a.jwt"},
    ],
    ids=["no-header", "empty", "bearer-only", "basic", "garbage"],
)
def test_missing_or_malformed_credentials_are_refused(api: str, headers: dict[str, str]) -> None:
    _assert_refused(api, headers)


def test_another_pools_token_is_refused(api: str, other_pool_token: str) -> None:
    body = _assert_refused(api, bearer(other_pool_token))

    assert "issuer" in body["error"]["message"]


def test_another_app_clients_token_is_refused(api: str, other_client_token: str) -> None:
    body = _assert_refused(api, bearer(other_client_token))

    assert "another app client" in body["error"]["message"]


def test_an_id_token_is_refused_where_an_access_token_is_required(
    api: str, ada: dict[str, str]
) -> None:
    body = _assert_refused(api, bearer(ada["id"]))

    assert "access token" in body["error"]["message"]


def test_a_thousand_random_kids_cost_at_most_one_jwks_fetch(
    cloud: BackgroundCloud, api: str, ada: dict[str, str]
) -> None:
    gateway = cloud.cloud.gateway
    assert gateway is not None and gateway.authorizer is not None
    claims = _claims(ada["access"])
    before = gateway.authorizer.jwks.fetch_count
    host, port = api.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    statuses = set()
    try:
        for _ in range(1000):
            token = jwt.encode(
                claims, MOTO_KEY, algorithm="RS256", headers={"kid": secrets.token_hex(8)}
            )
            connection.request("GET", "/echo/ada", headers=bearer(token))
            response = connection.getresponse()
            response.read()
            statuses.add(response.status)
    finally:
        connection.close()

    assert statuses == {401}
    assert gateway.authorizer.jwks.fetch_count - before <= 1
    assert handlers.calls() == []
    # The known key still works after the flood.
    assert call(api, "GET", "/echo/ada", headers=bearer(ada["access"])).status == 200


def test_tokens_never_reach_the_logs(
    api: str, ada: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    forged = _expired(ada["access"])

    call(api, "GET", "/echo/ada", headers=bearer(ada["access"]))
    call(api, "GET", "/echo/ada", headers=bearer(forged))
    call(api, "GET", f"/nowhere?token={ada['access']}", headers=bearer(ada["access"]))

    signatures = [token.rsplit(".", 1)[1] for token in (ada["access"], forged)]
    assert any(record.name.startswith("infra.local") for record in caplog.records)
    for record in caplog.records:
        text = record.getMessage()
        assert all(signature not in text for signature in signatures)
        assert "Bearer" not in text
