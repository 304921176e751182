"""Page requests find their Wagtail site without querying the sites each time, choose the
site Wagtail would, and see a change of the sites at once."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site
from wagtail.models.sites import get_site_for_hostname

from content.models import StandardPage
from lms.sites import site_for_request
from tests.builders import home_page, make_user, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites():
    home = home_page()
    other = home.add_child(instance=StandardPage(title="Giới thiệu", slug="gioi-thieu"))
    publish(other)
    Site.objects.create(hostname="tinh.example.vn", port=80, root_page=other)
    Site.objects.create(hostname="tinh.example.vn", port=8080, root_page=home)
    Site.objects.create(hostname="xa.example.vn", port=80, root_page=other)
    return home, other


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:8000", "tinh.example.vn", "tinh.example.vn:8080",
     "tinh.example.vn:9000", "xa.example.vn", "xa.example.vn:81", "khac.example.vn"],
)  # fmt: skip
def test_the_site_is_the_one_wagtail_chooses(sites, host):
    hostname, _, port = host.partition(":")
    request = RequestFactory().get("/", HTTP_HOST=host, SERVER_PORT=port or "80")
    try:
        expected = get_site_for_hostname(hostname, request.get_port())
    except Site.DoesNotExist:
        expected = None
    site = site_for_request(request)
    if expected is None:
        assert site is None
    else:
        assert site.pk == expected.pk
        assert site.root_page.pk == expected.root_page_id
        assert type(site.root_page) is type(expected.root_page.specific)


def test_a_changed_site_is_seen_at_the_next_request(sites):
    home, other = sites
    request = RequestFactory().get("/", HTTP_HOST="xa.example.vn")
    assert site_for_request(request).root_page.pk == other.pk
    Site.objects.filter(hostname="xa.example.vn").get().delete()
    assert site_for_request(RequestFactory().get("/", HTTP_HOST="xa.example.vn")).pk == (
        Site.objects.get(is_default_site=True).pk
    )
    moved = Site.objects.get(hostname="tinh.example.vn", port=80)
    moved.root_page = home
    moved.save()
    assert site_for_request(
        RequestFactory().get("/", HTTP_HOST="tinh.example.vn")
    ).root_page.pk == (home.pk)


def test_a_page_request_reads_no_site_rows(client, sites):
    home, other = sites
    client.force_login(make_user("can_bo"))
    assert client.get(other.url).status_code == 200  # the process reads the sites once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(other.url)
    assert response.status_code == 200
    assert "Giới thiệu" in response.content.decode()
    assert not [q for q in queries if "wagtailcore_site" in q["sql"]]


def test_below_the_root_the_root_page_is_not_read(client, sites):
    home, _other = sites
    publish(home.add_child(instance=StandardPage(title="Liên hệ", slug="lien-he")))
    client.force_login(make_user("can_bo"))
    client.get("/lien-he/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/lien-he/")
    assert response.status_code == 200 and "Liên hệ" in response.content.decode()
    assert not [q for q in queries if 'FROM "content_homepage"' in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")  # the root page itself: read whole, as it is now
    assert response.status_code == 200 and home.title in response.content.decode()
    assert [q for q in queries if 'FROM "content_homepage"' in q["sql"]]


def test_a_renamed_root_page_is_routed_from_at_the_next_request(sites):
    home, _other = sites
    request = RequestFactory().get("/gioi-thieu/", HTTP_HOST="localhost")
    assert site_for_request(request, below_root=True).root_page.url_path == home.url_path
    home.slug = "trang-chu-moi"
    home.save()
    site = site_for_request(RequestFactory().get("/gioi-thieu/"), below_root=True)
    assert site.root_page.url_path == "/trang-chu-moi/"
    assert type(site.root_page) is type(home)


def test_wagtail_s_other_front_end_urls_still_come_before_the_pages():
    from django.urls import resolve
    from wagtail import views as wagtail_views

    from lms.sites import serve_page

    assert resolve("/_util/authenticate_with_password/1/2/").func is (
        wagtail_views.authenticate_with_password
    )
    assert resolve("/khoa-hoc/bai-1/").func is serve_page
