"""Row writes on hot paths, in one plain statement each instead of the ORM's.

`rows_update` writes the same columns of many rows, one parameterised UPDATE per row sent
together (the driver's executemany), instead of QuerySet.bulk_update's single statement of
CASE WHEN expressions, which Django builds and compiles field by field and row by row: for a
batch of certificates that compiling was more than the rendering of their PDFs.
`row_insert_new` inserts a row unless one with the same unique values exists, and says which
happened, in one round trip where the ORM needs a read and then an insert. `row_lock` and
`row_update` lock or update one row by its key with a statement written once, where the ORM
compiles its query afresh on every call (several times the cost of the round trip itself on a
completion's path)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model


def rows_update(objects: Sequence[Model], fields: Iterable[str]) -> None:
    """Save `fields` of each object (same model, saved already) by primary key. Values go
    through each field's own preparation for the database, as save() does them."""
    if not objects:
        return
    meta = type(objects[0])._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the thread-local proxy
    params = [
        [field.get_db_prep_save(getattr(obj, field.attname), db) for field in columns] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@functools.cache
def _insert_sql(model: type[Model], vendor: str, conflict: tuple[str, ...]) -> tuple[str, list]:
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in conflict)
    target = f"({columns}) " if columns else ""
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT {target}DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


def row_insert_new(obj: Model, *, conflict: str | Sequence[str] | None = None) -> bool:
    """INSERT the unsaved `obj` unless a row with its values of `conflict` exists (a unique
    field, or the fields of a unique constraint; by default any unique constraint, partial
    ones included): INSERT ... ON CONFLICT DO NOTHING RETURNING the key. True, with `obj.pk`
    set, if it was inserted. Defaults and auto_now fields are
    prepared as save() prepares them; a concurrent insert of the same values makes this one
    wait for it, then do nothing if it committed."""
    conflict = (conflict,) if isinstance(conflict, str) else tuple(conflict or ())
    sql, fields = _insert_sql(type(obj), connection.vendor, conflict)
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the thread-local proxy
    values = [field.get_db_prep_save(field.pre_save(obj, add=True), db) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


@functools.cache
def _lock_sql(model: type[Model], vendor: str, for_update: bool) -> str:
    meta = model._meta
    quote = connection.ops.quote_name
    pk = quote(meta.pk.column)
    lock = " FOR UPDATE" if for_update else ""
    return f"SELECT {pk} FROM {quote(meta.db_table)} WHERE {pk} = %s{lock}"  # noqa: S608


def row_lock(model: type[Model], pk: Any) -> bool:
    """Lock the row of `model` with this primary key until the transaction ends (SELECT ...
    FOR UPDATE; where the database has no row locks, as SQLite, whose writers take turns
    anyway, a plain read). True if the row exists."""
    sql = _lock_sql(model, connection.vendor, connection.features.has_select_for_update)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        return cursor.fetchone() is not None


@functools.cache
def _update_sql(model: type[Model], vendor: str, names: tuple[str, ...], where_null: str) -> str:
    meta = model._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
    condition = f"{quote(meta.pk.column)} = %s"
    if where_null:
        condition += f" AND {quote(meta.get_field(where_null).column)} IS NULL"
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {condition}"  # noqa: S608


def row_update(model: type[Model], pk: Any, values: dict[str, Any], *, where_null: str = "") -> int:
    """Set `values` (by field name, a foreign key by its attribute name, `course_id`) on the
    row with this primary key, each prepared as save() prepares it; with `where_null`, only if
    that field is empty. Returns how many rows were updated (0 or 1)."""
    meta = model._meta
    names = tuple(values)
    sql = _update_sql(model, connection.vendor, names, where_null)
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the thread-local proxy
    params = [meta.get_field(name).get_db_prep_save(values[name], db) for name in names]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk])
        return cursor.rowcount
