"""API Gateway HTTP API payload format 2.0: the event a handler gets and the response it gives.

Pure functions, no I/O: the gateway passes what it read off the socket and writes what comes
back. The shapes follow AWS's documentation and captured events:
- headers are lower-cased and repeated headers comma-joined; the Cookie header moves to
  ``cookies``; API Gateway adds ``x-forwarded-*`` and ``x-amzn-trace-id``;
- keys AWS leaves out when empty stay out (``cookies``, ``queryStringParameters``,
  ``pathParameters``, ``body``, ``requestContext.authorizer``);
- JWT claims reach the handler as strings: numbers and booleans stringified, arrays as
  ``"[a b]"``, objects as JSON, null claims dropped; ``scopes`` is null on routes that declare no
  authorization scopes (none of ours do);
- a body that is not text (by content type, or not UTF-8) arrives base64 with
  ``isBase64Encoded``.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/javascript",
    "application/graphql",
)
_TEXT_SUFFIXES = ("+json", "+xml")


@dataclass(frozen=True)
class IncomingRequest:
    """What the gateway read off the socket."""

    method: str
    raw_path: str  # percent-encoded, without the query string
    raw_query: str
    headers: Iterable[tuple[str, str]]  # as received, repeated names allowed
    body: bytes
    source_ip: str
    local_port: int
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class ApiContext:
    """Who is answering: the API and the account, and this request's id and time."""

    api_id: str
    account_id: str
    request_id: str = field(default_factory=lambda: new_request_id())
    epoch_ms: int = field(default_factory=lambda: int(time.time() * 1000))


def new_request_id() -> str:
    """An id shaped like API Gateway's (``apigw-requestid``)."""
    return base64.b64encode(secrets.token_bytes(12)).decode().rstrip("=")[:14] + "="


def build_event(
    request: IncomingRequest,
    *,
    route_key: str,
    path_parameters: Mapping[str, str],
    context: ApiContext,
    claims: Mapping[str, Any] | None,
) -> dict[str, Any]:
    headers, cookies = _headers_and_cookies(request)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = _query_parameters(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = _request_context(request, headers, route_key, context, claims)
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if request.body:
        event["body"], event["isBase64Encoded"] = _body(request.body, headers.get("content-type"))
    else:
        event["isBase64Encoded"] = False
    event["stageVariables"] = None
    return event


def _headers_and_cookies(request: IncomingRequest) -> tuple[dict[str, str], list[str]]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lowered = name.lower()
        if lowered == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[lowered] = f"{headers[lowered]},{value}" if lowered in headers else value
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = (
        f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip
    )
    headers["x-forwarded-port"] = str(request.local_port)
    headers["x-forwarded-proto"] = "http"
    headers.setdefault("x-amzn-trace-id", _trace_id())
    return headers, cookies


def _trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"


def _query_parameters(raw_query: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        parameters[name] = f"{parameters[name]},{value}" if name in parameters else value
    return parameters


def _request_context(
    request: IncomingRequest,
    headers: Mapping[str, str],
    route_key: str,
    context: ApiContext,
    claims: Mapping[str, Any] | None,
) -> dict[str, Any]:
    domain = headers.get("host", f"127.0.0.1:{request.local_port}")
    request_context: dict[str, Any] = {
        "accountId": context.account_id,
        "apiId": context.api_id,
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": claim_strings(claims), "scopes": None}}
    request_context.update(
        {
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "http": {
                "method": request.method.upper(),
                "path": request.raw_path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": context.request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(context.epoch_ms / 1000)),
            "timeEpoch": context.epoch_ms,
        }
    )
    return request_context


def claim_strings(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway passes them to a payload 2.0 handler: every value a string."""
    return {name: _claim_string(value) for name, value in claims.items() if value is not None}


def _claim_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + " ".join(_claim_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def is_text(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith(_TEXT_SUFFIXES)


def _body(body: bytes, content_type: str | None) -> tuple[str, bool]:
    if is_text(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


# ------------------------------------------------------------------------------ responses


class InvalidLambdaResponse(ValueError):
    """The handler's result is not something API Gateway can turn into a response (500)."""


@dataclass(frozen=True)
class OutgoingResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def map_result(result: Any) -> OutgoingResponse:
    """Turn a handler's return value into an HTTP response, as format 2.0 specifies."""
    if isinstance(result, dict) and "statusCode" in result:
        return _explicit_response(result)
    # No statusCode (or not a dict): API Gateway assumes 200 and a JSON body of the whole result.
    try:
        text = json.dumps(result)
    except (TypeError, ValueError) as error:
        raise InvalidLambdaResponse(f"result is not JSON-serializable: {error}") from None
    return OutgoingResponse(200, [("content-type", "application/json")], text.encode())


def _explicit_response(result: dict[str, Any]) -> OutgoingResponse:
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise InvalidLambdaResponse(f"invalid statusCode {status!r}")
    headers = [
        (str(name).lower(), _header_value(value))
        for name, value in (result.get("headers") or {}).items()
    ]
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list):
        raise InvalidLambdaResponse("cookies must be a list")
    headers.extend(("set-cookie", str(cookie)) for cookie in cookies)
    return OutgoingResponse(status, headers, _response_body(result))


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _response_body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise InvalidLambdaResponse("body must be a string")
    if not result.get("isBase64Encoded"):
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except ValueError:
        raise InvalidLambdaResponse("isBase64Encoded but the body is not base64") from None


def gateway_error(status: int, message: str, code: str, detail: str) -> OutgoingResponse:
    """A response the gateway makes itself: AWS's body plus ours (docs/decisions/0003)."""
    body = {"message": message, "error": {"code": code, "message": detail}}
    return OutgoingResponse(
        status, [("content-type", "application/json")], json.dumps(body).encode()
    )


def internal_error() -> OutgoingResponse:
    body = json.dumps({"message": "Internal Server Error"}).encode()
    return OutgoingResponse(500, [("content-type", "application/json")], body)
