"""CORS as an HTTP API with a ``CorsConfiguration`` applies it.

The gateway answers preflight ``OPTIONS`` requests itself (204; the handler never runs), and
sets the CORS headers on every response, replacing any a handler set: with CORS configured,
API Gateway ignores the integration's CORS headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CorsConfig:
    allow_origins: Sequence[str] = ()
    allow_methods: Sequence[str] = ()
    allow_headers: Sequence[str] = ()
    expose_headers: Sequence[str] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def from_template(cls, http_api: Mapping[str, Any]) -> CorsConfig | None:
        declared = http_api.get("CorsConfiguration")
        if not declared:
            return None
        return cls(
            allow_origins=tuple(declared.get("AllowOrigins", ())),
            allow_methods=tuple(method.upper() for method in declared.get("AllowMethods", ())),
            allow_headers=tuple(header.lower() for header in declared.get("AllowHeaders", ())),
            expose_headers=tuple(header.lower() for header in declared.get("ExposeHeaders", ())),
            max_age=declared.get("MaxAge"),
            allow_credentials=bool(declared.get("AllowCredentials", False)),
        )

    @staticmethod
    def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
        return (
            method.upper() == "OPTIONS"
            and "origin" in headers
            and "access-control-request-method" in headers
        )

    def _allowed_origin(self, origin: str | None) -> str | None:
        if not origin:
            return None
        if "*" in self.allow_origins:
            return origin if self.allow_credentials else "*"
        return origin if origin in self.allow_origins else None

    def response_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """CORS headers for an actual (non-preflight) response; ``headers`` are lower-cased."""
        origin = self._allowed_origin(headers.get("origin"))
        if origin is None:
            return {}
        result = {"access-control-allow-origin": origin}
        if self.allow_credentials:
            result["access-control-allow-credentials"] = "true"
        if self.expose_headers:
            result["access-control-expose-headers"] = ",".join(self.expose_headers)
        return result

    def preflight_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        origin = self._allowed_origin(headers.get("origin"))
        if origin is None:
            return {}
        requested_method = headers.get("access-control-request-method", "").upper()
        requested_headers = headers.get("access-control-request-headers", "")
        methods = requested_method if "*" in self.allow_methods else ",".join(self.allow_methods)
        allowed_headers = (
            requested_headers if "*" in self.allow_headers else ",".join(self.allow_headers)
        )
        result = {"access-control-allow-origin": origin, "access-control-allow-methods": methods}
        if allowed_headers:
            result["access-control-allow-headers"] = allowed_headers
        if self.max_age is not None:
            result["access-control-max-age"] = str(self.max_age)
        if self.allow_credentials:
            result["access-control-allow-credentials"] = "true"
        return result
