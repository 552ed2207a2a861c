from __future__ import annotations

import json

import pytest

from clients.sdk.cognito import auth_error_from
from clients.sdk.errors import (
    ApiError,
    AuthError,
    AuthRateLimited,
    NotAuthorized,
    UserNotFound,
    api_error_from_response,
)

pytestmark = pytest.mark.unit


def _body(data: object) -> bytes:
    return json.dumps(data).encode()


def test_api_error_body_keeps_code_message_details_and_retryable() -> None:
    body = _body(
        {
            "error": {
                "code": "validation_failed",
                "message": "name: too short",
                "details": {"problems": [{"field": "name"}]},
                "retryable": True,
            }
        }
    )
    error = api_error_from_response(400, body)
    assert isinstance(error, ApiError)
    assert (error.status, error.code) == (400, "validation_failed")
    assert error.message == "name: too short"
    assert error.details == {"problems": [{"field": "name"}]}
    assert error.retryable is True


def test_api_error_without_retryable_flag_is_not_retryable() -> None:
    body = _body({"error": {"code": "quiz_not_found", "message": "no such quiz"}})
    error = api_error_from_response(404, body)
    assert error.code == "quiz_not_found"
    assert error.retryable is False
    assert error.details == {}


def test_gateway_unauthorized_body_gets_a_code_from_its_status() -> None:
    error = api_error_from_response(401, _body({"message": "Unauthorized"}))
    assert (error.code, error.message, error.retryable) == ("unauthorized", "Unauthorized", False)


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [(429, "rate_limited", True), (503, "service_unavailable", True), (418, "http_418", False)],
)
def test_gateway_statuses_map_to_codes(status: int, code: str, retryable: bool) -> None:
    error = api_error_from_response(status, _body({"message": "nope"}))
    assert (error.code, error.retryable) == (code, retryable)


def test_non_json_error_body_becomes_a_short_message() -> None:
    error = api_error_from_response(502, b"<html>" + b"x" * 1000)
    assert error.code == "bad_gateway"
    assert error.message.startswith("<html>")
    assert len(error.message) <= 200


def test_empty_error_body_names_the_status() -> None:
    assert api_error_from_response(500, b"").message == "HTTP 500"


def test_str_shows_code_and_message() -> None:
    assert str(ApiError(409, "already_submitted", "answers differ")) == (
        "already_submitted: answers differ"
    )


@pytest.mark.parametrize(
    ("aws_type", "error_class", "code"),
    [
        ("NotAuthorizedException", NotAuthorized, "not_authorized"),
        ("UserNotFoundException", UserNotFound, "user_not_found"),
        ("TooManyRequestsException", AuthRateLimited, "rate_limited"),
        ("com.amazonaws.cognito#NotAuthorizedException", NotAuthorized, "not_authorized"),
    ],
)
def test_cognito_types_map_to_sdk_errors(
    aws_type: str, error_class: type[AuthError], code: str
) -> None:
    error = auth_error_from({"__type": aws_type, "message": "why"}, "", 400)
    assert type(error) is error_class
    assert error.code == code
    assert error.message == "why"


def test_unknown_cognito_type_keeps_its_name_as_a_snake_code() -> None:
    error = auth_error_from({"__type": "InvalidParameterException", "message": "bad"}, "", 400)
    assert type(error) is AuthError
    assert (error.code, error.aws_type) == ("invalid_parameter", "InvalidParameterException")


def test_cognito_error_type_can_come_from_the_header() -> None:
    error = auth_error_from({}, "UserNotFoundException:http://internal.amazon.com/", 400)
    assert isinstance(error, UserNotFound)
    assert error.message == "UserNotFoundException"
