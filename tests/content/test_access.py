"""The course subtree requires login; the story series is public."""

from wagtail.models import PageViewRestriction

from tests.builders import course_index


def test_a_new_catalogue_gets_a_login_restriction(home):
    index = course_index(home=home, title="Danh mục", slug="danh-muc", published=True)
    restriction = PageViewRestriction.objects.get(page=index)
    assert restriction.restriction_type == PageViewRestriction.LOGIN


def test_anonymous_visitors_are_sent_to_login_for_every_course_page(client, course_tree):
    pages = [course_tree["index"], course_tree["course"], *course_tree["lessons"]]
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 302, page.url
        assert response["Location"].startswith("/accounts/login/")


def test_logged_in_cadres_read_courses_and_lessons(client, course_tree, django_user_model):
    client.force_login(django_user_model.objects.create_user("can_bo", password="x"))
    for page in [course_tree["index"], course_tree["course"], *course_tree["lessons"]]:
        assert client.get(page.url).status_code == 200, page.url


def test_the_story_series_is_public(client, series):
    response = client.get(series.url)
    assert response.status_code == 200
    for page in series.get_descendants().live():
        assert client.get(page.url).status_code == 200


def test_series_lists_the_four_volumes_in_order(client, series):
    html = client.get(series.url).content.decode()
    positions = [html.index(f"Tập {n}: Tập {n}") for n in (1, 2, 3, 4)]
    assert positions == sorted(positions)
    assert "4 tập, đã in 41.600 bản." in html
