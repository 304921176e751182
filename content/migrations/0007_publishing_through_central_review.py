"""National curriculum and story series are published only through the central review.

Until now the Admin group (central and province admins alike) held publish, lock and unlock
on the root page, so a province admin could publish, unpublish, move or approve any page in
the country. Now (lms/roles.py, PAGE_PERMISSIONS):

- Trainer and Admin: add and edit pages, and submit them for review ("Gửi duyệt");
- Central admin (every Admin without a province): also publish, unpublish, move, lock and
  unlock, and approve in the workflow "Duyệt nội dung", whose task now waits for this group.

Idempotent, like lms.roles.sync_page_permissions.
"""

from django.db import migrations

from lms.roles import ADMIN, CENTRAL_ADMIN

TASK_NAME = "Quản trị viên duyệt"


def forwards(apps, schema_editor):
    from lms.roles import sync_page_permissions

    sync_page_permissions(apps)
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    for task in GroupApprovalTask.objects.filter(name=TASK_NAME):
        task.groups.set([Group.objects.get(name=CENTRAL_ADMIN)])


def backwards(apps, schema_editor):
    """Back to the Admin group publishing and approving (content/migrations/0003)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    admin = Group.objects.get(name=ADMIN)
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        for codename in ("publish_page", "lock_page", "unlock_page"):
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(group=admin, page=root, permission=permission)
        GroupPagePermission.objects.filter(group__name=CENTRAL_ADMIN).delete()
    for task in GroupApprovalTask.objects.filter(name=TASK_NAME):
        task.groups.set([admin])


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0006_lesson_narration_and_download"),
        ("lms", "0007_central_admin_group_and_media_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
