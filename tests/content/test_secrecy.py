"""Correct answers and explanations never reach the learner's browser from content pages."""

import re

import pytest

from tests.builders import make_user

SECRETS = ("DAP-AN-DUNG", "GIAI-THICH-BI-MAT", "is_correct", "explanation")


@pytest.fixture
def cadre(client, django_user_model):
    client.force_login(make_user("can_bo"))


def assert_no_secret(html: str):
    for secret in SECRETS:
        assert secret not in html, secret
    assert not re.search(r"data-correct|correct=|checked", html)


def test_lesson_with_a_quiz_block_shows_title_and_size_only(client, course_tree, cadre):
    html = client.get(course_tree["lessons"][0].url).content.decode()
    assert "Kiểm tra cuối khoá" in html
    assert "5 câu hỏi" in html
    assert "Câu hỏi số 1?" not in html  # not even the questions before the attempt
    assert_no_secret(html)


def test_course_page_with_a_final_quiz_hides_the_answers(client, course_tree, cadre):
    html = client.get(course_tree["course"].url).content.decode()
    assert "Kiểm tra cuối khoá" in html
    assert "70%" in html
    assert_no_secret(html)


def test_search_results_do_not_leak_answers(client, course_tree, cadre):
    html = client.get("/search/", {"q": "dap an dung"}).content.decode()
    assert "Bình đẳng giới là gì?" not in html
    assert_no_secret(html.replace("dap an dung", ""))


def test_lesson_html_stays_under_30_kb(client, course_tree, cadre):
    response = client.get(course_tree["lessons"][0].url)
    assert len(response.content) <= 30 * 1024
