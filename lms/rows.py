"""Writing the same columns of many rows, one parameterised UPDATE per row sent together
(the driver's executemany), instead of QuerySet.bulk_update's single statement of CASE WHEN
expressions, which Django builds and compiles field by field and row by row: for a batch of
certificates that compiling was more than the rendering of their PDFs."""

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
