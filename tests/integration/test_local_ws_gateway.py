"""The local WebSocket gateway's API Gateway semantics, with small handlers of this module:
authorizer and $connect before the handshake, routing by action, the event shape, $disconnect,
the frame and message limits, idle timeout and maximum age, and the @connections API."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from infra.local.connections_api import ConnectionsApi, InProcessFanout
from infra.local.lambda_runtime import LambdaRuntime
from infra.local.ws_gateway import MAX_MESSAGE_BYTES, GatewaySettings, WebSocketGateway
from infra.wiring import Function, WebSocketRoute, Wiring

pytestmark = pytest.mark.integration

EVENTS: list[dict[str, Any]] = []
MANAGEMENT: dict[str, str] = {}
MODULE = __name__


# ------------------------------------------------------------------ handlers (Lambda's view)


def authorize(event: dict[str, Any], context: Any) -> dict[str, Any]:
    EVENTS.append(event)
    token = (event.get("queryStringParameters") or {}).get("token")
    if token == "boom":
        raise RuntimeError("authorizer bug")
    if token not in ("allow", "deny", "refuse") and not str(token).startswith("allow-"):
        raise Exception("Unauthorized")  # noqa: TRY002 (API Gateway's literal)
    effect = "Deny" if token == "deny" else "Allow"
    return {"principalId": "p1", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
        "context": {"player_id": "p1", "token_expires_at": 123}}


def on_connect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    EVENTS.append(event)
    refuse = (event.get("queryStringParameters") or {}).get("token") == "refuse"
    return {"statusCode": 403 if refuse else 200}


def on_disconnect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    EVENTS.append(event)
    return {"statusCode": 200}


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    EVENTS.append(event)
    client = boto3.session.Session().client(
        "apigatewaymanagementapi", region_name="us-east-1", endpoint_url=MANAGEMENT["url"],
        aws_access_key_id="testing", aws_secret_access_key="testing")
    connection_id = event["requestContext"]["connectionId"]
    client.post_to_connection(ConnectionId=connection_id,
                              Data=json.dumps({"echo": json.loads(event["body"])}).encode())
    return {"statusCode": 200}


def fallback(event: dict[str, Any], context: Any) -> dict[str, Any]:
    EVENTS.append(event)
    return {"statusCode": 200}


def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("handler bug")


FUNCTIONS = {"Authorizer": "authorize", "Connect": "on_connect", "Disconnect": "on_disconnect",
             "Echo": "echo", "Default": "fallback", "Fail": "fail"}
ROUTES = [
    WebSocketRoute("$connect", "Connect", True),
    WebSocketRoute("$disconnect", "Disconnect", False),
    WebSocketRoute("$default", "Default", False),
    WebSocketRoute("echo", "Echo", False),
    WebSocketRoute("fail", "Fail", False),
]


class Running:
    def __init__(self, idle: float, max_age: float) -> None:
        wiring = Wiring(template={}, functions={
            logical_id: Function(logical_id, f"{MODULE}.{name}", {"Timeout": 5})
            for logical_id, name in FUNCTIONS.items()})
        self.runtime = LambdaRuntime(wiring, region="us-east-1", workers=8)
        self.gateway = WebSocketGateway(ROUTES, "Authorizer", self.runtime, GatewaySettings(
            api_id="localwsapi", account_id="123456789012", region="us-east-1",
            idle_timeout_seconds=idle, max_age_seconds=max_age))
        self.api = ConnectionsApi(self.gateway)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.run(self.api.start())
        self.run(self.gateway.start())
        MANAGEMENT["url"] = self.api.url

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(15)

    def stop(self) -> None:
        self.run(self.gateway.stop())
        self.run(self.api.stop())
        self.runtime.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def url(self, token: str | None) -> str:
        return self.gateway.url + (f"?token={token}" if token else "")

    def management(self) -> Any:
        return boto3.session.Session().client(
            "apigatewaymanagementapi", region_name="us-east-1", endpoint_url=self.api.url,
            aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def running(request: pytest.FixtureRequest) -> Iterator[Running]:
    idle, max_age = getattr(request, "param", (60.0, 600.0))
    EVENTS.clear()
    cloud = Running(idle, max_age)
    yield cloud
    cloud.stop()


def _kinds() -> list[tuple[str, str]]:
    return [(e.get("type") or e["requestContext"]["eventType"],
             e.get("requestContext", {}).get("routeKey", "")) for e in EVENTS]


async def _wait_for(predicate: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)


@pytest.mark.parametrize(("token", "status"), [
    (None, 401), ("garbage", 401), ("deny", 403), ("boom", 500), ("refuse", 403)])
def test_refused_handshakes_never_open_a_connection(running: Running, token: str | None,
                                                    status: int) -> None:
    async def attempt() -> None:
        with pytest.raises(InvalidStatus) as refused:
            await connect(running.url(token))
        assert refused.value.response.status_code == status

    asyncio.run(attempt())
    kinds = _kinds()
    connect_ran = ("CONNECT", "$connect") in kinds
    assert connect_ran == (token == "refuse")  # $connect runs only once authorized
    assert running.gateway.connections == {}
    assert ("DISCONNECT", "$disconnect") not in kinds


def test_events_have_api_gateways_shape_and_frames_route_by_action(running: Running) -> None:
    async def session() -> None:
        async with connect(running.url("allow")) as socket:
            await socket.send(json.dumps({"action": "echo", "n": 1}))
            assert json.loads(await socket.recv()) == {"echo": {"action": "echo", "n": 1}}
            await socket.send("not json")
            await socket.send(json.dumps({"action": "nothing"}))
            await socket.send(json.dumps({"action": "fail"}))
            error = json.loads(await socket.recv())
            assert error["message"] == "Internal server error" and error["connectionId"]
            await _wait_for(lambda: len(EVENTS) >= 5)
        await _wait_for(lambda: ("DISCONNECT", "$disconnect") in _kinds())

    asyncio.run(session())
    authorizer, connected = EVENTS[0], EVENTS[1]
    assert authorizer["type"] == "REQUEST"
    assert authorizer["methodArn"].endswith("localwsapi/live/$connect")
    assert authorizer["queryStringParameters"] == {"token": "allow"}
    context = connected["requestContext"]
    assert context["eventType"] == "CONNECT" and context["routeKey"] == "$connect"
    assert context["authorizer"] == {"player_id": "p1", "token_expires_at": 123,
                                     "principalId": "p1"}
    connection_id = context["connectionId"]
    messages = [e for e in EVENTS if e["requestContext"]["eventType"] == "MESSAGE"]
    assert sorted(e["requestContext"]["routeKey"] for e in messages) == [
        "$default", "$default", "echo"]
    for event in messages:
        ctx = event["requestContext"]
        assert ctx["connectionId"] == connection_id and ctx["authorizer"]["player_id"] == "p1"
        assert ctx["apiId"] == "localwsapi" and ctx["stage"] == "live" and ctx["requestId"]
        assert ctx["messageDirection"] == "IN" and event["isBase64Encoded"] is False
        assert isinstance(ctx["connectedAt"], int) and ctx["domainName"].startswith("127.0.0.1")
    disconnect = next(e for e in EVENTS if e["requestContext"]["eventType"] == "DISCONNECT")
    assert disconnect["requestContext"]["connectionId"] == connection_id
    assert disconnect["requestContext"]["disconnectStatusCode"] == 1000


@pytest.mark.parametrize(("payload", "fragments"), [
    ("a" * (32 * 1024 + 1), None), (None, ["b" * 30_000] * 5)])
def test_over_the_frame_or_message_limit_closes_1009(running: Running, payload: str | None,
                                                     fragments: list[str] | None) -> None:
    async def session() -> int | None:
        async with connect(running.url("allow"), max_size=None) as socket:
            await socket.send(payload if payload is not None else fragments)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(socket.recv(), 5)
            return socket.close_code

    assert asyncio.run(session()) == 1009


def test_a_message_of_several_frames_within_the_limits_is_delivered(running: Running) -> None:
    async def session() -> dict:
        async with connect(running.url("allow"), max_size=None) as socket:
            body = json.dumps({"action": "echo", "pad": "c" * 90_000})
            await socket.send([body[i:i + 30_000] for i in range(0, len(body), 30_000)])
            return json.loads(await asyncio.wait_for(socket.recv(), 5))

    assert len(asyncio.run(session())["echo"]["pad"]) == 90_000


def test_the_connections_api_gets_posts_deletes_and_answers_gone(running: Running) -> None:
    management = running.management()

    async def session() -> None:
        async with connect(running.url("allow")) as socket:
            await _wait_for(lambda: bool(running.gateway.connections))
            (connection_id,) = running.gateway.connections
            described = await asyncio.to_thread(management.get_connection,
                                                ConnectionId=connection_id)
            assert described["Identity"]["SourceIp"] == "127.0.0.1"
            await asyncio.to_thread(management.post_to_connection,
                                    ConnectionId=connection_id, Data=b'{"hello": 1}')
            assert json.loads(await socket.recv()) == {"hello": 1}
            await asyncio.to_thread(management.delete_connection, ConnectionId=connection_id)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(socket.recv(), 5)
            for call in (management.post_to_connection, management.get_connection):
                kwargs = {"ConnectionId": connection_id}
                if call == management.post_to_connection:
                    kwargs["Data"] = b"{}"
                with pytest.raises(ClientError) as gone:
                    await asyncio.to_thread(call, **kwargs)
                assert gone.value.response["Error"]["Code"] == "GoneException"
                assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410

    asyncio.run(session())
    assert ("DISCONNECT", "$disconnect") in _kinds()


def test_the_in_process_fanout_pushes_like_the_connections_api(running: Running) -> None:
    """One hop for a whole fan-out (decision 0008), with the POST's outcomes: text frames for
    UTF-8, binary otherwise, gone for an unknown or closed connection, failed over 128 KB."""
    fanout = InProcessFanout(running.gateway, running.loop)

    async def session() -> None:
        async with connect(running.url("allow-1")) as first, \
                connect(running.url("allow-2")) as second:
            await _wait_for(lambda: len(running.gateway.connections) == 2)
            one, two = running.gateway.connections
            outcomes = await asyncio.to_thread(
                fanout.deliver, _same([one, "nobody=", two], '{"n":"é"}'.encode()))
            assert outcomes == ["sent", "gone", "sent"]
            for socket in (first, second):
                assert await asyncio.wait_for(socket.recv(), 5) == '{"n":"é"}'
            binary = await asyncio.to_thread(fanout.deliver, _same([two, one], b"\xff\x00"))
            assert binary == ["sent", "sent"]
            for socket in (first, second):
                assert await asyncio.wait_for(socket.recv(), 5) == b"\xff\x00"
            each = await asyncio.to_thread(fanout.deliver, [(one, b'{"to":1}'), (two, b'{"to":2}')])
            assert each == ["sent", "sent"]
            assert await asyncio.wait_for(first.recv(), 5) == '{"to":1}'
            assert await asyncio.wait_for(second.recv(), 5) == '{"to":2}'
            too_big = b"x" * (MAX_MESSAGE_BYTES + 1)
            assert await asyncio.to_thread(fanout.deliver, [(one, too_big), (two, b"{}")]) == [
                "failed", "sent"]
            assert await asyncio.wait_for(second.recv(), 5) == "{}"
            await second.close()
            await _wait_for(lambda: len(running.gateway.connections) == 1)
            (alive,) = running.gateway.connections
            closed = two if alive == one else one
            assert await asyncio.to_thread(fanout.deliver, _same([alive, closed], b"{}")) == [
                "sent", "gone"]
            assert await asyncio.wait_for(first.recv(), 5) == "{}"

    asyncio.run(session())


def _same(connection_ids: list[str], data: bytes) -> list[tuple[str, bytes]]:
    return [(connection_id, data) for connection_id in connection_ids]


def test_tokens_never_reach_the_logs(running: Running, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "allow-s3cr3t-token-value"

    async def session() -> None:
        async with connect(running.url(secret)) as socket:
            await socket.send(json.dumps({"action": "fail"}))
            await asyncio.wait_for(socket.recv(), 5)
        with pytest.raises(InvalidStatus):
            await connect(running.url("refused-s3cr3t-token-value"))

    asyncio.run(session())
    server_side = [r for r in caplog.records if not r.name.startswith("websockets.client")]
    assert server_side  # something was logged (the failing handler, at least)
    assert not [r.getMessage() for r in server_side if "s3cr3t" in r.getMessage()]


@pytest.mark.parametrize("running", [(0.6, 600.0)], indirect=True)
def test_an_idle_connection_is_closed(running: Running) -> None:
    async def session() -> int | None:
        async with connect(running.url("allow")) as socket:
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(socket.recv(), 5)
            return socket.close_code

    assert asyncio.run(session()) == 1001


@pytest.mark.parametrize("running", [(60.0, 1.2)], indirect=True)
def test_a_connection_past_its_maximum_age_is_closed_even_when_busy(running: Running) -> None:
    async def session() -> float:
        started = time.monotonic()
        async with connect(running.url("allow")) as socket:
            with pytest.raises(ConnectionClosed):
                while True:
                    await socket.send(json.dumps({"action": "nothing"}))
                    await asyncio.sleep(0.1)
            return time.monotonic() - started

    assert 1.0 < asyncio.run(session()) < 5
