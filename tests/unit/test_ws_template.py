"""The WebSocket API in the template: every route reaches a function that serves it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.wiring import load_template
from services.core.ws import WebSocketRouter

pytestmark = pytest.mark.unit

WIRING = load_template()
ACTIONS = json.loads(
    (Path(__file__).resolve().parents[2] / "docs/schemas/websocket/actions.schema.json")
    .read_text())["properties"]["action"]["enum"]


def test_there_is_one_route_per_documented_action_plus_the_special_ones() -> None:
    keys = [route.route_key for route in WIRING.websocket_routes]
    assert len(keys) == len(set(keys))
    assert set(keys) == {"$connect", "$disconnect", "$default", *ACTIONS}


def test_every_route_is_served_by_its_function() -> None:
    by_function: dict[str, set[str]] = {}
    for route in WIRING.websocket_routes:
        by_function.setdefault(route.function, set()).add(route.route_key)
    for logical_id, keys in by_function.items():
        handler = WIRING.functions[logical_id].load()
        assert isinstance(handler, WebSocketRouter), logical_id
        assert handler.route_keys == keys, logical_id


def test_only_connect_runs_the_authorizer_and_the_authorizer_imports() -> None:
    assert {r.route_key for r in WIRING.websocket_routes if r.authorized} == {"$connect"}
    assert WIRING.websocket_authorizer is not None
    assert callable(WIRING.functions[WIRING.websocket_authorizer].load())


def test_functions_that_use_redis_are_in_the_vpc_and_may_post_to_connections() -> None:
    game = WIRING.functions["HostedGamesFunction"].properties
    assert game["VpcConfig"]["SubnetIds"]
    variables = game["Environment"]["Variables"]
    assert {"REDIS_URL", "WEBSOCKET_MANAGEMENT_URL", "GAMES_TABLE"} <= set(variables)
    statements = [s for p in game["Policies"] if "Statement" in p for s in p["Statement"]]
    assert any(s["Action"] == "execute-api:ManageConnections" for s in statements)


def test_the_connections_table_has_a_ttl_and_the_stack_outputs_the_url() -> None:
    table = WIRING.resources["ConnectionsTable"]["Properties"]
    assert table["TimeToLiveSpecification"]["Enabled"] is True
    assert "WebSocketUrl" in WIRING.template["Outputs"]
