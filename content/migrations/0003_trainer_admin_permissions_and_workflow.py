"""Page and quiz permissions for the Trainer and Admin groups, and the moderation workflow.

Trainers add and edit pages and quizzes but cannot publish: every page goes through the
workflow "Duyệt nội dung", whose single task is approved by the Admin group.
"""

from django.db import migrations

from lms.roles import ADMIN, TRAINER

WORKFLOW_NAME = "Duyệt nội dung"
TASK_NAME = "Quản trị viên duyệt"
QUIZ_PERMISSIONS = [("content", "add_quiz"), ("content", "change_quiz"), ("content", "delete_quiz")]
PAGE_PERMISSIONS = {
    TRAINER: ["add_page", "change_page"],
    ADMIN: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}


def forwards(apps, schema_editor):
    from lms.roles import sync_role_permissions

    # Creates any missing Permission rows (content.Quiz, wagtailcore.Page) and the groups.
    sync_role_permissions(apps, extra={TRAINER: QUIZ_PERMISSIONS, ADMIN: QUIZ_PERMISSIONS})

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    for role, codenames in PAGE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=permission
            )

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=TASK_NAME, content_type=task_type, active=True
        )
    task.groups.set([Group.objects.get(name=ADMIN)])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    # One workflow per page: this replaces Wagtail's default "Moderators approval" on the root.
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


def backwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    GroupApprovalTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_streamfield_bodies_media_and_search"),
        ("lms", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
