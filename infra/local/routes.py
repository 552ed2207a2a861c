"""Route matching as API Gateway HTTP APIs do it.

Paths may hold ``{param}`` (one non-empty segment) and a final greedy ``{proxy+}`` (the rest of
the path). When several routes match, the most specific wins, as on AWS: literal segments beat
parameters, parameters beat a greedy tail (compared left to right), and an exact method beats
``ANY``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from infra.wiring import HttpRoute

_LITERAL, _PARAMETER, _GREEDY = 2, 1, 0


@dataclass(frozen=True)
class _Segment:
    kind: int
    text: str  # the literal, or the parameter's name


@dataclass(frozen=True)
class RouteMatch:
    route: HttpRoute
    path_parameters: dict[str, str]


class RouteTable:
    def __init__(self, routes: Iterable[HttpRoute]) -> None:
        self._routes = [(route, _parse(route.path)) for route in routes]

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        """The most specific route for ``method`` and the (still percent-encoded) path."""
        segments = [unquote(segment) for segment in raw_path.split("/")[1:]]
        best: tuple[tuple[int, ...], RouteMatch] | None = None
        for route, pattern in self._routes:
            if route.method not in (method.upper(), "ANY"):
                continue
            parameters = _match(pattern, segments)
            if parameters is None:
                continue
            rank = (*(segment.kind for segment in pattern), int(route.method != "ANY"))
            if best is None or rank > best[0]:
                best = (rank, RouteMatch(route, parameters))
        return best[1] if best else None


def _parse(path: str) -> list[_Segment]:
    parsed = []
    for segment in path.split("/")[1:]:
        if segment.startswith("{") and segment.endswith("+}"):
            parsed.append(_Segment(_GREEDY, segment[1:-2]))
        elif segment.startswith("{") and segment.endswith("}"):
            parsed.append(_Segment(_PARAMETER, segment[1:-1]))
        else:
            parsed.append(_Segment(_LITERAL, segment))
    return parsed


def _match(pattern: list[_Segment], segments: list[str]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for index, segment in enumerate(pattern):
        if segment.kind == _GREEDY:
            rest = segments[index:]
            if not rest or not rest[0]:
                return None
            parameters[segment.text] = "/".join(rest)
            return parameters
        if index >= len(segments):
            return None
        value = segments[index]
        if segment.kind == _LITERAL and value != segment.text:
            return None
        if segment.kind == _PARAMETER:
            if not value:
                return None
            parameters[segment.text] = value
    return parameters if len(segments) == len(pattern) else None
