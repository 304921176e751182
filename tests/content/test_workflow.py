"""Trainers submit, central admins approve: the moderation workflow 'Duyệt nội dung'.

(The reviewer fixture is an Admin without a province scope, so a member of the derived
Central admin group: lms/roles.py.)"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Workflow, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from content.models import LessonPage
from tests.builders import make_user


@pytest.fixture
def trainer(django_user_model):
    user = django_user_model.objects.create_user("giang_vien", password="x")
    user.groups.add(Group.objects.get(name="Trainer"))
    return user


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user("quan_tri", password="x")
    user.groups.add(Group.objects.get(name="Admin"))
    return user


def lesson_form(title: str, slug: str, quiz, action: str) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "Bài mới.",
            "body": streamfield(
                [
                    ("paragraph", rich_text("<p>Định kiến giới là gì?</p>")),
                    ("quiz", {"quiz": quiz.pk, "intro": ""}),
                ]
            ),
            action: "1",
        }
    )


def test_every_page_goes_through_the_content_review_workflow(course_tree):
    workflow = course_tree["lessons"][0].get_workflow()
    assert workflow.name == "Duyệt nội dung"
    task = workflow.tasks.get().specific
    # Was ["Admin"]: province admins are in the Admin group too, and could approve national
    # pages; the review is central now (content/migrations/0007_publishing_through_central_review).
    assert list(task.groups.values_list("name", flat=True)) == ["Central admin"]
    assert Workflow.objects.get(name="Duyệt nội dung").active


def test_trainer_may_edit_but_not_publish(course_tree, trainer, reviewer):
    lesson = course_tree["lessons"][0]
    trainer_perms = lesson.permissions_for_user(trainer)
    assert trainer_perms.can_edit()
    assert trainer_perms.can_add_subpage() is False  # lessons have no children
    assert course_tree["modules"][0].permissions_for_user(trainer).can_add_subpage()
    assert not trainer_perms.can_publish()
    assert lesson.permissions_for_user(reviewer).can_publish()
    assert not trainer.has_perm("lms.change_user")
    assert not trainer.has_perm("wagtailcore.change_site")


def test_workflow_api_submit_then_approve_publishes(course_tree, trainer, reviewer):
    module = course_tree["modules"][0]
    lesson = module.add_child(instance=LessonPage(title="Bài mới", slug="bai-moi", live=False))
    lesson.save_revision(user=trainer)
    state = lesson.get_workflow().start(lesson, trainer)
    lesson.refresh_from_db()
    assert lesson.workflow_in_progress and not lesson.live
    task_state = state.current_task_state
    task = task_state.task.specific
    assert task.get_actions(lesson, trainer) == []  # a trainer cannot approve
    assert [name for name, *_ in task.get_actions(lesson, reviewer)][:2] == ["reject", "approve"]
    state.current_task_state.task.specific.on_action(task_state, reviewer, "approve")
    lesson.refresh_from_db()
    assert lesson.live
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_trainer_in_the_admin_submits_and_admin_approves(client, course_tree, trainer, reviewer):
    module = course_tree["modules"][0]
    quiz = course_tree["quiz"]
    client.force_login(trainer)
    add_url = reverse("wagtailadmin_pages:add", args=("content", "lessonpage", module.pk))
    # Trying to publish directly does not make the page live.
    response = client.post(add_url, lesson_form("Bài thử", "bai-thu", quiz, "action-publish"))
    assert response.status_code in (200, 302)
    assert not LessonPage.objects.filter(slug="bai-thu", live=True).exists()
    # Submitting for moderation starts the workflow.
    response = client.post(
        add_url, lesson_form("Bài có kiểm tra", "bai-co-kiem-tra", quiz, "action-submit")
    )
    assert response.status_code == 302
    lesson = LessonPage.objects.get(slug="bai-co-kiem-tra")
    assert not lesson.live
    state = lesson.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    assert [block.block_type for block in lesson.get_latest_revision_as_object().body] == [
        "paragraph",
        "quiz",
    ]
    # The trainer cannot reach user management.
    assert client.get(reverse("wagtailusers_users:index")).status_code in (302, 403)

    # The reviewer sees it, previews it and approves it.
    client.force_login(reviewer)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    preview = client.get(reverse("wagtailadmin_pages:view_draft", args=(lesson.pk,)))
    assert preview.status_code == 200
    assert "Bài có kiểm tra" in preview.content.decode()
    task_state = state.current_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(lesson.pk, "approve", task_state.pk)),
        {"comment": ""},
    )
    assert response.status_code in (200, 302)
    lesson.refresh_from_db()
    assert lesson.live

    # A cadre now reads it, with the quiz placeholder and no answers.
    client.logout()
    client.force_login(make_user("can_bo"))
    html = client.get(lesson.url).content.decode()
    assert "Bài có kiểm tra" in html and "Kiểm tra cuối khoá" in html
    assert "DAP-AN-DUNG" not in html
