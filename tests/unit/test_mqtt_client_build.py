"""How ``LiveConnection`` builds its awscrt client, locally and on AWS: no connection is made."""

from __future__ import annotations

import pytest
from awscrt import mqtt5

from clients.sdk.mqtt import LiveConnection, _authorizer_client, _with_password
from clients.sdk.mqtt_credentials import AuthorizerLogin, BrokerLogin, MqttCredentials

pytestmark = pytest.mark.unit


def test_locally_plain_tcp_with_password_and_no_metrics_in_the_username() -> None:
    login = BrokerLogin("127.0.0.1", 1884, "p1", "pw")
    connection = LiveConnection(MqttCredentials("p1", login))
    options = _with_password(connection._options(), login)
    assert (options.host_name, options.port, options.tls_ctx) == ("127.0.0.1", 1884, None)
    assert options.connect_options.client_id == "p1"
    assert (options.connect_options.username, options.connect_options.password) == ("p1", "pw")
    assert options.disable_metrics is True
    assert options.session_behavior == mqtt5.ClientSessionBehaviorType.REJOIN_POST_SUCCESS
    assert isinstance(connection._build(), mqtt5.Client)


def test_on_aws_tls_and_the_token_as_password_for_the_custom_authorizer() -> None:
    login = AuthorizerLogin("abc-ats.iot.us-east-1.amazonaws.com", "trivia-live", "jwt", 443)
    connection = LiveConnection(MqttCredentials("p1", login))
    options = connection._options()
    client = _authorizer_client(options, login, "p1")
    assert isinstance(client, mqtt5.Client)
    assert options.host_name == "abc-ats.iot.us-east-1.amazonaws.com" and options.port == 443
    assert options.tls_ctx is not None
    assert options.connect_options.username.startswith("p1?")
    assert "x-amz-customauthorizer-name=trivia-live" in options.connect_options.username
    assert options.connect_options.password == "jwt"
    assert "jwt" not in options.connect_options.username


def test_without_a_session_expiry_every_connection_is_clean() -> None:
    credentials = MqttCredentials("p1", BrokerLogin("127.0.0.1", 1884, "p1", "pw"))
    options = LiveConnection(credentials, session_expiry_seconds=0)._options()
    assert options.session_behavior == mqtt5.ClientSessionBehaviorType.CLEAN
