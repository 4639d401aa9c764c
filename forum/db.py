"""Hand-written SELECTs for the few hot paths, read back into ordinary model instances.

Compiling a QuerySet to SQL costs more CPU than running it: about 1.5 ms for
a join with an annotation on these machines, against 0.15 ms to execute the
same SQL and read the row. On a path taken hundreds of times a second (public
registration) the SQL is written once and its row turned into instances here,
with the very converters the ORM would apply (dates on SQLite, decimals,
JSON), so the instances are indistinguishable from ones the ORM loaded.
The column lists come from the models' `_meta`, so a new field is picked up
without touching the SQL.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


@functools.cache
def _fields(model: type[models.Model], fields: tuple[str, ...] | None) -> tuple:
    """The concrete fields read: all of them in `_meta` order, or the named ones (names or attnames) in
    `_meta` order, the primary key always among them."""
    if fields is None:
        return tuple(model._meta.concrete_fields)
    wanted = set(fields) | {model._meta.pk.name}
    chosen = tuple(f for f in model._meta.concrete_fields if f.name in wanted or f.attname in wanted)
    unknown = wanted - {f.name for f in chosen} - {f.attname for f in chosen}
    if unknown:
        raise ValueError(f"{model.__name__} has no concrete fields {sorted(unknown)}")
    return chosen


@functools.cache
def _readers(model: type[models.Model], fields: tuple[str, ...] | None, vendor: str) -> tuple[tuple[str, ...], tuple]:
    """Per field read: its attname and the converters the ORM would run on its value."""
    attnames, converters = [], []
    for field in _fields(model, fields):
        expression = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        attnames.append(field.attname)
        converters.append((tuple(functions), expression) if functions else None)
    return tuple(attnames), tuple(converters)


@functools.cache
def _columns(model: type[models.Model], alias: str, fields: tuple[str, ...] | None, vendor: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{quote(alias)}.{quote(field.column)}" for field in _fields(model, fields))


def select_columns(model: type[models.Model], alias: str, fields: tuple[str, ...] | None = None) -> str:
    """`alias."col1", alias."col2", ...` for every concrete field of `model` (or the named `fields`), in
    `_meta` order."""
    return _columns(model, alias, fields, connection.vendor)


def column_count(model: type[models.Model], fields: tuple[str, ...] | None = None) -> int:
    return len(_fields(model, fields))


def instance_from_row(model: type[models.Model], values: Sequence, fields: tuple[str, ...] | None = None):
    """A model instance from the values of `select_columns(model, ..., fields)`, converted as the ORM would.

    With `fields`, the others are deferred, as with QuerySet.only(): reading one later costs a query,
    so a hot path names every field it reads (its statement-count tests hold it to that)."""
    # One look-up of the thread's connection: the `connection` proxy costs one on every attribute.
    current = connections[DEFAULT_DB_ALIAS]
    attnames, converters = _readers(model, fields, current.vendor)
    converted = list(values)
    for index, entry in enumerate(converters):
        if entry is not None:
            functions, expression = entry
            value = converted[index]
            for function in functions:
                value = function(value, expression, current)
            converted[index] = value
    return model.from_db(current.alias, attnames, converted)
