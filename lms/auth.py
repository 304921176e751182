"""Django's model backend, reading a user's permissions in one cheap statement, and from the
shared cache when they have not changed.

Every page a logged-in person opens asks once whether they may open the Wagtail admin (the
privacy notice's check, the menu link). Django's default backend reads user and group
permissions in two queries; the single ORM query that replaced them (permissions joined to
both link tables with an OR, made distinct) made PostgreSQL hash the whole permission table
on every page. The permission ids now come from the two link tables, each read through its
user index, and the app labels from Django's cache of content types.

The set read is kept in the cache for PERMISSIONS_CACHE_SECONDS, stamped with a generation
that moves on whenever a permission can have changed: a user's groups or own permissions, a
group's permissions, a group or permission saved or deleted, a migration run (receivers
below). The generation moves at the change and again after its transaction commits, so a
request that read the permissions before the commit cannot leave its stale copy in use. The
cache degrades instead of failing (lms/cache.py): with Redis down every check reads the
database, and a change made while the generation could not be moved is seen at the latest
when the entries it left expire.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver

from lms.cache import generation_cached, generation_moved

PERMISSIONS_GENERATION = "auth:permissions:generation"
PERMISSIONS_CACHE_SECONDS = 300


@functools.cache
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


def _permissions_read(user) -> frozenset[str]:
    if user.is_superuser:
        rows = Permission.objects.values_list("content_type_id", "codename")
    else:
        with connection.cursor() as cursor:
            cursor.execute(_statement(), [user.pk, user.pk])
            rows = cursor.fetchall()
    return frozenset(
        f"{ContentType.objects.get_for_id(content_type_id).app_label}.{codename}"
        for content_type_id, codename in rows
    )


def permissions_of(user) -> frozenset[str]:
    """The permissions an active user holds: from the cache when its entry is of the current
    generation, else read and stored."""
    return generation_cached(
        PERMISSIONS_GENERATION,
        f"auth:permissions:{user.pk}:{int(user.is_superuser)}",
        lambda: _permissions_read(user),
        PERMISSIONS_CACHE_SECONDS,
    )


def permissions_changed() -> None:
    generation_moved(PERMISSIONS_GENERATION)


class ModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(permissions_of(user_obj))
        return user_obj._perm_cache


_User = get_user_model()


@receiver(m2m_changed, sender=_User.groups.through, dispatch_uid="lms_perms_on_user_groups")
@receiver(m2m_changed, sender=_User.user_permissions.through, dispatch_uid="lms_perms_on_user")
@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="lms_perms_on_group")
def _links_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        permissions_changed()


@receiver(post_save, sender=Group, dispatch_uid="lms_perms_on_group_save")
@receiver(post_delete, sender=Group, dispatch_uid="lms_perms_on_group_delete")
@receiver(post_save, sender=Permission, dispatch_uid="lms_perms_on_permission_save")
@receiver(post_delete, sender=Permission, dispatch_uid="lms_perms_on_permission_delete")
@receiver(post_migrate, dispatch_uid="lms_perms_on_migrate")
def _rows_changed(sender, **kwargs):
    permissions_changed()
