"""National pages are published only through the central review (lms/roles.py,
content/migrations/0007_publishing_through_central_review).

A province admin once unpublished the home page with its descendants in one POST and the
whole public site answered 404. Province admins now write and submit like trainers; publishing,
unpublishing, moving, locking and approving belong to the Central admin group (every Admin
without a province scope, kept in step by lms/receivers.py).
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Page

from content.models import HomePage
from lms.roles import CENTRAL_ADMIN
from tests.builders import logged_in, make_course, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_course(title="Phân tích giới", modules=1, lessons_per_module=2, published=True)


@pytest.fixture
def province_admin():
    return make_user("qt_tinh_laocai", role="Admin", province_code="15")


@pytest.fixture
def central_admin():
    return make_user("qt_trung_uong", role="Admin")


def _group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_the_province_admins_unpublish_of_the_home_page_is_refused_and_the_site_stays_up(
    tree, province_admin
):
    home = HomePage.objects.get()
    assert home.live and tree.lessons[0].live
    client = logged_in(province_admin)
    url = reverse("wagtailadmin_pages:unpublish", args=(home.pk,))

    response = client.post(url, {"include_descendants": "on"})

    # Wagtail's "permission denied": back to the admin's home with a message, or a 403.
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")
    home.refresh_from_db()
    assert home.live
    assert all(page.live for page in Page.objects.descendant_of(home))
    assert client.get("/").status_code == 200
    # The form itself is not offered either.
    assert client.get(url).status_code in (302, 403)


def test_a_province_admin_cannot_publish_unpublish_move_lock_or_approve_national_pages(
    tree, province_admin
):
    for page in (HomePage.objects.get(), tree.course, tree.modules[0], tree.lessons[0]):
        perms = page.permissions_for_user(province_admin)
        assert perms.can_edit(), page  # they still write and submit, like trainers
        assert not perms.can_publish(), page
        assert not perms.can_unpublish(), page
        assert not perms.can_move(), page
        assert not perms.can_lock(), page
        assert not perms.can_set_view_restrictions(), page

    lesson = tree.lessons[1]
    client = logged_in(province_admin)
    # Moving the lesson to the other module's place, or the course out of the catalogue.
    response = client.post(
        reverse("wagtailadmin_pages:move_confirm", args=(lesson.pk, tree.course.pk))
    )
    assert response.status_code in (302, 403, 404)
    lesson.refresh_from_db()
    assert lesson.get_parent().pk == tree.modules[0].pk

    # Approving a page a trainer submitted: refused, the page stays as it was.
    trainer = make_user("gv_tinh", role="Trainer")
    live_revision = lesson.live_revision_id
    lesson.title = "Bài đã sửa, chờ duyệt"
    lesson.save_revision(user=trainer)
    state = lesson.get_workflow().start(lesson, trainer)
    task_state = state.current_task_state
    assert task_state.task.specific.get_actions(lesson, province_admin) == []
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(lesson.pk, "approve", task_state.pk)),
        {"comment": ""},
    )
    assert response.status_code in (302, 403)
    lesson.refresh_from_db()
    assert lesson.live_revision_id == live_revision  # the live version is unchanged
    assert lesson.title != "Bài đã sửa, chờ duyệt"
    task_state.refresh_from_db()
    assert task_state.status == task_state.STATUS_IN_PROGRESS


def test_a_central_admin_approves_and_may_unpublish(tree, central_admin):
    lesson = tree.lessons[0]
    perms = lesson.permissions_for_user(central_admin)
    assert perms.can_publish() and perms.can_unpublish() and perms.can_move()

    client = logged_in(central_admin)
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=(lesson.pk,)), {})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert not lesson.live


def test_the_central_admin_group_follows_the_admin_group_and_the_province_scope(
    province_admin, central_admin
):
    assert CENTRAL_ADMIN not in _group_names(province_admin)
    assert CENTRAL_ADMIN in _group_names(central_admin)

    # The province scope cleared: central at once; set again: out of the group.
    province_admin.province_code = ""
    province_admin.save()
    assert CENTRAL_ADMIN in _group_names(province_admin)
    province_admin.province_code = "20"
    province_admin.save()
    assert CENTRAL_ADMIN not in _group_names(province_admin)

    # Leaving the Admin group (either side of the relation) leaves the Central admin group.
    central_admin.groups.remove(Group.objects.get(name="Admin"))
    assert _group_names(central_admin) == set()
    Group.objects.get(name="Admin").user_set.add(central_admin)
    assert CENTRAL_ADMIN in _group_names(central_admin)

    # Nobody else gets in by being ticked by hand.
    trainer = make_user("gv_khong_duyet", role="Trainer")
    trainer.groups.add(Group.objects.get(name=CENTRAL_ADMIN))
    assert CENTRAL_ADMIN not in _group_names(trainer)
