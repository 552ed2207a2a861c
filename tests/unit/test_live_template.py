"""The live game's wiring in infra/template.yaml, read through infra.wiring: every topic rule
invokes a function of the template that imports, with permission for IoT to invoke it; the
rules cover exactly the inbound topics of services.live.topics; the functions that use Redis are
in the VPC and may publish to the live topics; the authorizer and the outputs exist."""

from __future__ import annotations

import pytest

from infra.wiring import load_template
from services.live import topics

pytestmark = pytest.mark.unit

WIRING = load_template()


def test_one_rule_per_inbound_topic() -> None:
    assert {rule.topic_filter for rule in WIRING.iot_rules} == {
        topics.HOST_COMMANDS_FILTER, topics.PLAYER_ACTIONS_FILTER}


@pytest.mark.parametrize("rule", WIRING.iot_rules, ids=lambda rule: rule.logical_id)
def test_every_rule_invokes_an_importable_function_it_may_invoke(rule) -> None:
    assert callable(WIRING.functions[rule.function].load())
    permissions = [p for p in WIRING.of_type("AWS::Lambda::Permission").values()
                   if p["FunctionName"] == {"Ref": rule.function}]
    assert [p["Principal"] for p in permissions] == ["iot.amazonaws.com"]
    assert permissions[0]["SourceArn"] == {"Fn::GetAtt": [rule.logical_id, "Arn"]}


@pytest.mark.parametrize("rule", WIRING.iot_rules, ids=lambda rule: rule.logical_id)
def test_rule_sql_passes_the_raw_payload_and_the_pinned_segment(rule) -> None:
    assert rule.sql.startswith(
        "SELECT encode(*, 'base64') AS payload, topic(4) AS sender, topic() AS topic FROM")
    # topic(4) is the {player_id} segment: trivia(1)/live(2)/hosts|players(3)/{player_id}(4)
    assert rule.topic_filter.split("/")[3] == "+"


@pytest.mark.parametrize("function", sorted({r.function for r in WIRING.iot_rules}))
def test_rule_functions_are_in_the_vpc_with_redis_and_may_publish_live_topics(function) -> None:
    properties = WIRING.functions[function].properties
    assert properties["VpcConfig"]["SubnetIds"]
    variables = properties["Environment"]["Variables"]
    assert {"REDIS_URL", "IOT_DATA_ENDPOINT", "GAMES_TABLE"} <= set(variables)
    statements = [s for p in properties["Policies"] if "Statement" in p for s in p["Statement"]]
    assert any(s["Action"] == "iot:Publish" and "topic/trivia/live/*" in s["Resource"]["Fn::Sub"]
               for s in statements)


def test_the_authorizer_runs_the_verifier_and_the_stack_outputs_what_clients_need() -> None:
    authorizers = WIRING.of_type("AWS::IoT::Authorizer")
    assert len(authorizers) == 1
    (properties,) = authorizers.values()
    function = properties["AuthorizerFunctionArn"]["Fn::GetAtt"][0]
    assert WIRING.functions[function].handler == "services.live.handlers.authorize"
    assert callable(WIRING.functions[function].load())
    outputs = WIRING.template["Outputs"]
    assert {"IotEndpoint", "IotAuthorizerName"} <= set(outputs)
    assert any(r.route_key == "POST /live/credentials" and r.authorized
               for r in WIRING.http_routes)
