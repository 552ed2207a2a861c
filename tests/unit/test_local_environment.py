"""Without a network: the handlers' one local environment, the union of the functions' own."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from infra.local.resources import functions_environment

pytestmark = pytest.mark.unit


def _wiring(global_environment: dict[str, Any], **functions: dict[str, Any]) -> Any:
    return SimpleNamespace(
        global_environment=global_environment,
        functions={name: SimpleNamespace(properties={"Environment": {"Variables": variables}})
                   for name, variables in functions.items()},
    )


def _resources() -> Any:
    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            raise KeyError(str(value))  # an AWS-only resource
        return value

    return SimpleNamespace(resolve=resolve)


def test_every_functions_variables_and_the_globals_are_merged() -> None:
    wiring = _wiring({"LOG_LEVEL": "INFO"}, A={"X": "1", "LOG_LEVEL": "INFO"}, B={"Y": "2"})
    assert functions_environment(wiring, _resources(), set_locally=frozenset()) == {
        "LOG_LEVEL": "INFO", "X": "1", "Y": "2"}


def test_locally_set_variables_and_aws_only_values_are_left_out() -> None:
    wiring = _wiring({}, A={"REDIS_URL": "rediss://aws", "ENDPOINT": {"Ref": "IotOnly"}})
    assert functions_environment(wiring, _resources(), set_locally=frozenset({"REDIS_URL"})) == {}


def test_two_functions_disagreeing_on_a_value_fail_start_up() -> None:
    wiring = _wiring({}, A={"TABLE": "one"}, B={"TABLE": "two"})
    with pytest.raises(ValueError, match="TABLE.*'one' for A but 'two' for B"):
        functions_environment(wiring, _resources(), set_locally=frozenset())


def test_a_function_disagreeing_with_the_globals_fails_start_up() -> None:
    wiring = _wiring({"LOG_LEVEL": "INFO"}, A={"LOG_LEVEL": "DEBUG"})
    with pytest.raises(ValueError, match="LOG_LEVEL.*Globals"):
        functions_environment(wiring, _resources(), set_locally=frozenset())
