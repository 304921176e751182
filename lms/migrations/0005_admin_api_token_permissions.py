"""The Admin group (central and province admins, who read the counters) may make, rename and
revoke API tokens in Wagtail's token admin (Settings > API tokens).

The Admin group has no auth.change_user, so Wagtail lets each admin manage their own tokens
only (wagtail.users.utils.get_manageable_token_owners); superusers manage everyone's.
"""

from django.db import migrations

from lms.roles import ADMIN

API_TOKEN_PERMISSIONS = [
    ("wagtailcore", "add_apitoken"),  # make a token (create view)
    ("wagtailcore", "change_apitoken"),  # rename it (edit view)
    ("wagtailcore", "delete_apitoken"),  # revoke it (Wagtail's revoke is a soft delete)
]


def grant(apps, schema_editor):
    from lms.roles import sync_role_permissions

    sync_role_permissions(apps, extra={ADMIN: API_TOKEN_PERMISSIONS})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ADMIN).first()
    if group is None:
        return
    for app_label, codename in API_TOKEN_PERMISSIONS:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0004_delete_api_token"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
