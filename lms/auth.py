"""Django's model backend, reading a user's permissions in one cheap statement.

Every page a logged-in person opens asks once whether they may open the Wagtail admin (the
privacy notice's check, the menu link). Django's default backend reads user and group
permissions in two queries; the single ORM query that replaced them (permissions joined to
both link tables with an OR, made distinct) made PostgreSQL hash the whole permission table
on every page. The permission ids now come from the two link tables, each read through its
user index, and the app labels from Django's cache of content types.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


@cache
def _statement() -> str:
    """SELECT content type id, codename of the permissions a user holds directly or through
    a group (parameters: the user's id twice). Table and column names come from the models."""
    q = connection.ops.quote_name

    def names(model, *fields: str) -> list[str]:
        meta = model._meta
        return [q(meta.db_table), *(q(meta.get_field(field).column) for field in fields)]

    user_model = get_user_model()
    perm, perm_id, perm_type, codename = names(Permission, "id", "content_type", "codename")
    up, up_user, up_perm = names(user_model.user_permissions.through, "user", "permission")
    gp, gp_group, gp_perm = names(Group.permissions.through, "group", "permission")
    ug, ug_user, ug_group = names(user_model.groups.through, "user", "group")
    own = f"SELECT {up_perm} FROM {up} WHERE {up_user} = %s"  # noqa: S608 - model names
    grouped = (
        f"SELECT gp.{gp_perm} FROM {gp} gp INNER JOIN {ug} ug"  # noqa: S608 - model names
        f" ON ug.{ug_group} = gp.{gp_group} WHERE ug.{ug_user} = %s"
    )
    return (
        f"SELECT {perm_type}, {codename} FROM {perm}"  # noqa: S608 - model names
        f" WHERE {perm_id} IN ({own} UNION {grouped})"
    )


class ModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list("content_type_id", "codename")
            else:
                with connection.cursor() as cursor:
                    cursor.execute(_statement(), [user_obj.pk, user_obj.pk])
                    rows = cursor.fetchall()
            user_obj._perm_cache = {
                f"{ContentType.objects.get_for_id(content_type_id).app_label}.{codename}"
                for content_type_id, codename in rows
            }
        return user_obj._perm_cache
