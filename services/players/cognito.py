"""Accounts in the Cognito user pool: sign up, then confirm at once (decision 0004).

Provider errors become domain errors by error code, never by message text.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.core.errors import (
    ServiceUnavailable,
    UsernameTaken,
    ValidationFailed,
    WeakPassword,
)

_TRANSIENT = frozenset({
    "TooManyRequestsException",
    "LimitExceededException",
    "InternalErrorException",
})


class CognitoIdentityProvider:
    def __init__(self, client: Any, user_pool_id: str, client_id: str) -> None:
        self._client = client
        self._user_pool_id = user_pool_id
        self._client_id = client_id

    def register(self, username: str, email: str, password: str) -> str:
        try:
            response = self._client.sign_up(
                ClientId=self._client_id,
                Username=username,
                Password=password,
                UserAttributes=[{"Name": "email", "Value": email}],
            )
            # Accounts are usable at once (PRODUCT.md); moto runs no PreSignUp trigger.
            self._client.admin_confirm_sign_up(UserPoolId=self._user_pool_id, Username=username)
        except ClientError as error:
            raise _domain_error(error) from None
        except BotoCoreError:
            raise ServiceUnavailable("the account service is unreachable; try again") from None
        return str(response["UserSub"])


def _domain_error(error: ClientError) -> Exception:
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code in ("UsernameExistsException", "AliasExistsException"):
        return UsernameTaken("this username is taken")
    if code == "InvalidPasswordException":
        return WeakPassword("the password does not meet the password policy")
    if code == "InvalidParameterException":
        return ValidationFailed("the account service refused the username or email")
    if code in _TRANSIENT:
        return ServiceUnavailable("the account service is busy; try again")
    return error
