"""SNS -> Lambda, locally: moto posts each notification here; we invoke the subscribed handler.

Every function with SNS events is subscribed (protocol ``http``) at
``http://127.0.0.1:<port>/sns/<FunctionLogicalId>``. moto confirms such subscriptions itself and
POSTs the notification JSON (``Type``, ``MessageId``, ``TopicArn``, ``Message``, ``Timestamp``,
``Signature``..., with ``Content-Type: text/plain``) before it answers the ``Publish`` (after
SNS's lock is released: ``moto_sns``), so the publisher waits for us. The endpoint therefore
only enqueues and answers 200; it never calls moto first.

A background worker turns each notification into the Lambda SNS event and invokes the handler,
asynchronously as Lambda does for SNS, at most ``DELIVERIES_AT_ONCE`` at a time. A failure is
retried ``max_retries`` times (the function's EventInvokeConfig, default 2) with a short
backoff; then the event is written to
``<dead_letter_dir>/<Function>/<MessageId>.json`` (where AWS would use the on-failure
destination). Nothing is dropped: at shutdown, events still pending become dead letters too.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from infra.local.lambda_runtime import LambdaRuntime
from infra.local.loopback import LoopbackSite
from infra.wiring import Function

logger = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")
_TIMEOUT_MARGIN_SECONDS = 0.5


@dataclass
class BridgeStats:
    received: int = 0
    delivered: int = 0
    retried: int = 0
    dead_lettered: int = 0


@dataclass
class _Delivery:
    function: str
    event: dict[str, Any]
    message_id: str
    number: int  # unique per bridge: the key while pending
    attempts: int = 0
    errors: list[str] = field(default_factory=list)


def sns_event(notification: Mapping[str, Any], subscription_arn: str) -> dict[str, Any]:
    """The event Lambda passes to a function subscribed to an SNS topic."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "Sns": {
                    "Type": notification.get("Type", "Notification"),
                    "MessageId": notification["MessageId"],
                    "TopicArn": notification["TopicArn"],
                    "Subject": notification.get("Subject"),
                    "Message": notification["Message"],
                    "Timestamp": notification.get("Timestamp"),
                    "SignatureVersion": notification.get("SignatureVersion"),
                    "Signature": notification.get("Signature"),
                    "SigningCertUrl": notification.get("SigningCertURL"),
                    "UnsubscribeUrl": notification.get("UnsubscribeURL"),
                    "MessageAttributes": notification.get("MessageAttributes") or {},
                },
            }
        ]
    }


# Writer invocations at once. The writers share the Lambda pool and moto's one-request-at-a-
# time DynamoDB with the API's handlers; more than a few at once only lengthen the queue a
# player's request waits in (a writer's result is eventually consistent, a player waits).
DELIVERIES_AT_ONCE = 4


class SnsBridge:
    def __init__(
        self,
        runtime: LambdaRuntime,
        functions: Mapping[str, Function],
        dead_letter_dir: Path,
        *,
        backoff_seconds: float = 0.05,
        concurrency: int = DELIVERIES_AT_ONCE,
    ) -> None:
        self._runtime = runtime
        self._slots = asyncio.Semaphore(concurrency)
        subscribed = {k: f for k, f in functions.items() if f.sns_topics}
        self._topics = {logical_id: f.sns_topics for logical_id, f in subscribed.items()}
        self._retries = {logical_id: f.max_retries for logical_id, f in subscribed.items()}
        self._dead_letter_dir = dead_letter_dir
        self._backoff = backoff_seconds
        self._subscriptions: dict[tuple[str, str], str] = {}  # (function, topic ARN) -> sub ARN
        self._queue: asyncio.Queue[_Delivery] = asyncio.Queue()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._pending: dict[int, _Delivery] = {}  # by delivery number
        self._numbers = itertools.count()
        self._idle = asyncio.Event()
        self._idle.set()
        self._worker: asyncio.Task[None] | None = None
        self._site = LoopbackSite()
        self.stats = BridgeStats()

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/sns/{function}", self._receive)
        await self._site.start(app, access_log=None)
        self._worker = asyncio.create_task(self._dispatch())

    @property
    def port(self) -> int:
        return self._site.port

    def endpoint(self, function: str) -> str:
        return f"http://127.0.0.1:{self.port}/sns/{function}"

    def subscribe(self, sns: Any, topics: Mapping[str, str]) -> None:
        """Subscribe each SNS-triggered function to its topics (blocking boto3 calls).

        ``topics`` maps topic logical ids to ARNs.
        """
        for function, function_topics in self._topics.items():
            for topic in function_topics:
                arn = topics[topic]
                subscription = sns.subscribe(
                    TopicArn=arn,
                    Protocol="http",
                    Endpoint=self.endpoint(function),
                    ReturnSubscriptionArn=True,
                )
                self._subscriptions[(function, arn)] = subscription["SubscriptionArn"]

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every received notification is delivered or dead-lettered."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Drain (the endpoint keeps answering meanwhile), then dead-letter what is left."""
        if not self._site.running:
            return
        await self.drain(drain_timeout)
        for delivery in list(self._pending.values()):
            delivery.errors.append("the local cloud stopped before the event was delivered")
            self._dead_letter(delivery)
        if self._worker is not None:
            self._worker.cancel()
        for task in list(self._in_flight):
            task.cancel()
        await self._site.stop()

    # ---------------------------------------------------------------- receiving

    async def _receive(self, request: web.Request) -> web.Response:
        function = request.match_info["function"]
        try:
            notification = json.loads(await request.text())
            message_id = str(notification["MessageId"])
            topic_arn = str(notification["TopicArn"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not an SNS notification")
        subscription = self._subscriptions.get((function, topic_arn))
        if subscription is None:
            return web.Response(status=404, text="no such subscription")
        if notification.get("Type", "Notification") != "Notification":
            logger.debug("ignoring SNS %s for %s", notification.get("Type"), function)
            return web.Response(text="ok")
        delivery = _Delivery(
            function, sns_event(notification, subscription), message_id, next(self._numbers)
        )
        self.stats.received += 1
        self._pending[delivery.number] = delivery
        self._idle.clear()
        self._queue.put_nowait(delivery)
        return web.Response(text="ok")

    # ---------------------------------------------------------------- delivering

    async def _dispatch(self) -> None:
        while True:
            delivery = await self._queue.get()
            task = asyncio.create_task(self._deliver(delivery))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _deliver(self, delivery: _Delivery) -> None:
        async with self._slots:
            await self._deliver_now(delivery)

    async def _deliver_now(self, delivery: _Delivery) -> None:
        retries = self._retries.get(delivery.function, 2)
        timeout = self._runtime.config(delivery.function).timeout_seconds + _TIMEOUT_MARGIN_SECONDS
        try:
            while delivery.attempts <= retries:
                if delivery.attempts:
                    self.stats.retried += 1
                    await asyncio.sleep(self._backoff * 2 ** (delivery.attempts - 1))
                delivery.attempts += 1
                try:
                    await asyncio.wait_for(
                        self._runtime.invoke_async(delivery.function, delivery.event), timeout
                    )
                    self.stats.delivered += 1
                    return
                except Exception as error:  # any Lambda error is retried, as on AWS
                    delivery.errors.append(_describe(error))
                    logger.warning(
                        "%s failed on SNS message %s (attempt %d): %s",
                        delivery.function,
                        delivery.message_id,
                        delivery.attempts,
                        delivery.errors[-1],
                    )
            self._dead_letter(delivery)
        finally:
            self._done(delivery)

    def _done(self, delivery: _Delivery) -> None:
        self._pending.pop(delivery.number, None)
        if not self._pending:
            self._idle.set()

    def _dead_letter(self, delivery: _Delivery) -> None:
        if delivery.number not in self._pending:
            return  # delivered or already kept: write each event once
        self._pending.pop(delivery.number)
        directory = self._dead_letter_dir / _SAFE_NAME.sub("_", delivery.function)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{_SAFE_NAME.sub('_', delivery.message_id)}.json"
        record = {
            "function": delivery.function,
            "event": delivery.event,
            "error": delivery.errors[-1] if delivery.errors else None,
            "errors": delivery.errors,
            "attempts": delivery.attempts,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(record, indent=2), encoding="utf-8")
        temporary.replace(target)
        self.stats.dead_lettered += 1
        logger.error(
            "%s: SNS message %s kept as a dead letter in %s after %d attempts",
            delivery.function,
            delivery.message_id,
            target,
            delivery.attempts,
        )
        if not self._pending:
            self._idle.set()


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "TimeoutError: the function ran past its timeout"
    return "".join(traceback.format_exception_only(type(error), error)).strip()
