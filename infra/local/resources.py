"""Create the template's resources in moto and resolve the handlers' environment.

Every ``AWS::DynamoDB::Table``, ``AWS::SNS::Topic``, ``AWS::Cognito::UserPool`` and
``AWS::Cognito::UserPoolClient`` is created as declared. Physical names: tables
``<stack>-<LogicalId>`` and topics by their ``TopicName`` (else ``<stack>-<LogicalId>``); pool and
client ids are moto's. Other resource types (the SQS dead-letter queue: locally dead letters are
files) are not emulated and only logged. The refs map (logical id -> what ``!Ref`` returns, plus
pseudo parameters) and the ``!GetAtt`` map then resolve the template's Globals environment and
the functions' own variables with ``infra.wiring.resolve``, exactly as CloudFormation would on
AWS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.wiring import Wiring, resolve

logger = logging.getLogger(__name__)

ACCOUNT_ID = "123456789012"  # moto's default account
STACK_NAME = "trivia"

ClientFactory = Callable[[str], Any]  # service name -> boto3 client bound to moto

_TABLE_PROPERTIES = ("AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput")
_INDEX_PROPERTIES = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
_POOL_PROPERTIES = (
    "Policies",
    "Schema",
    "UsernameConfiguration",
    "UsernameAttributes",
    "AliasAttributes",
    "AutoVerifiedAttributes",
    "MfaConfiguration",
    "AdminCreateUserConfig",
    "AccountRecoverySetting",
    "DeletionProtection",
    "UserPoolTags",
)
_CLIENT_PROPERTIES = (
    "ClientName",
    "GenerateSecret",
    "ExplicitAuthFlows",
    "AccessTokenValidity",
    "IdTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
    "EnableTokenRevocation",
    "PreventUserExistenceErrors",
    "ReadAttributes",
    "WriteAttributes",
    "AuthSessionValidity",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "CallbackURLs",
    "LogoutURLs",
    "SupportedIdentityProviders",
)
_EMULATED = (
    "AWS::DynamoDB::Table",
    "AWS::SNS::Topic",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
)
# Read by the local cloud itself (routes, functions), not created in moto.
_READ_ONLY = ("AWS::Serverless::Function", "AWS::Serverless::HttpApi")


@dataclass
class LocalResources:
    region: str
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)  # logical id -> table name
    topics: dict[str, str] = field(default_factory=dict)  # logical id -> topic ARN
    user_pools: dict[str, str] = field(default_factory=dict)  # logical id -> pool id
    user_pool_clients: dict[str, str] = field(default_factory=dict)  # logical id -> client id

    def resolve(self, value: Any) -> Any:
        return resolve(value, self.refs, self.attributes)

    @property
    def user_pool_id(self) -> str:
        return _only(self.user_pools, "AWS::Cognito::UserPool")

    @property
    def user_pool_client_id(self) -> str:
        return _only(self.user_pool_clients, "AWS::Cognito::UserPoolClient")


def _only(found: Mapping[str, str], resource_type: str) -> str:
    if len(found) != 1:
        raise ValueError(f"the local cloud expects one {resource_type}, found {len(found)}")
    return next(iter(found.values()))


def pseudo_parameters(region: str, stack_name: str = STACK_NAME) -> dict[str, str]:
    return {
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT_ID,
        "AWS::StackName": stack_name,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }


def create_resources(
    wiring: Wiring, client: ClientFactory, region: str, stack_name: str = STACK_NAME
) -> LocalResources:
    """Create every emulated resource in moto (dependencies first) and return the refs."""
    resources = LocalResources(region=region, refs=pseudo_parameters(region, stack_name))
    for logical_id, properties in wiring.of_type("AWS::DynamoDB::Table").items():
        _create_table(client("dynamodb"), resources, logical_id, properties, stack_name)
    for logical_id, properties in wiring.of_type("AWS::SNS::Topic").items():
        _create_topic(client("sns"), resources, logical_id, properties, stack_name)
    for logical_id, properties in wiring.of_type("AWS::Cognito::UserPool").items():
        _create_user_pool(client("cognito-idp"), resources, logical_id, properties, stack_name)
    for logical_id, properties in wiring.of_type("AWS::Cognito::UserPoolClient").items():
        _create_user_pool_client(client("cognito-idp"), resources, logical_id, properties)
    _name_read_only_resources(wiring, resources, stack_name)
    for logical_id, resource in wiring.resources.items():
        if resource.get("Type") not in _EMULATED + _READ_ONLY:
            logger.debug("not emulated locally: %s (%s)", logical_id, resource.get("Type"))
    return resources


def _create_table(
    dynamodb: Any,
    resources: LocalResources,
    logical_id: str,
    properties: Mapping[str, Any],
    stack_name: str,
) -> None:
    declared = resources.resolve(dict(properties))
    name = declared.get("TableName") or f"{stack_name}-{logical_id}"
    request: dict[str, Any] = {key: declared[key] for key in _TABLE_PROPERTIES if key in declared}
    for indexes in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if declared.get(indexes):
            request[indexes] = [
                {key: index[key] for key in _INDEX_PROPERTIES if key in index}
                for index in declared[indexes]
            ]
    if "StreamSpecification" in declared:
        request["StreamSpecification"] = {"StreamEnabled": True, **declared["StreamSpecification"]}
    table = dynamodb.create_table(TableName=name, **request)["TableDescription"]
    ttl = declared.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    resources.tables[logical_id] = name
    resources.refs[logical_id] = name
    resources.attributes[f"{logical_id}.Arn"] = table["TableArn"]
    if table.get("LatestStreamArn"):
        resources.attributes[f"{logical_id}.StreamArn"] = table["LatestStreamArn"]


def _create_topic(
    sns: Any,
    resources: LocalResources,
    logical_id: str,
    properties: Mapping[str, Any],
    stack_name: str,
) -> None:
    declared = resources.resolve(dict(properties))
    name = declared.get("TopicName") or f"{stack_name}-{logical_id}"
    attributes = {
        key: str(declared[key]).lower() if isinstance(declared[key], bool) else str(declared[key])
        for key in ("DisplayName", "FifoTopic", "ContentBasedDeduplication")
        if key in declared
    }
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    resources.topics[logical_id] = arn
    resources.refs[logical_id] = arn
    resources.attributes[f"{logical_id}.TopicArn"] = arn
    resources.attributes[f"{logical_id}.TopicName"] = name


def _create_user_pool(
    cognito: Any,
    resources: LocalResources,
    logical_id: str,
    properties: Mapping[str, Any],
    stack_name: str,
) -> None:
    declared = resources.resolve(dict(properties))
    request = {key: declared[key] for key in _POOL_PROPERTIES if key in declared}
    name = declared.get("UserPoolName") or f"{stack_name}-{logical_id}"
    pool = cognito.create_user_pool(PoolName=name, **request)["UserPool"]
    provider = f"cognito-idp.{resources.region}.amazonaws.com/{pool['Id']}"
    resources.user_pools[logical_id] = pool["Id"]
    resources.refs[logical_id] = pool["Id"]
    resources.attributes.update(
        {
            f"{logical_id}.Arn": pool["Arn"],
            f"{logical_id}.UserPoolId": pool["Id"],
            f"{logical_id}.ProviderName": provider,
            f"{logical_id}.ProviderURL": f"https://{provider}",
        }
    )


def _create_user_pool_client(
    cognito: Any, resources: LocalResources, logical_id: str, properties: Mapping[str, Any]
) -> None:
    declared = resources.resolve(dict(properties))
    request = {key: declared[key] for key in _CLIENT_PROPERTIES if key in declared}
    request.setdefault("ClientName", logical_id)
    client = cognito.create_user_pool_client(UserPoolId=declared["UserPoolId"], **request)
    client_id = client["UserPoolClient"]["ClientId"]
    resources.user_pool_clients[logical_id] = client_id
    resources.refs[logical_id] = client_id
    resources.attributes[f"{logical_id}.ClientId"] = client_id


def _name_read_only_resources(wiring: Wiring, resources: LocalResources, stack_name: str) -> None:
    """Refs for functions and the HTTP API, which the local cloud serves itself."""
    for logical_id in wiring.functions:
        name = f"{stack_name}-{logical_id}"
        resources.refs[logical_id] = name
        resources.attributes[f"{logical_id}.Arn"] = (
            f"arn:aws:lambda:{resources.region}:{ACCOUNT_ID}:function:{name}"
        )
    for logical_id in wiring.of_type("AWS::Serverless::HttpApi"):
        resources.refs[logical_id] = local_api_id(stack_name)


def local_api_id(stack_name: str = STACK_NAME) -> str:
    """A stable, AWS-shaped (10 lower-case alphanumerics) id for the local HTTP API."""
    return (stack_name.lower() + "localapi00")[:10]


# What ``handler_environment`` sets, and REDIS_CLUSTER: locally Redis is one plain server, so
# the template's "true" (ElastiCache Serverless) must not reach the handlers.
LOCAL_VARIABLES = frozenset({
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "REDIS_URL", "REDIS_CLUSTER", "JWKS_URL",
})


def functions_environment(
    wiring: Wiring, resources: LocalResources, *, set_locally: frozenset[str]
) -> dict[str, str]:
    """The union of every function's own ``Environment`` variables and the Globals, resolved.

    On Lambda each function has its own environment; locally every handler runs in this one
    process and shares one. So a variable that two functions (or a function and the Globals)
    give different local values cannot be honoured: start-up fails with a ``ValueError`` naming
    both, rather than one handler silently reading another's value. Left out: the variables in
    ``set_locally`` (the local cloud's parts set those themselves: Redis, the @connections URL,
    the broker) and values that name a resource the local cloud does not emulate (they do not
    resolve: the ElastiCache endpoint, the IoT endpoint).
    """
    sources: list[tuple[str, Mapping[str, Any]]] = [("Globals", wiring.global_environment)]
    for logical_id in sorted(wiring.functions):
        properties = wiring.functions[logical_id].properties
        sources.append((logical_id, (properties.get("Environment") or {}).get("Variables") or {}))
    environment: dict[str, str] = {}
    given_by: dict[str, str] = {}
    for source, variables in sources:
        for name, value in variables.items():
            if name in set_locally:
                continue
            try:
                resolved = str(resources.resolve(value))
            except KeyError:
                continue  # names an AWS-only resource
            if name in environment and environment[name] != resolved:
                raise ValueError(
                    f"{name} is {environment[name]!r} for {given_by[name]} but {resolved!r} for "
                    f"{source}; locally all handlers share one environment, so the template "
                    "must give it one value"
                )
            environment[name] = resolved
            given_by.setdefault(name, source)
    return environment


def handler_environment(
    wiring: Wiring, resources: LocalResources, *, moto_url: str, redis_url: str
) -> dict[str, str]:
    """The environment every handler reads at its cold start, as Lambda would set it."""
    try:
        variables = resources.resolve(dict(wiring.global_environment))
    except KeyError as missing:
        raise ValueError(
            f"the template's Globals environment refers to {missing}, which the local cloud "
            "does not emulate"
        ) from None
    environment = {name: str(value) for name, value in variables.items()}
    environment.update(
        {
            "AWS_REGION": resources.region,
            "AWS_DEFAULT_REGION": resources.region,
            "AWS_ENDPOINT_URL": moto_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "REDIS_URL": redis_url,
        }
    )
    if resources.user_pools:
        # Locally the keys live on moto; the issuer stays the AWS form, which is what moto signs.
        environment["JWKS_URL"] = f"{moto_url}/{resources.user_pool_id}/.well-known/jwks.json"
    return environment
