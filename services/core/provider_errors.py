"""AWS provider errors, read by their code (never their message), for every adapter.

A throttle, an internal error or a dropped connection is something a retry can fix: the client
gets 503 with ``retryable`` instead of a 500. Everything else is left to the adapter, which maps
the codes it expects (a failed condition, a cancelled transaction) to domain errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from services.core.errors import ServiceUnavailable

TRANSIENT_CODES = frozenset({
    # DynamoDB
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
    # Cognito, SNS
    "TooManyRequestsException",
    "LimitExceededException",
    "InternalErrorException",
    "Throttling",
    "InternalFailure",
})


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def cancellation_codes(error: ClientError) -> list[str]:
    """A cancelled transaction's per-item reasons, in the order the items were sent."""
    reasons = error.response.get("CancellationReasons") or []
    return [str(reason.get("Code") or "None") for reason in reasons]


@contextmanager
def transient_errors(store: str) -> Iterator[None]:
    """Turn what a retry can fix into ``ServiceUnavailable``; let the rest through."""
    try:
        yield
    except ClientError as error:
        if error_code(error) in TRANSIENT_CODES:
            raise ServiceUnavailable(f"the {store} is busy; try again") from None
        raise
    except BotoCoreError:
        raise ServiceUnavailable(f"the {store} is unreachable; try again") from None
