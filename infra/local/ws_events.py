"""API Gateway WebSocket events, as Lambda receives them: the REQUEST authorizer event of
``$connect`` and the CONNECT / MESSAGE / DISCONNECT proxy events.

Field names and shapes follow API Gateway's WebSocket Lambda proxy integration; values are
local (loopback domain, the local API id, moto's account).
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


def new_connection_id() -> str:
    """Shaped like API Gateway's (base64 of 12 bytes, 16 characters ending in ``=``)."""
    return base64.b64encode(secrets.token_bytes(11)).decode()[:15] + "="


def new_request_id() -> str:
    return base64.b64encode(secrets.token_bytes(12)).decode().rstrip("=")[:14] + "="


@dataclass(frozen=True)
class ConnectionInfo:
    connection_id: str
    api_id: str
    account_id: str
    region: str
    stage: str
    domain_name: str
    source_ip: str
    user_agent: str
    connected_at_ms: int = field(default_factory=lambda: int(time.time() * 1000))

    @property
    def method_arn(self) -> str:
        return (
            f"arn:aws:execute-api:{self.region}:{self.account_id}:{self.api_id}/"
            f"{self.stage}/$connect"
        )


def _request_time(epoch_ms: int) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000))


def request_context(
    info: ConnectionInfo,
    *,
    route_key: str,
    event_type: str,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    now = int(time.time() * 1000)
    request_id = new_request_id()
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": _request_time(now),
        "messageDirection": "IN",
        "stage": info.stage,
        "connectedAt": info.connected_at_ms,
        "requestTimeEpoch": now,
        "identity": {"sourceIp": info.source_ip, "userAgent": info.user_agent},
        "requestId": request_id,
        "domainName": info.domain_name,
        "connectionId": info.connection_id,
        "apiId": info.api_id,
    }
    if event_type == "MESSAGE":
        context["messageId"] = new_request_id()
    if authorizer is not None:
        context["authorizer"] = dict(authorizer)
    return context


def _headers(headers: Sequence[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def _query(raw_query: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def authorizer_event(
    info: ConnectionInfo, headers: Sequence[tuple[str, str]], raw_query: str
) -> dict[str, Any]:
    single, multi = _headers(headers)
    query, multi_query = _query(raw_query)
    return {
        "type": "REQUEST",
        "methodArn": info.method_arn,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": query or {},
        "multiValueQueryStringParameters": multi_query or {},
        "stageVariables": {},
        "requestContext": request_context(info, route_key="$connect", event_type="CONNECT"),
    }


def connect_event(
    info: ConnectionInfo,
    headers: Sequence[tuple[str, str]],
    raw_query: str,
    authorizer: Mapping[str, Any] | None,
) -> dict[str, Any]:
    single, multi = _headers(headers)
    query, multi_query = _query(raw_query)
    event: dict[str, Any] = {
        "headers": single,
        "multiValueHeaders": multi,
        "requestContext": request_context(
            info, route_key="$connect", event_type="CONNECT", authorizer=authorizer
        ),
        "isBase64Encoded": False,
    }
    if query is not None:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = multi_query
    return event


def message_event(
    info: ConnectionInfo, route_key: str, data: str | bytes, authorizer: Mapping[str, Any] | None
) -> dict[str, Any]:
    binary = isinstance(data, bytes)
    return {
        "requestContext": request_context(
            info, route_key=route_key, event_type="MESSAGE", authorizer=authorizer
        ),
        "body": base64.b64encode(data).decode() if isinstance(data, bytes) else data,
        "isBase64Encoded": binary,
    }


def disconnect_event(
    info: ConnectionInfo, authorizer: Mapping[str, Any] | None, status_code: int, reason: str
) -> dict[str, Any]:
    context = request_context(
        info, route_key="$disconnect", event_type="DISCONNECT", authorizer=authorizer
    )
    context["disconnectStatusCode"] = status_code
    context["disconnectReason"] = reason
    return {
        "headers": {
            "Host": info.domain_name,
            "x-api-key": "",
            "X-Forwarded-For": "",
            "x-restapi": "",
        },
        "multiValueHeaders": {},
        "requestContext": context,
        "isBase64Encoded": False,
    }


def authorizer_context(result: Any) -> dict[str, Any] | None:
    """The context API Gateway keeps from an authorizer's result, or None when it denies."""
    if not isinstance(result, Mapping):
        return None
    statements = (result.get("policyDocument") or {}).get("Statement") or []
    allowed = any(
        isinstance(statement, Mapping)
        and statement.get("Effect") == "Allow"
        and _invokes(statement.get("Action"))
        for statement in statements
    )
    if not allowed or any(
        isinstance(statement, Mapping) and statement.get("Effect") == "Deny"
        for statement in statements
    ):
        return None
    context = dict(result.get("context") or {})
    context["principalId"] = result.get("principalId")
    return context


def _invokes(action: Any) -> bool:
    actions = action if isinstance(action, list) else [action]
    return any(a in ("execute-api:Invoke", "execute-api:*", "*") for a in actions)
