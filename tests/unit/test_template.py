"""The SAM template is the one wiring source: it lints, and everything it names exists."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from infra.wiring import TEMPLATE_PATH, load_template
from services.core.http import HttpRouter

pytestmark = pytest.mark.unit

WIRING = load_template()


def test_cfn_lint_passes() -> None:
    command = [shutil.which("cfn-lint") or sys.executable, str(TEMPLATE_PATH)]
    if not shutil.which("cfn-lint"):
        command = [sys.executable, "-m", "cfnlint", str(TEMPLATE_PATH)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("function", WIRING.functions.values(), ids=lambda f: f.logical_id)
def test_every_handler_imports_and_is_callable(function) -> None:
    assert callable(function.load())


@pytest.mark.parametrize(
    "function",
    [f for f in WIRING.functions.values() if f.http_routes],
    ids=lambda f: f.logical_id,
)
def test_every_route_is_served_by_its_function(function) -> None:
    handler = function.load()
    assert isinstance(handler, HttpRouter), f"{function.handler} is not an HttpRouter"
    declared = {route.route_key for route in function.http_routes}
    assert handler.route_keys == declared


def test_route_keys_are_unique_across_functions() -> None:
    keys = [route.route_key for route in WIRING.http_routes]
    assert len(keys) == len(set(keys))


def test_only_registration_is_public() -> None:
    public = {route.route_key for route in WIRING.http_routes if not route.authorized}
    assert public == {"POST /accounts"}


def test_every_function_touches_only_what_it_declares() -> None:
    """Least privilege: each policy names a resource the template declares."""
    resources = set(WIRING.resources)
    for function in WIRING.functions.values():
        for policy in function.properties.get("Policies", []):
            for template_name, argument in policy.items():
                if template_name == "Statement":
                    continue
                target = next(iter(argument.values()))
                logical_id = target.get("Ref") or target.get("Fn::GetAtt", [None])[0]
                assert logical_id in resources, (function.logical_id, template_name)
