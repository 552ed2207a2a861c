"""moto in server mode, in its own process, serving one request at a time per AWS service.

Run as ``python -m infra.local.moto_server``: the child binds a free port on 127.0.0.1 and prints
``port <n>`` as its first stdout line, so the parent learns the port without racing for it.

Why one lock per request (docs/decisions/0002): moto's in-memory backends are not thread-safe,
and on AWS a DynamoDB conditional write or transaction is atomic. Two concurrent
``PutItem ... attribute_not_exists(...)`` in a threaded moto can both pass; behind the lock the
second one fails as it would on AWS. The request body is read before the lock is taken, so a
slow client cannot stall everyone else.

moto's SNS ``Publish`` POSTs to HTTP subscribers synchronously; here (``moto_sns``) those POSTs
are made once SNS's lock is released, still before the ``Publish`` response. Whatever answers
them (the SNS bridge) should still answer first and call moto afterwards: the publisher is
waiting.
"""

from __future__ import annotations

import io
import json
import logging
import os
import selectors
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from subprocess import PIPE, Popen
from typing import Any
from urllib.parse import parse_qs

from infra.local import moto_indexes, moto_serialize, moto_sns, moto_transactions, processes

# Backends created before the port is reported, so the first real request does not pay for them.
WARM_BACKENDS = ("dynamodb", "sns", "cognitoidp")
# waitress keeps HTTP/1.1 connections open (werkzeug's dev server closes each one: a TCP
# connection and a thread per request, ~18 % of a GetItem's CPU here and ~9 % of the caller's).
# Its worker threads are a fixed pool, and a request holds one while it waits for its
# service's lock: enough of them that one service's queue (hundreds of bots registering with
# Cognito at once) does not hold up another's. A thread waiting on a lock costs no CPU.
SERVER_THREADS = 256
CONNECTION_LIMIT = 1000
_PORT_LINE = "port "
REQUESTS_PATH = "/_local/requests"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class SerializedApp:
    """WSGI middleware: each AWS service's backend handles one request at a time.

    One lock per service, not one for all: a slow request to one service must not hold up
    another's (DynamoDB requests need not wait for an SNS ``Publish``). moto's backends
    share no state across the services the local cloud uses, so per-service locks keep every
    backend serialized (decision 0002) without serializing them against each other.

    SNS's deliveries to HTTP subscribers are made after the lock is released (``moto_sns``):
    a publish does not wait for the round trips of the publishes before it.
    """

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.requests: Counter[str] = Counter()  # "<service> <operation>" -> served

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") == REQUESTS_PATH:
            return self._counts(start_response)
        _buffer_request_body(environ)
        service = service_of(environ)
        with moto_sns.deliveries_after() as deliveries:
            with self._lock_for(service):
                self.requests[f"{service} {operation_of(environ)}"] += 1
                result = self._app(environ, start_response)
                try:
                    body = b"".join(result)
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()
            deliveries.send()  # SNS's POSTs to subscribers: no lock held, before we answer
        return [body]

    def _counts(self, start_response: Callable[..., Any]) -> list[bytes]:
        """``GET /_local/requests``: requests served so far, by service and operation, so a
        load run can report DynamoDB calls per answer (moto itself keeps no request log)."""
        body = json.dumps(dict(self.requests)).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    def _lock_for(self, service: str) -> threading.Lock:
        lock = self._locks.get(service)
        if lock is None:
            with self._locks_lock:
                lock = self._locks.setdefault(service, threading.Lock())
        return lock


def operation_of(environ: Mapping[str, Any]) -> str:
    """The API operation: the X-Amz-Target suffix (JSON protocols: DynamoDB, Cognito), else the
    query protocol's ``Action`` (SNS), else ``?``. Reads the buffered body, leaves it in place."""
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return target.rsplit(".", 1)[-1]
    stream = environ.get("wsgi.input")
    if isinstance(stream, io.BytesIO):
        form = parse_qs(stream.getvalue().decode("utf-8", "replace"))
        if form.get("Action"):
            return form["Action"][0]
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    return query["Action"][0] if query.get("Action") else "?"


def service_of(environ: Mapping[str, Any]) -> str:
    """The AWS service a request is for: SigV4's credential scope, else the X-Amz-Target prefix.

    Requests we cannot place share one lock, which is always safe.
    """
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    marker = "Credential="
    if marker in authorization:
        scope = authorization.split(marker, 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            return scope[3]
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return target.split(".", 1)[0]
    return "unplaced"


def _buffer_request_body(environ: dict[str, Any]) -> None:
    from werkzeug.wsgi import get_input_stream

    body = get_input_stream(environ).read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input_terminated"] = True


def serve() -> None:
    """Child entry point: serve moto on a free loopback port until SIGTERM."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from waitress.server import create_server

    # Requests wait behind the service locks by design; waitress would warn of its queue depth.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    moto_transactions.install()  # a transaction's cost must not grow with its table's size
    moto_serialize.install()  # an item's attribute values are sent as they are stored
    moto_sns.install()  # a publish must not wait, under SNS's lock, for others' deliveries
    moto_indexes.install()  # a leaderboard rank query must not grow with the whole table
    _list_moto_modules_once()
    _method_names_once()
    dispatcher = DomainDispatcherApplication(create_backend_app)
    for backend in WARM_BACKENDS:
        # Keyed as the dispatcher keys them: by moto module name (cognitoidp, not cognito-idp).
        dispatcher.app_instances[backend] = create_backend_app(backend)  # type: ignore[arg-type]
    server = create_server(
        SerializedApp(dispatcher),
        host="127.0.0.1",
        port=0,
        threads=SERVER_THREADS,
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,  # select() stops at fd 1024
        ident="moto",
    )
    # moto's state lives in memory only: nothing to flush, so leave at once.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"{_PORT_LINE}{server.effective_port}", flush=True)
    os.dup2(2, 1)  # nobody reads our stdout after the port line; a full pipe would block us
    server.run()


def _list_moto_modules_once() -> None:
    """moto's dispatcher asks, on every request, whether the host names one of moto's modules,
    by listing moto's package directory (a listdir and an isdir per entry): up to 9 % of a
    GetItem's time in the local moto. The package does not change while we run."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules  # type: ignore[assignment]


def _method_names_once() -> None:
    """moto finds a request's action among its handler's methods with ``inspect.getmembers``
    over the handler class, on every request (~9 % of a GetItem in the local moto). A handler
    class's methods do not change while we run: list them once per class, as a frozenset."""
    from moto.core import responses

    list_methods = responses.method_names_from_class
    listed: dict[type, frozenset[str]] = {}

    def method_names(clazz: type) -> frozenset[str]:
        names = listed.get(clazz)
        if names is None:
            names = listed[clazz] = frozenset(list_methods(clazz))
        return names

    responses.method_names_from_class = method_names  # type: ignore[assignment]


@dataclass
class MotoProcess:
    process: Popen[bytes]
    url: str = ""

    def wait_ready(self, timeout: float = 20.0) -> str:
        """Block until the child reports its port; return moto's URL."""
        port = _read_port(self.process, timeout)
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def stop(self) -> None:
        processes.stop(self.process)


def start_moto(environment: Mapping[str, str] | None = None) -> MotoProcess:
    """Spawn the moto child (it boots in ~1 s; do other work, then ``wait_ready()``)."""
    env = dict(environment if environment is not None else os.environ)
    # moto's SNS posts to the bridge on 127.0.0.1 with requests; a proxy must not intercept it.
    env["NO_PROXY"] = env["no_proxy"] = _no_proxy(env.get("NO_PROXY", ""))
    process = processes.spawn(
        [sys.executable, "-m", "infra.local.moto_server"], env=env, stdout=PIPE
    )
    return MotoProcess(process)


def _no_proxy(current: str) -> str:
    hosts = [host for host in current.split(",") if host]
    return ",".join([*hosts, "127.0.0.1", "localhost"])


def _read_port(process: Popen[bytes], timeout: float) -> int:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"moto did not report its port within {timeout:.0f} s")
            if not selector.select(remaining):
                continue
            chunk = os.read(process.stdout.fileno(), 256)
            if not chunk:
                raise RuntimeError(f"moto exited (code {process.poll()}) before reporting its port")
            buffer += chunk
    line = buffer.split(b"\n", 1)[0].decode()
    if not line.startswith(_PORT_LINE):
        raise RuntimeError(f"unexpected first line from moto: {line!r}")
    process.stdout.close()
    return int(line[len(_PORT_LINE) :])


if __name__ == "__main__":
    serve()
