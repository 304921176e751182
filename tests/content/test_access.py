"""The catalogue, its courses and modules are public; lessons (and the quizzes, under /learn/)
ask for a login; the story series is public."""

from django.urls import reverse
from wagtail.models import PageViewRestriction

from tests.builders import course_index, make_user


def test_a_new_catalogue_is_public(client, home):
    index = course_index(home=home, title="Danh mục", slug="danh-muc", published=True)
    assert not PageViewRestriction.objects.filter(page=index).exists()
    assert client.get(index.url).status_code == 200


def test_anonymous_visitors_read_the_catalogue_courses_and_modules(client, course_tree):
    for page in [course_tree["index"], course_tree["course"], *course_tree["modules"]]:
        response = client.get(page.url)
        assert response.status_code == 200, page.url


def test_anonymous_visitors_are_sent_to_login_for_every_lesson(client, course_tree):
    for page in course_tree["lessons"]:
        response = client.get(page.url)
        assert response.status_code == 302, page.url
        assert response["Location"] == f"/accounts/login/?next={page.url}"


def test_the_quiz_asks_for_a_login(client, course_tree):
    course = course_tree["course"]
    response = client.get(reverse("learning:quiz", args=[course.pk, course.final_quiz_id]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_course_page_says_what_is_taught_and_how_to_enrol(client, course_tree):
    course = course_tree["course"]
    course.outcomes = "Phân biệt giới và giới tính.\n\nNêu được Luật Bình đẳng giới."
    course.save_revision().publish()
    html = client.get(course.url).content.decode()
    assert "Sau khóa học, bạn có thể" in html
    assert "<li>Phân biệt giới và giới tính.</li>" in html
    assert "<li>Nêu được Luật Bình đẳng giới.</li>" in html
    assert "Thời lượng dự kiến" in html and "Hình thức" in html
    assert "Cách ghi danh" in html
    assert "Hội Liên hiệp Phụ nữ tỉnh, thành phố" in html
    assert "Bài học và bài kiểm tra mở sau khi bạn đăng nhập." in html


def test_a_logged_in_learner_is_not_told_to_get_an_account(client, course_tree, django_user_model):
    client.force_login(make_user("can_bo"))
    html = client.get(course_tree["course"].url).content.decode()
    assert "Cách ghi danh" in html
    assert "Chưa có tài khoản?" not in html


def test_the_login_page_says_where_accounts_come_from(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "Chưa có tài khoản?" in html
    assert "Hội Liên hiệp Phụ nữ tỉnh, thành phố" in html


def test_the_home_page_button_leads_to_the_public_catalogue(client, course_tree):
    html = client.get("/").content.decode()
    index = course_tree["index"]
    assert f'href="{index.url}">Danh mục khóa học</a>' in html
    assert client.get(index.url).status_code == 200


def test_logged_in_cadres_read_courses_and_lessons(client, course_tree, django_user_model):
    client.force_login(make_user("can_bo"))
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


def test_stories_link_to_the_previous_and_next_in_the_series(client, series):
    from content.models import StoryPage

    stories = list(StoryPage.objects.live().descendant_of(series).order_by("path"))
    assert len(stories) == 8
    first = client.get(stories[0].url).content.decode()
    assert 'rel="prev"' not in first
    assert f'rel="next" href="{stories[1].url}"' in first
    # From the last story of volume 1 to the first of volume 2.
    crossing = client.get(stories[1].url).content.decode()
    assert f'rel="prev" href="{stories[0].url}"' in crossing
    assert f'rel="next" href="{stories[2].url}"' in crossing
    assert "Câu chuyện tiếp" in crossing
    last = client.get(stories[-1].url).content.decode()
    assert 'rel="next"' not in last


def test_the_home_page_title_does_not_repeat_the_site_name(client, home, settings):
    import re

    home.title = settings.WAGTAIL_SITE_NAME
    home.save_revision().publish()
    title = re.search(r"<title>(.*?)</title>", client.get("/").content.decode(), re.S).group(1)
    assert title.strip() == settings.WAGTAIL_SITE_NAME
    login = re.search(r"<title>(.*?)</title>", client.get("/accounts/login/").content.decode())
    assert login.group(1) == f"Đăng nhập · {settings.WAGTAIL_SITE_NAME}"


def test_the_home_page_shows_the_story_series_volumes(client, series):
    from content.models import StoryVolumePage

    html = client.get("/").content.decode()
    volumes = StoryVolumePage.objects.live().order_by("volume_number")
    assert volumes.count() == 4
    for volume in volumes:
        assert f'href="{volume.url}"' in html
