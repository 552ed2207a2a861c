"""HTTP API glue for Lambda handlers (API Gateway HTTP API, payload format 2.0).

A handler module builds one ``HttpRouter``, registers a function per route key exactly as the
SAM template spells it (``"GET /quizzes/{quiz_id}"``), and exports the router as ``handler``.
API Gateway (and the local gateway) puts the matched route key in ``event["routeKey"]``, so
dispatch is a dictionary lookup, and a test can compare each router's keys with the template.

Route functions receive a parsed ``Request`` and return a ``Response`` or a JSON-able body
(200). Domain errors become ``{"error": {...}}`` with their status; anything unexpected is
logged with the request id and answered as a generic 500 without internals.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from services.core.errors import (
    DomainError,
    MalformedJson,
    PayloadTooLarge,
    RouteNotFound,
    Unauthorized,
    ValidationFailed,
    error_body,
)
from services.core.routing import RouteRegistry

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
JSON_HEADERS = {"content-type": "application/json"}

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Identity:
    """Who is calling, taken from the verified token claims only."""

    player_id: str
    username: str


@dataclass(frozen=True)
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_lambda(self) -> dict[str, Any]:
        headers = dict(self.headers)
        if self.body is None:
            return {"statusCode": self.status, "headers": headers}
        headers.setdefault("content-type", JSON_HEADERS["content-type"])
        return {
            "statusCode": self.status,
            "headers": headers,
            "body": json.dumps(self.body, separators=(",", ":")),
        }


@dataclass(frozen=True)
class Request:
    route_key: str
    path: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    raw_body: bytes
    claims: dict[str, Any]
    request_id: str

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Request:
        body = event.get("body") or ""
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")
        context = event.get("requestContext") or {}
        jwt = (context.get("authorizer") or {}).get("jwt") or {}
        return cls(
            route_key=event.get("routeKey", ""),
            path=dict(event.get("pathParameters") or {}),
            query=dict(event.get("queryStringParameters") or {}),
            headers={k.lower(): v for k, v in (event.get("headers") or {}).items()},
            raw_body=raw,
            claims=dict(jwt.get("claims") or {}),
            request_id=context.get("requestId", ""),
        )

    @property
    def identity(self) -> Identity:
        """The caller, from the authorizer's verified claims; 401 when there are none."""
        player_id = self.claims.get("sub")
        username = self.claims.get("username") or self.claims.get("cognito:username")
        if not player_id or not username:
            raise Unauthorized("this route needs a valid access token")
        return Identity(player_id=str(player_id), username=str(username))

    def json(self, model: type[M]) -> M:
        """Parse and validate the body against ``model`` (unknown fields are refused)."""
        if len(self.raw_body) > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"request body is over {MAX_BODY_BYTES} bytes")
        if not self.raw_body.strip():
            raise MalformedJson("request body must be a JSON object")
        try:
            data = json.loads(self.raw_body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedJson(f"request body is not valid JSON: {exc}") from None
        except RecursionError:  # "[[[[..." nested past the parser's stack: not a JSON we take
            raise MalformedJson("request body is nested too deeply") from None
        return validate(model, data)

    def path_param(self, name: str, *, max_length: int = 64) -> str:
        value = self.path.get(name, "")
        if not value or len(value) > max_length or not _is_id(value):
            raise ValidationFailed(f"invalid {name}", details={"field": name})
        return value


def _is_id(value: str) -> bool:
    return all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


def validate(model: type[M], data: Any) -> M:
    """Validate ``data`` against a pydantic model, turning failures into ``ValidationFailed``."""
    if not isinstance(data, dict):
        raise ValidationFailed("expected a JSON object")
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in err["loc"]) or "(body)", "problem": err["msg"]}
            for err in exc.errors()[:20]
        ]
        first = problems[0]
        raise ValidationFailed(
            f"{first['field']}: {first['problem']}", details={"problems": problems}
        ) from None


RouteFunction = Callable[[Request], Any]


class HttpRouter(RouteRegistry[RouteFunction]):
    """Dispatches payload-2.0 events by route key to registered functions."""

    def __call__(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        request = Request.from_event(event)
        try:
            fn = self._routes.get(request.route_key)
            if fn is None:
                raise RouteNotFound(f"no route {request.route_key!r}")
            result = fn(request)
            response = result if isinstance(result, Response) else Response(200, result)
        except DomainError as error:
            response = Response(error.status, error_body(error))
        except Exception:
            logger.exception(
                "unhandled error in %s (request %s)", request.route_key, request.request_id
            )
            response = Response(
                500, {"error": {"code": "internal_error", "message": "internal error"}}
            )
        return response.to_lambda()
