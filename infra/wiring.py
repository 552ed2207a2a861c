"""Reads the SAM template: the one wiring source for the local cloud and the tests.

``load_template()`` parses ``infra/template.yaml`` (CloudFormation short-form tags included) and
returns a ``Wiring``: every function with its handler, its HTTP routes and its SNS topics (and
the IoT topic rules that invoke functions: ``iot_rules``), and
the tables, topics and user pool the local cloud must create. Intrinsic functions are kept as
data (``{"Ref": "QuizzesTable"}``); ``resolve()`` substitutes local values for them.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).with_name("template.yaml")

_SHORT_TAGS = {
    "!Ref": "Ref",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!If": "Fn::If",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!FindInMap": "Fn::FindInMap",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!Condition": "Condition",
}


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short-form tags into their long form."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = _SHORT_TAGS.get("!" + suffix)
    if name is None:
        raise yaml.constructor.ConstructorError(
            None, None, f"unknown tag !{suffix}", node.start_mark
        )
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _construct_tag)


@dataclass(frozen=True)
class HttpRoute:
    method: str
    path: str
    function: str
    authorized: bool

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class WebSocketRoute:
    """One route of the WebSocket API: route key -> the function its integration invokes."""

    route_key: str
    function: str
    authorized: bool  # runs the API's REQUEST authorizer (``$connect`` only, on AWS)


@dataclass(frozen=True)
class IotRule:
    """One ``AWS::IoT::TopicRule``: its SQL, the topic filter in its FROM, its Lambda action."""

    logical_id: str
    sql: str
    topic_filter: str
    function: str


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str
    properties: Mapping[str, Any]
    http_routes: tuple[HttpRoute, ...] = ()
    sns_topics: tuple[str, ...] = ()  # logical ids of the topics it subscribes to
    max_retries: int = 2

    @property
    def module_name(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    def load(self) -> Callable[[dict[str, Any], Any], Any]:
        """Import the handler exactly as Lambda would: ``module.attribute``."""
        module = importlib.import_module(self.module_name)
        return getattr(module, self.attribute)


@dataclass(frozen=True)
class Wiring:
    template: Mapping[str, Any]
    functions: Mapping[str, Function] = field(default_factory=dict)

    @property
    def resources(self) -> Mapping[str, Any]:
        return self.template.get("Resources", {})

    def of_type(self, resource_type: str) -> dict[str, Mapping[str, Any]]:
        return {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.resources.items()
            if resource.get("Type") == resource_type
        }

    @property
    def http_routes(self) -> list[HttpRoute]:
        return [route for function in self.functions.values() for route in function.http_routes]

    @property
    def global_environment(self) -> Mapping[str, Any]:
        return (
            self.template.get("Globals", {})
            .get("Function", {})
            .get("Environment", {})
            .get("Variables", {})
        )

    @property
    def websocket_routes(self) -> list[WebSocketRoute]:
        """Every ``AWS::ApiGatewayV2::Route``, followed Target -> Integration -> function."""
        integrations = self.of_type("AWS::ApiGatewayV2::Integration")
        routes = []
        for logical_id, properties in self.of_type("AWS::ApiGatewayV2::Route").items():
            integration = _sub_target(properties.get("Target"), "integrations/")
            if integration not in integrations:
                raise ValueError(f"route {logical_id} targets no integration of the template")
            function = _function_in_uri(integrations[integration].get("IntegrationUri"))
            if function is None or function not in self.functions:
                raise ValueError(f"integration {integration} invokes no function of the template")
            routes.append(WebSocketRoute(
                route_key=str(properties["RouteKey"]), function=function,
                authorized=properties.get("AuthorizationType") == "CUSTOM",
            ))
        return routes

    @property
    def websocket_authorizer(self) -> str | None:
        """The function behind the WebSocket API's REQUEST authorizer, if it has one."""
        authorizers = self.of_type("AWS::ApiGatewayV2::Authorizer")
        if not authorizers:
            return None
        if len(authorizers) != 1:
            raise ValueError(f"expected one WebSocket authorizer, found {len(authorizers)}")
        function = _function_in_uri(next(iter(authorizers.values())).get("AuthorizerUri"))
        if function not in self.functions:
            raise ValueError("the WebSocket authorizer invokes no function of the template")
        return function

    @property
    def iot_rules(self) -> list[IotRule]:
        """Every ``AWS::IoT::TopicRule`` with one Lambda action naming a template function."""
        rules = []
        for logical_id, properties in self.of_type("AWS::IoT::TopicRule").items():
            payload = properties.get("TopicRulePayload") or {}
            sql = str(payload.get("Sql", ""))
            source = _RULE_SOURCE.search(sql)
            if source is None:
                raise ValueError(f"rule {logical_id}: no FROM '<topic filter>' in its SQL")
            lambdas = [a["Lambda"] for a in payload.get("Actions", []) if "Lambda" in a]
            if len(lambdas) != 1:
                raise ValueError(f"rule {logical_id}: expected one Lambda action")
            arn = lambdas[0].get("FunctionArn")
            function = (arn.get("Fn::GetAtt") or [None])[0] if isinstance(arn, dict) else None
            if not isinstance(function, str) or function not in self.functions:
                raise ValueError(f"rule {logical_id} invokes no function of the template")
            rules.append(IotRule(logical_id, sql, source.group(1), function))
        return rules

    def http_api(self) -> Mapping[str, Any]:
        apis = self.of_type("AWS::Serverless::HttpApi")
        if len(apis) != 1:
            raise ValueError(f"expected one AWS::Serverless::HttpApi, found {len(apis)}")
        return next(iter(apis.values()))


def load_template(path: Path = TEMPLATE_PATH) -> Wiring:
    template = yaml.load(path.read_text(encoding="utf-8"), Loader=_TemplateLoader)  # noqa: S506
    functions: dict[str, Function] = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource.get("Properties", {})
        functions[logical_id] = _function(logical_id, properties)
    return Wiring(template=template, functions=functions)


def _function(logical_id: str, properties: Mapping[str, Any]) -> Function:
    routes: list[HttpRoute] = []
    topics: list[str] = []
    for event in (properties.get("Events") or {}).values():
        event_properties = event.get("Properties", {})
        if event.get("Type") == "HttpApi":
            authorizer = (event_properties.get("Auth") or {}).get("Authorizer")
            routes.append(
                HttpRoute(
                    method=event_properties["Method"].upper(),
                    path=event_properties["Path"],
                    function=logical_id,
                    authorized=authorizer != "NONE",
                )
            )
        elif event.get("Type") == "SNS":
            topics.append(_ref_target(event_properties["Topic"]))
    retries = (properties.get("EventInvokeConfig") or {}).get("MaximumRetryAttempts", 2)
    return Function(
        logical_id=logical_id,
        handler=properties["Handler"],
        properties=properties,
        http_routes=tuple(routes),
        sns_topics=tuple(topics),
        max_retries=int(retries),
    )


def _ref_target(value: Any) -> str:
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    raise ValueError(f"expected a !Ref, got {value!r}")


def _sub_target(value: Any, prefix: str) -> str | None:
    """``!Sub integrations/${X}`` -> ``X``."""
    text = value.get("Fn::Sub") if isinstance(value, dict) else value
    if not isinstance(text, str) or not text.startswith(prefix):
        return None
    match = _SUB_VARIABLE.fullmatch(text[len(prefix):])
    return match.group(1) if match else None


def _function_in_uri(value: Any) -> str | None:
    """The function named in a Lambda invocation URI (``...functions/${Fn.Arn}/invocations``)."""
    text = value.get("Fn::Sub") if isinstance(value, dict) else value
    if not isinstance(text, str):
        return None
    match = re.search(r"functions/\$\{([^}.]+)\.Arn\}/invocations", text)
    return match.group(1) if match else None


_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")
_RULE_SOURCE = re.compile(r"\bFROM\s+'([^']+)'", re.IGNORECASE)


def resolve(
    value: Any, refs: Mapping[str, str], attributes: Mapping[str, str] | None = None
) -> Any:
    """Substitute local values for ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub`` in ``value``.

    ``refs`` maps logical ids and pseudo parameters (``AWS::Region``) to strings;
    ``attributes`` maps ``"LogicalId.Attribute"`` to strings.
    """
    attributes = attributes or {}
    if isinstance(value, list):
        return [resolve(item, refs, attributes) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return refs[value["Ref"]]
    if set(value) == {"Fn::GetAtt"}:
        logical_id, attribute = value["Fn::GetAtt"]
        return attributes[f"{logical_id}.{attribute}"]
    if set(value) == {"Fn::Sub"}:
        text = value["Fn::Sub"]
        return _SUB_VARIABLE.sub(
            lambda match: (
                refs[match.group(1)] if "." not in match.group(1) else attributes[match.group(1)]
            ),
            text,
        )
    if set(value) == {"Fn::Join"}:
        separator, items = value["Fn::Join"]
        return separator.join(str(resolve(item, refs, attributes)) for item in items)
    return {key: resolve(item, refs, attributes) for key, item in value.items()}
