"""IoT topic rules, locally: one MQTT subscription per rule, each message turned into the event
the rule's SQL would produce and handed to the rule's function through the Lambda runtime.

The rules come from the template (``Wiring.iot_rules``). Supported SQL (what the template uses):
``SELECT <items> FROM '<topic filter>'`` where each item is ``*`` (the JSON payload's fields),
``encode(*, 'base64') AS name`` (the raw payload), ``topic() AS name`` or ``topic(n) AS name``
(the n-th topic segment, 1-based). Anything else fails at start-up, loudly.

Like the Lambda action on AWS, the invocation is asynchronous (the broker never waits) and a
failing invocation is retried twice, then logged; the handlers themselves answer refusals on
the sender's inbox.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from infra.local.lambda_runtime import LambdaRuntime
from infra.wiring import IotRule
from services.live.mqtt_client import BrokerAddress, MqttConnection

logger = logging.getLogger(__name__)

_SELECT = re.compile(r"^\s*SELECT\s+(.+?)\s+FROM\s+'([^']+)'\s*$", re.IGNORECASE | re.DOTALL)
_ENCODE = re.compile(r"^encode\(\s*\*\s*,\s*'base64'\s*\)\s+AS\s+(\w+)$", re.IGNORECASE)
_TOPIC = re.compile(r"^topic\(\s*(\d*)\s*\)\s+AS\s+(\w+)$", re.IGNORECASE)
_RETRIES = 2
_BACKOFF_SECONDS = 0.05
# Invocations at once. On AWS each runs in its own container; here they share one process and
# its GIL, and 32 at once (a question's burst of answers) made every one of them, the winning
# answer included, wait its turn at each I/O return: the winner's broadcast went out only when
# most of the burst was done. Eight in arrival order decide the first answers first (measured
# with 100 players: the winning answer's handling p50 32 -> 23 ms, every other answer's 12 -> 5).
RULE_WORKERS = 8

Projection = Callable[[str, bytes, dict[str, Any]], None]


@dataclass(frozen=True)
class CompiledRule:
    rule: IotRule
    projections: tuple[Projection, ...]

    def event(self, topic: str, payload: bytes) -> dict[str, Any] | None:
        event: dict[str, Any] = {}
        try:
            for project in self.projections:
                project(topic, payload, event)
        except ValueError:  # `*` of a payload that is not a JSON object: AWS drops it too
            return None
        return event


def compile_rule(rule: IotRule) -> CompiledRule:
    match = _SELECT.match(rule.sql)
    if match is None:
        raise ValueError(f"rule {rule.logical_id}: unsupported SQL {rule.sql!r}")
    projections = [_projection(rule, item.strip()) for item in _items(match.group(1))]
    return CompiledRule(rule, tuple(projections))


def _items(select: str) -> list[str]:
    """Split the SELECT list on commas outside parentheses and quotes."""
    items, depth, quoted, current = [], 0, False, ""
    for char in select:
        if char == "'" and depth >= 0:
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == ",":
            items.append(current)
            current = ""
            continue
        current += char
    return [*items, current]


def _projection(rule: IotRule, item: str) -> Projection:
    if item == "*":
        def fields(_topic: str, payload: bytes, event: dict[str, Any]) -> None:
            document = json.loads(payload)
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
            event.update(document)
        return fields
    encoded = _ENCODE.match(item)
    if encoded:
        name = encoded.group(1)
        return lambda _t, payload, event: event.__setitem__(
            name, base64.b64encode(payload).decode())
    segment = _TOPIC.match(item)
    if segment:
        index, name = segment.group(1), segment.group(2)

        def topic_part(topic: str, _payload: bytes, event: dict[str, Any]) -> None:
            parts = topic.split("/")
            if not index:
                event[name] = topic
            elif 0 < int(index) <= len(parts):
                event[name] = parts[int(index) - 1]
        return topic_part
    raise ValueError(f"rule {rule.logical_id}: unsupported SELECT item {item!r}")


class RulesRunner:
    """Subscribes the rules' topic filters as the broker's ``service`` client."""

    def __init__(self, rules: list[IotRule], runtime: LambdaRuntime, address: BrokerAddress, *,
                 username: str, password: str, workers: int = RULE_WORKERS) -> None:
        self._rules = [compile_rule(rule) for rule in rules]
        self._runtime = runtime
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="iot-rule")
        self._address, self._username, self._password = address, username, password
        self._connection: MqttConnection | None = None
        self._in_flight = 0
        self._idle = threading.Condition()

    def start(self) -> None:
        if not self._rules:
            return
        self._connection = MqttConnection(
            self._address, client_id="trivia-rules-runner", username=self._username,
            password=self._password, on_message=self._received).connect()
        granted = self._connection.subscribe(*(r.rule.topic_filter for r in self._rules))
        if not all(granted):
            raise RuntimeError("the broker refused the rules runner's subscriptions")

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until no invocation is running or queued (tests)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _received(self, topic: str, payload: bytes, _retain: bool) -> None:
        for compiled in self._rules:
            if not _matches(compiled.rule.topic_filter, topic):
                continue
            event = compiled.event(topic, payload)
            if event is None:
                logger.info("rule %s: payload on %s is not a JSON object; dropped",
                            compiled.rule.logical_id, topic)
                continue
            with self._idle:
                self._in_flight += 1
            self._executor.submit(self._invoke, compiled.rule, event)

    def _invoke(self, rule: IotRule, event: dict[str, Any]) -> None:
        try:
            for attempt in range(_RETRIES + 1):
                try:
                    self._runtime.invoke(rule.function, event)
                    return
                except Exception:
                    logger.exception("rule %s: %s failed (attempt %d)", rule.logical_id,
                                     rule.function, attempt + 1)
                    time.sleep(_BACKOFF_SECONDS * (attempt + 1))
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()


def _matches(topic_filter: str, topic: str) -> bool:
    """MQTT topic-filter matching (``+`` one level, ``#`` the rest)."""
    filter_parts, topic_parts = topic_filter.split("/"), topic.split("/")
    for index, part in enumerate(filter_parts):
        if part == "#":
            return True
        if index >= len(topic_parts) or (part != "+" and part != topic_parts[index]):
            return False
    return len(filter_parts) == len(topic_parts)
