"""No page makes the browser ask another host for anything, the Wagtail admin included: the
site must work on a closed network (avatars: WAGTAIL_GRAVATAR_PROVIDER_URL = None; embeds:
no finder; fonts and scripts: served by the site).

The main admin pages (as a superuser, who sees every menu, and as a trainer) and the public
pages are rendered, and every address the browser would load by itself (src, srcset, href
of stylesheets and icons, poster, url(...) in styles: scripts, styles, images, fonts, media)
must be on this site. Links a person may click (<a href>) are not requests and are not
checked.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtailmedia.models import Media

from tests.builders import logged_in, make_course, make_story_tree, make_user

pytestmark = pytest.mark.django_db

LOADED = {
    "script": ("src",),
    "link": ("href",),  # stylesheets, icons, preloads
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "audio": ("src",),
    "video": ("src", "poster"),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "image": ("href", "xlink:href"),  # SVG
    "input": ("src",),
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
OWN_HOSTS = {"", "testserver", "localhost", "127.0.0.1"}


class _Loads(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in LOADED.get(tag, ()):
            value = attrs.get(name) or ""
            if name == "srcset":
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
            elif value:
                self.urls.append(value)
        if attrs.get("style"):
            self.urls += CSS_URL.findall(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += CSS_URL.findall(data)


def external_loads(html: str) -> list[str]:
    parser = _Loads()
    parser.feed(html)
    outside = []
    for url in parser.urls:
        url = url.strip()
        if url.startswith(("data:", "blob:", "#", "about:")):
            continue
        parts = urlsplit(url)
        elsewhere = bool(parts.scheme or parts.netloc) and parts.hostname not in OWN_HOSTS
        if url.startswith("//") or parts.scheme not in ("", "http", "https") or elsewhere:
            outside.append(url)
    return outside


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = make_course(title="Bình đẳng giới", modules=1, lessons_per_module=1, published=True)
    series = make_story_tree(volumes=1, stories_per_volume=1)
    lesson = tree.lessons[0]
    image = Image.objects.create(title="Ảnh", file=get_test_image_file("anh.png"))
    lesson.body = [("image", {"image": image, "caption": "Chú thích"})]
    lesson.audio_narration = Media.objects.create(
        title="Đọc bài", file=ContentFile(b"ID3 doc", "doc.mp3"), type="audio"
    )
    lesson.handout = Document.objects.create(
        title="Phiếu", file=ContentFile(b"%PDF-1.4", "phieu.pdf")
    )
    lesson.save_revision().publish()
    return {"tree": tree, "series": series, "lesson": lesson, "image": image}


def _admin_paths(site) -> list[str]:
    lesson, module = site["lesson"], site["tree"].modules[0]
    return [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{module.pk}/",
        f"/admin/pages/{lesson.pk}/edit/",
        f"/admin/pages/add/content/lessonpage/{module.pk}/",
        "/admin/images/",
        f"/admin/images/{site['image'].pk}/",
        "/admin/documents/",
        "/admin/media/",
        "/admin/media/audio/add/",
        "/admin/snippets/content/quiz/",
        "/admin/snippets/content/quiz/add/",
        "/admin/account/",
        "/admin/images/chooser/",
        "/admin/media/chooser/audio/",
    ]


def test_the_admin_loads_nothing_from_another_host(site):
    superuser = logged_in(make_user("root_ngoai_mang", superuser=True, email="root@example.org"))
    author = make_user("gv_ngoai_mang", role="Trainer", email="gv@example.org")
    Image.objects.filter(pk=site["image"].pk).update(uploaded_by_user=author)  # theirs to edit
    trainer = logged_in(author)
    problems, pages = [], 0
    for who, client in (("superuser", superuser), ("trainer", trainer)):
        paths = _admin_paths(site)
        if who == "superuser":
            paths += ["/admin/users/", "/admin/groups/", "/admin/reports/locked/"]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (who, path, response.status_code)
            body = response.content.decode()
            if response["Content-Type"].startswith("application/json"):
                body = response.json().get("html", "")
            pages += 1
            problems += [f"{who} {path}: {url}" for url in external_loads(body)]
    assert pages >= 30
    assert not problems, "\n".join(problems)


def test_the_avatar_is_the_sites_own():
    client = logged_in(make_user("gv_anh_dai_dien", role="Trainer", email="gv@example.org"))
    html = client.get("/admin/").content.decode()
    assert "gravatar" not in html.lower()
    assert "avatar" in html  # the default avatar, from the site's static files


def test_the_public_pages_load_nothing_from_another_host(site):
    cadre = logged_in(make_user("cb_ngoai_mang", role="Cadre"))
    story = site["series"].get_descendants().live().last()
    paths = [
        "/", site["tree"].course.url, site["tree"].modules[0].url, site["lesson"].url,
        site["series"].url, story.url, "/search/?q=binh+dang", "/learn/", "/certificates/mine/",
        "/khong-co-trang-nay/", "/accounts/password/change/",
    ]  # fmt: skip
    problems = []
    for path in paths:
        response = cadre.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        problems += [f"{path}: {url}" for url in external_loads(response.content.decode())]
    html = logged_in(make_user("cb_2")).get(site["lesson"].url).content.decode()
    assert "<audio" in html and "<img" in html  # the media the check looked at are there
    from django.test import Client

    for path in ("/", "/accounts/login/", site["series"].url):
        html = Client().get(path).content.decode()
        problems += [f"anonymous {path}: {url}" for url in external_loads(html)]
    assert not problems, "\n".join(problems)


def test_the_check_sees_an_address_on_another_host():
    html = (
        '<img src="//www.gravatar.com/avatar/x"><link rel="stylesheet" href="https://cdn.example/a.css">'
        '<div style="background:url(https://fonts.example/f.woff2)"></div><img src="/media/a.png">'
        '<a href="https://docs.wagtail.org/">help</a>'
    )
    assert external_loads(html) == [
        "//www.gravatar.com/avatar/x", "https://cdn.example/a.css", "https://fonts.example/f.woff2",
    ]  # fmt: skip
