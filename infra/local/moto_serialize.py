"""moto's JSON responses, with DynamoDB attribute values that are already wire format kept as
they are.

moto (5.2) serializes every response by walking botocore's output shapes. An item's attribute
values (``{"S": "Mars"}``, ``{"L": [...]}``) are already what the wire carries, yet each one is
walked member by member (S, N, B, SS, NS, BS, M, L, NULL, BOOL), each member looked up through
several alias providers: measured on the local moto, that was 45 % of a ``GetItem`` of a play
(five questions), about 3 ms of its 6. A plain value — strings, numbers as strings, booleans,
maps and lists of those — serializes to itself, so it is passed through; anything else
(binary values, which moto must base64-encode, or anything unexpected) takes moto's own path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ATTRIBUTE_VALUE = "AttributeValue"
_DYNAMODB = frozenset({"dynamodb", "dynamodbstreams"})
_STRINGS = frozenset({"S", "N"})
_STRING_SETS = frozenset({"SS", "NS"})
_BOOLEANS = frozenset({"BOOL", "NULL"})


def is_plain(value: Any) -> bool:
    """True when ``value`` is a DynamoDB attribute value without binary parts, as on the wire."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind in _STRINGS:
        return isinstance(inner, str)
    if kind in _BOOLEANS:
        return isinstance(inner, bool)
    if kind in _STRING_SETS:
        return isinstance(inner, list) and all(isinstance(member, str) for member in inner)
    if kind == "M":
        return isinstance(inner, dict) and all(
            isinstance(name, str) and is_plain(member) for name, member in inner.items())
    if kind == "L":
        return isinstance(inner, list) and all(is_plain(member) for member in inner)
    return False


def install() -> None:
    """Patch moto's JSON response serializer in this process (the moto child); idempotent."""
    from moto.core.serialize import BaseJSONSerializer

    if getattr(BaseJSONSerializer._serialize_type_structure, "_plain_attribute_values", False):
        return
    original: Callable[..., None] = BaseJSONSerializer._serialize_type_structure

    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if (key and shape.name == ATTRIBUTE_VALUE and is_plain(value)
                and self.operation_model.service_model.service_name in _DYNAMODB):
            self._default_serialize(serialized, value, shape, key)
            return
        original(self, serialized, value, shape, key)

    serialize_structure._plain_attribute_values = True  # type: ignore[attr-defined]
    BaseJSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]
