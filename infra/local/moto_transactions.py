"""moto's ``TransactWriteItems``, with a rollback that copies the items a transaction touches
instead of every table it touches.

moto (5.x) deep-copies each touched table before every transaction, so that it can put the
table back if the transaction is cancelled: the cost of one transaction grows with the size of
the table (measured here: about 160 ms at 400 PlayersTable items, 830 ms at 2,400), and the
progress writer's "credit once" transactions at the end of a 200-player game ran past their
timeout behind moto's one DynamoDB lock. On AWS a transaction costs the same whatever the
table holds; this keeps moto close to that. Safe because the local moto serves one DynamoDB
request at a time (``moto_server.SerializedApp``): nothing else changes a table mid-transaction.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

_state = threading.local()


class _TableCopyShim:
    """``copy`` as moto's DynamoDB models see it: ``deepcopy`` of a table is skipped (the table
    itself) inside a transaction, where the touched items were saved instead."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        from moto.dynamodb.models.table import Table

        if getattr(_state, "in_transaction", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def install() -> None:
    """Patch moto's DynamoDB backend in this process (the moto child); idempotent."""
    from moto.dynamodb import models

    if getattr(models.DynamoDBBackend.transact_write_items, "_item_rollback", False):
        return
    original: Callable[[Any, list[dict[str, Any]]], None] = (
        models.DynamoDBBackend.transact_write_items)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = [_saved_item(self, item) for item in transact_items]
        _state.in_transaction = True
        try:
            original(self, transact_items)
        except Exception:
            for table_name, key, attributes in saved:
                _restore(self, table_name, key, attributes)
            raise
        finally:
            _state.in_transaction = False

    transact_write_items._item_rollback = True  # type: ignore[attr-defined]
    models.copy = _TableCopyShim()  # type: ignore[assignment]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _saved_item(backend: Any, transact_item: dict[str, Any]
                ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    _, op = next(iter(transact_item.items()))
    table_name = op.get("TableName", "")
    try:
        table = backend.get_table(table_name)
        if "Key" in op:
            key = op["Key"]
        else:
            key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = op["Item"][table.range_key_attr]
        current = backend.get_item(table_name, key)
    except Exception:  # moto reports a bad operation itself; nothing of it to save
        return table_name, {}, None
    attributes = copy.deepcopy(current.to_json()["Attributes"]) if current else None
    return table_name, key, attributes


def _restore(backend: Any, table_name: str, key: dict[str, Any],
             attributes: dict[str, Any] | None) -> None:
    if not key:
        return
    if attributes is None:
        if backend.get_item(table_name, key) is not None:
            backend.delete_item(table_name, key)
        return
    backend.put_item(table_name, attributes, overwrite=True)
