"""The Central admin group (every Admin without a province scope) and the collection
permissions that let trainers and admins upload and choose images, documents, audio and
video; central admins manage all media. The scheme is described in lms/roles.py.

Idempotent: run again (or after a permission was edited by hand), it puts back exactly the
listed permissions on the root collection for these groups.
"""

from django.db import migrations

from lms.roles import ADMIN, CENTRAL_ADMIN


def forwards(apps, schema_editor):
    from lms.roles import central_admin_sync, sync_collection_permissions, sync_role_permissions

    sync_role_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=CENTRAL_ADMIN)
    # The central admins of this database join it (later ones by lms/receivers.py).
    User = apps.get_model("lms", "User")
    for user in User.objects.filter(groups__name=ADMIN).distinct():
        central_admin_sync(user, group_model=Group)
    sync_collection_permissions(apps)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupCollectionPermission.objects.filter(group__name__in=["Trainer", ADMIN]).delete()
    Group.objects.filter(name=CENTRAL_ADMIN).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0006_province_scope_2025"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailmedia", "0005_alter_media_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
