"""The local API Gateway HTTP API: routes from the template, JWT authorizer, format 2.0 events.

Per request, in AWS's order: CORS preflight (answered here), payload limit (10 MB, AWS's; the
handlers enforce their own 64 KB), route match (404), JWT authorizer on authorized routes (401,
the handler never runs), then the handler on the Lambda worker pool, and its result mapped back
(500 if it raised, returned something unmappable, or ran past its timeout).

Token verification runs off the event loop: a JWKS refetch is a blocking call to moto, and moto
may at that moment be blocked posting an SNS notification to the bridge on this very loop.
Tokens and Authorization headers are never logged.

One route is the gateway's own, not the template's: ``POST /_local/echo`` answers with the
request's body, no authorizer, no handler. It is ``trivia bench``'s HTTP floor: the same server,
event loop and process as every route, with no handler work.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from infra.local import api_events
from infra.local.api_events import ApiContext, IncomingRequest, OutgoingResponse
from infra.local.authorizer import JwtAuthorizer
from infra.local.cors import CorsConfig
from infra.local.lambda_runtime import LambdaRuntime
from infra.local.loopback import LoopbackSite
from infra.local.routes import RouteMatch, RouteTable
from infra.wiring import HttpRoute
from services.core.errors import Unauthorized

logger = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway HTTP API's request payload limit
_TIMEOUT_MARGIN_SECONDS = 0.5
ECHO_PATH = "/_local/echo"


class _AccessLogger(AbstractAccessLogger):
    """Method, path (no query string: it may carry tokens), status and time; debug level."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.debug(
            "%s %s %s %.1fms", request.method, request.path, response.status, time * 1000
        )


class HttpGateway:
    def __init__(
        self,
        routes: list[HttpRoute],
        runtime: LambdaRuntime,
        authorizer: JwtAuthorizer | None,
        *,
        api_id: str,
        account_id: str,
        cors: CorsConfig | None = None,
    ) -> None:
        self._routes = RouteTable(routes)
        self._runtime = runtime
        self.authorizer = authorizer
        self._api_id = api_id
        self._account_id = account_id
        self._cors = cors
        self._site = LoopbackSite()
        self.invocations = 0

    @property
    def port(self) -> int:
        return self._site.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=MAX_PAYLOAD_BYTES)
        app.router.add_post(ECHO_PATH, _echo)
        # [\s\S], not ".": a path with an encoded newline (%0A) still reaches our JSON 404.
        app.router.add_route("*", r"/{tail:[\s\S]*}", self._handle)
        await self._site.start(app, port, access_log_class=_AccessLogger)
        return self.url

    async def stop(self) -> None:
        await self._site.stop()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        context = ApiContext(api_id=self._api_id, account_id=self._account_id)
        headers = {name.lower(): value for name, value in request.headers.items()}
        cors_headers: dict[str, str] = {}
        if self._cors is not None and self._cors.is_preflight(request.method, headers):
            outgoing = OutgoingResponse(204, [], b"")
            cors_headers = self._cors.preflight_headers(headers)
        else:
            outgoing = await self._respond(request, headers, context)
            if self._cors is not None:
                cors_headers = self._cors.response_headers(headers)
        response = web.Response(status=outgoing.status, body=outgoing.body)
        for name, value in outgoing.headers:
            # With CORS configured, API Gateway ignores the integration's own CORS headers.
            if not (self._cors and name.startswith("access-control-")):
                response.headers.add(name, value)
        response.headers.update(cors_headers)
        response.headers["apigw-requestid"] = context.request_id
        return response

    async def _respond(
        self, request: web.Request, headers: dict[str, str], context: ApiContext
    ) -> OutgoingResponse:
        if (request.content_length or 0) > MAX_PAYLOAD_BYTES:
            return _too_large()
        match = self._routes.match(request.method, request.rel_url.raw_path)
        if match is None:
            return api_events.gateway_error(
                404,
                "Not Found",
                "route_not_found",
                f"no route for {request.method} {request.rel_url.raw_path}",
            )
        claims = None
        if match.route.authorized:
            try:
                claims = await self._authorize(headers.get("authorization"))
            except Unauthorized as refused:
                logger.debug("401 for %s %s: %s", request.method, request.path, refused.message)
                return _unauthorized(refused.message)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _too_large()
        return await self._invoke(_incoming(request, body), match, context, claims)

    async def _authorize(self, authorization: str | None) -> dict[str, Any]:
        if self.authorizer is None:
            raise Unauthorized("the local cloud has no authorizer configured")
        return await asyncio.to_thread(self.authorizer.authorize, authorization)

    async def _invoke(
        self,
        incoming: IncomingRequest,
        match: RouteMatch,
        context: ApiContext,
        claims: dict[str, Any] | None,
    ) -> OutgoingResponse:
        route = match.route
        event = api_events.build_event(
            incoming,
            route_key=route.route_key,
            path_parameters=match.path_parameters,
            context=context,
            claims=claims,
        )
        timeout = self._runtime.config(route.function).timeout_seconds + _TIMEOUT_MARGIN_SECONDS
        self.invocations += 1
        try:
            result = await asyncio.wait_for(
                self._runtime.invoke_async(route.function, event), timeout
            )
            return api_events.map_result(result)
        except TimeoutError:
            logger.error(
                "%s timed out on %s (request %s)",
                route.function,
                route.route_key,
                context.request_id,
            )
        except api_events.InvalidLambdaResponse as error:
            logger.error("%s returned an invalid response: %s", route.function, error)
        except Exception:
            logger.exception(
                "%s raised on %s (request %s)", route.function, route.route_key, context.request_id
            )
        return api_events.internal_error()


async def _echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read(), content_type="application/json")


def _incoming(request: web.Request, body: bytes) -> IncomingRequest:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    sock = request.transport.get_extra_info("sockname") if request.transport else None
    return IncomingRequest(
        method=request.method,
        raw_path=request.rel_url.raw_path,
        raw_query=request.rel_url.raw_query_string,
        headers=list(request.headers.items()),
        body=body,
        source_ip=peer[0] if peer else "127.0.0.1",
        local_port=sock[1] if sock else 0,
        protocol=f"HTTP/{request.version.major}.{request.version.minor}",
    )


def _unauthorized(reason: str) -> OutgoingResponse:
    response = api_events.gateway_error(401, "Unauthorized", "unauthorized", reason)
    # As API Gateway does: RFC 6750's challenge, with the reason but never the token.
    challenge = f'Bearer error="invalid_token", error_description="{reason}"'
    return OutgoingResponse(
        401, [*response.headers, ("www-authenticate", challenge)], response.body
    )


def _too_large() -> OutgoingResponse:
    return api_events.gateway_error(
        413,
        "Request Entity Too Large",
        "payload_too_large",
        f"request body is over {MAX_PAYLOAD_BYTES} bytes",
    )
