"""moto's ``Query`` on an index keyed by the table's own partition key, reading that partition
instead of the whole table.

moto (5.2) answers every index query by listing and sorting every item of the table
(``Table.all_items``), then dropping those of other partitions: a query costs O(table). The
leaderboard's rank and top-N reads query the ``by_score`` local secondary index of one quiz, so
each one grew with every score ever written (seen at 10 % of moto's samples in a mixed load run,
growing through the run). An index whose partition key is the table's partition key (every local
secondary index) only ever matches items of the queried partition, so listing that partition is
the same answer. Safe because the local moto serves one DynamoDB request at a time
(``moto_server.SerializedApp``): the flag below never outlives one query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_state = threading.local()


def install() -> None:
    """Patch moto's DynamoDB ``Table`` in this process (the moto child); idempotent."""
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "_partition_scoped", False):
        return
    original_query: Callable[..., Any] = Table.query
    original_all_items: Callable[[Any], list[Any]] = Table.all_items

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        partition = _partition(self, hash_key, args, kwargs)
        if partition is None:
            return original_query(self, hash_key, *args, **kwargs)
        _state.partition = (self, partition)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _state.partition = None

    def all_items(self: Any) -> list[Any]:
        scoped = getattr(_state, "partition", None)
        if scoped is None or scoped[0] is not self:
            return original_all_items(self)
        stored = self.items.get(scoped[1])
        if stored is None:
            return []
        items = list(stored.values()) if self.range_key_attr else [stored]
        return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key
                      else x.hash_key)

    query._partition_scoped = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]


def _partition(table: Any, hash_key: Any, args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> Any | None:
    """The queried partition's key when the query names an index whose partition key is the
    table's, else None (the table itself, or any other index: moto's own path)."""
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    if not index_name:
        return None
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None:
        return None
    hash_keys = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    if hash_keys != [table.hash_key_attr]:
        return None
    for name, value in kwargs.get("hash_key_conditions") or ():
        if name == table.hash_key_attr:
            return value
    return hash_key
