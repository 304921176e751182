"""Row writes on hot paths, in one plain statement each instead of the ORM's.

`rows_update` writes the same columns of many rows, one parameterised UPDATE per row sent
together (the driver's executemany), instead of QuerySet.bulk_update's single statement of
CASE WHEN expressions, which Django builds and compiles field by field and row by row: for a
batch of certificates that compiling was more than the rendering of their PDFs.
`row_insert_new` inserts a row unless one with the same unique values exists, and says which
happened, in one round trip where the ORM needs a read and then an insert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
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
    params = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def row_insert_new(obj: Model, *, conflict: str | Sequence[str] | None = None) -> bool:
    """INSERT the unsaved `obj` unless a row with its values of `conflict` exists (a unique
    field, or the fields of a unique constraint; by default any unique constraint, partial
    ones included): INSERT ... ON CONFLICT DO NOTHING RETURNING the key. True, with `obj.pk`
    set, if it was inserted. Defaults and auto_now fields are
    prepared as save() prepares them; a concurrent insert of the same values makes this one
    wait for it, then do nothing if it committed."""
    meta = type(obj)._meta
    names = [conflict] if isinstance(conflict, str) else list(conflict or ())
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    target = f"({columns}) " if columns else ""
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT {target}DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True
