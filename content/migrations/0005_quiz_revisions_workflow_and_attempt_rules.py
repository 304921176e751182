"""Quizzes join the pages' review: existing quizzes are published through a first revision,
the workflow "Duyệt nội dung" moderates quizzes too, and the attempt and pass-mark rules read
as they are meant.

- Every existing quiz gets a revision made from its rows (questions and choices with their
  ids) and is published with it: it was live before, learners keep taking it as it is, and
  attempts from now on record that revision.
- "0 attempts" used to mean "no limit" without saying so: those quizzes are now explicitly
  unlimited. A pass mark outside 1-100 (0 passed everyone, above 100 no one) is brought to the
  nearest allowed value.
- The Admin group may publish, lock and unlock quizzes (Wagtail creates these permissions only
  after migrating; they are created here so the groups have them at once). Trainers keep add,
  change and delete: they save drafts and submit them for review.
"""

from django.db import migrations
from django.utils import timezone
from modelcluster.models import get_serializable_data_for_fields

from lms.roles import ADMIN

WORKFLOW_NAME = "Duyệt nội dung"
QUIZ_ACTIONS = ["publish", "lock", "unlock"]


def _quiz_content(quiz, Question, Choice) -> dict:
    """The revision content of a quiz, as Quiz.serializable_data() writes it."""
    data = get_serializable_data_for_fields(quiz)
    questions = []
    for question in Question.objects.filter(quiz=quiz).order_by("sort_order", "pk"):
        item = get_serializable_data_for_fields(question)
        item["choices"] = [
            get_serializable_data_for_fields(choice)
            for choice in Choice.objects.filter(question=question).order_by("sort_order", "pk")
        ]
        questions.append(item)
    data["questions"] = questions
    return data


def forwards(apps, schema_editor):
    Quiz = apps.get_model("content", "Quiz")
    Question = apps.get_model("content", "QuizQuestion")
    Choice = apps.get_model("content", "QuizChoice")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")

    Quiz.objects.filter(attempts_allowed=0).update(unlimited_attempts=True, attempts_allowed=None)
    Quiz.objects.filter(pass_mark__lt=1).update(pass_mark=1)
    Quiz.objects.filter(pass_mark__gt=100).update(pass_mark=100)

    quiz_type, _ = ContentType.objects.get_or_create(app_label="content", model="quiz")
    now = timezone.now()
    for quiz in Quiz.objects.filter(live_revision__isnull=True).order_by("pk"):
        quiz.live = True
        quiz.has_unpublished_changes = False
        quiz.first_published_at = quiz.first_published_at or now
        quiz.last_published_at = now
        revision = Revision.objects.create(
            content_type=quiz_type,
            base_content_type=quiz_type,
            object_id=str(quiz.pk),
            created_at=now,
            object_str=quiz.title,
            content=_quiz_content(quiz, Question, Choice),
        )
        quiz.live_revision = revision
        quiz.latest_revision = revision
        quiz.save(
            update_fields=[
                "live",
                "has_unpublished_changes",
                "first_published_at",
                "last_published_at",
                "live_revision",
                "latest_revision",
            ]
        )

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is not None:
        WorkflowContentType.objects.update_or_create(
            content_type=quiz_type, defaults={"workflow": workflow}
        )

    admin, _ = Group.objects.get_or_create(name=ADMIN)
    for action in QUIZ_ACTIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=quiz_type,
            codename=f"{action}_quiz",
            defaults={"name": f"Can {action} quiz"},
        )
        admin.permissions.add(permission)


def backwards(apps, schema_editor):
    Quiz = apps.get_model("content", "Quiz")
    ContentType = apps.get_model("contenttypes", "ContentType")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    Quiz.objects.filter(unlimited_attempts=True).update(attempts_allowed=0)
    quiz_type = ContentType.objects.filter(app_label="content", model="quiz").first()
    if quiz_type is not None:
        WorkflowContentType.objects.filter(content_type=quiz_type).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0004_quiz_drafts_revisions_locking_and_rules"),
        ("wagtailcore", "0098_apitoken"),
        ("lms", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
