"""Lambda, locally: the template's handlers called in-process from a worker pool.

Each function's handler is imported once, as Lambda would (``module.attribute`` from the
template's ``Handler``), and then stays warm: module-level state survives between calls, like a
warm container. Calls get a ``LambdaContext`` with the fields the Python runtime provides.

Not emulated: per-function environment variables (all handlers share the process environment,
set from the template's Globals), and killing a handler at its timeout (a thread cannot be
stopped; the gateway stops waiting instead, as API Gateway would answer 500).
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from infra.local.resources import ACCOUNT_ID, STACK_NAME
from infra.wiring import Function, Wiring

Handler = Callable[[dict[str, Any], Any], Any]

_DEFAULT_TIMEOUT_SECONDS = 3  # CloudFormation's default for a function without Timeout
_DEFAULT_MEMORY_MB = 128


@dataclass
class LambdaContext:
    """The context object of the AWS Lambda Python runtime."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    deadline: float = field(repr=False)  # time.monotonic() at which Lambda would stop us
    identity: Any = None
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class FunctionConfig:
    """What Lambda knows about one function: its name, ARN, timeout and memory."""

    logical_id: str
    name: str
    arn: str
    timeout_seconds: float
    memory_mb: int
    log_stream_name: str

    def context(self) -> LambdaContext:
        return LambdaContext(
            function_name=self.name,
            function_version="$LATEST",
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            aws_request_id=str(uuid.uuid4()),
            log_group_name=f"/aws/lambda/{self.name}",
            log_stream_name=self.log_stream_name,
            deadline=time.monotonic() + self.timeout_seconds,
        )


def function_config(
    function: Function, globals_: Mapping[str, Any], region: str, stack_name: str = STACK_NAME
) -> FunctionConfig:
    name = f"{stack_name}-{function.logical_id}"
    timeout = function.properties.get("Timeout", globals_.get("Timeout", _DEFAULT_TIMEOUT_SECONDS))
    memory = function.properties.get("MemorySize", globals_.get("MemorySize", _DEFAULT_MEMORY_MB))
    return FunctionConfig(
        logical_id=function.logical_id,
        name=name,
        arn=f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}",
        timeout_seconds=float(timeout),
        memory_mb=int(memory),
        log_stream_name=time.strftime("%Y/%m/%d/[$LATEST]") + secrets.token_hex(16),
    )


class LambdaRuntime:
    """Invokes the template's functions by logical id, on a thread pool of ``workers``."""

    def __init__(self, wiring: Wiring, *, region: str, workers: int = 32) -> None:
        globals_ = wiring.template.get("Globals", {}).get("Function", {})
        self._functions = dict(wiring.functions)
        self._configs = {
            logical_id: function_config(function, globals_, region)
            for logical_id, function in wiring.functions.items()
        }
        self._handlers: dict[str, Handler] = {}
        self._load_lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lambda")

    def config(self, logical_id: str) -> FunctionConfig:
        return self._configs[logical_id]

    def handler(self, logical_id: str) -> Handler:
        """The warm handler; imported on first use (a failed import is retried next time)."""
        handler = self._handlers.get(logical_id)
        if handler is None:
            with self._load_lock:
                handler = self._handlers.get(logical_id)
                if handler is None:
                    handler = self._functions[logical_id].load()
                    self._handlers[logical_id] = handler
        return handler

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        """Call the handler in the calling thread; exceptions propagate, as a Lambda error."""
        return self.handler(logical_id)(event, self._configs[logical_id].context())

    async def invoke_async(self, logical_id: str, event: dict[str, Any]) -> Any:
        """Call the handler on the worker pool without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.invoke, logical_id, event)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
