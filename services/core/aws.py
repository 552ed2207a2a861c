"""boto3 clients for the composition root.

Low-level clients are thread-safe (resources are not), which matters in the local cloud, where
one process runs every handler from a worker pool. Client creation is not thread-safe, so it
happens under a lock, once per service. Endpoints come from botocore's own configuration
(``AWS_ENDPOINT_URL`` locally), so the same code talks to AWS or to moto.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_lock = threading.Lock()
_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=3,
    read_timeout=10,
    max_pool_connections=64,
)


@cache
def client(service: str, region: str) -> Any:
    with _lock:
        return boto3.session.Session().client(service, region_name=region, config=_CONFIG)
