"""Media for authors: trainers and admins upload and choose images, documents and audio
(collection permissions, lms/roles.py); central admins manage everyone's; a lesson carries an
audio narration and a document to download, shown on the lesson page."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection
from wagtailmedia.models import Media

from tests.builders import logged_in, make_course, make_user

pytestmark = pytest.mark.django_db

# A few bytes that start like an MP3 (an ID3 tag): enough for the upload forms, which check
# the extension, and for the browser's <audio> element, which the page test does not play.
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0fTIT2\x00\x00\x00\x05\x00\x00Bai 1" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people():
    return {
        "trainer": make_user("gv_media", role="Trainer"),
        "province": make_user("qt_media_15", role="Admin", province_code="15"),
        "other_province": make_user("qt_media_20", role="Admin", province_code="20"),
        "central": make_user("qt_media_tw", role="Admin"),
        "cadre": make_user("cb_media", role="Cadre"),
    }


def _root():
    return Collection.get_first_root_node()


def _upload_image(client, title: str):
    image = get_test_image_file("anh-bai-hoc.png")
    return client.post(
        reverse("wagtailimages:add"),
        {
            "title": title,
            "file": SimpleUploadedFile("anh-bai-hoc.png", image.file.getvalue(), "image/png"),
            "collection": _root().pk,
        },
    )


def _upload_document(client, title: str):
    return client.post(
        reverse("wagtaildocs:add"),
        {
            "title": title,
            "file": SimpleUploadedFile("tai-lieu.pdf", b"%PDF-1.4 tai lieu", "application/pdf"),
            "collection": _root().pk,
        },
    )


def _upload_audio(client, title: str, name: str = "doc-bai-1.mp3"):
    return client.post(
        reverse("wagtailmedia:add", args=("audio",)),
        {
            "title": title,
            "file": SimpleUploadedFile(name, MP3, "audio/mpeg"),
            "collection": _root().pk,
            "duration": "95",
        },
    )


@pytest.mark.parametrize("role", ["trainer", "province", "central"])
def test_trainers_and_admins_upload_images_documents_and_audio(people, role):
    client = logged_in(people[role])
    # The libraries open (they bounced to the dashboard before), the choosers have an upload tab.
    assert client.get(reverse("wagtailimages:index")).status_code == 200
    assert client.get(reverse("wagtaildocs:index")).status_code == 200
    assert client.get(reverse("wagtailmedia:index")).status_code == 200
    chooser = client.get(reverse("wagtailimages_chooser:choose"))
    assert chooser.status_code == 200 and "image-chooser-upload" in chooser.content.decode()

    assert _upload_image(client, f"Ảnh của {role}").status_code == 302
    assert _upload_document(client, f"Tài liệu của {role}").status_code == 302
    assert _upload_audio(client, f"Bài đọc của {role}").status_code == 302

    user = people[role]
    assert Image.objects.get(title=f"Ảnh của {role}").uploaded_by_user == user
    assert Document.objects.get(title=f"Tài liệu của {role}").uploaded_by_user == user
    audio = Media.objects.get(title=f"Bài đọc của {role}")
    assert audio.type == "audio" and audio.uploaded_by_user == user


def test_the_audio_chooser_uploads_a_recording_and_refuses_a_video_file(people):
    client = logged_in(people["trainer"])
    chooser = client.get(reverse("wagtailmedia:chooser_typed", args=("audio",)))
    assert chooser.status_code == 200
    response = client.post(
        reverse("wagtailmedia:chooser_upload", args=("audio",)),
        {
            "media-chooser-upload-title": "Đọc bài 2",
            "media-chooser-upload-file": SimpleUploadedFile("bai-2.m4a", MP3, "audio/mp4"),
            "media-chooser-upload-collection": _root().pk,
        },
    )
    assert response.status_code == 200
    assert response.json()["step"] == "media_chosen"
    assert Media.objects.filter(title="Đọc bài 2", type="audio").exists()

    _upload_audio(client, "Không phải âm thanh", name="phim.mp4")
    assert not Media.objects.filter(title="Không phải âm thanh").exists()


def test_cadres_cannot_upload(people):
    client = logged_in(people["cadre"])
    for url in (reverse("wagtailimages:add"), reverse("wagtailmedia:add", args=("audio",))):
        assert client.get(url).status_code == 403  # the admin's 403 page (no admin access)
    assert _upload_image(client, "Ảnh của học viên").status_code == 403
    assert not Image.objects.filter(title="Ảnh của học viên").exists()


def test_a_province_admin_cannot_change_anyone_elses_media_and_central_admins_manage_all(people):
    theirs = {
        "image": Image.objects.create(
            title="Ảnh tỉnh 20", file=get_test_image_file("tinh-20.png"),
            uploaded_by_user=people["other_province"],
        ),
        "document": Document.objects.create(
            title="Tài liệu tỉnh 20", file=ContentFile(b"%PDF-1.4 t20", "t20.pdf"),
            uploaded_by_user=people["other_province"],
        ),
        "media": Media.objects.create(
            title="Bài đọc tỉnh 20", file=ContentFile(MP3, "t20.mp3"), type="audio",
            uploaded_by_user=people["other_province"],
        ),
    }  # fmt: skip
    edit = {
        "image": lambda o: reverse("wagtailimages:edit", args=(o.pk,)),
        "document": lambda o: reverse("wagtaildocs:edit", args=(o.pk,)),
        "media": lambda o: reverse("wagtailmedia:edit", args=(o.pk,)),
    }
    delete = {
        "image": lambda o: reverse("wagtailimages:delete", args=(o.pk,)),
        "document": lambda o: reverse("wagtaildocs:delete", args=(o.pk,)),
        "media": lambda o: reverse("wagtailmedia:delete", args=(o.pk,)),
    }
    province = logged_in(people["province"])
    for kind, obj in theirs.items():
        assert province.get(edit[kind](obj)).status_code in (302, 403), kind
        response = province.post(delete[kind](obj))
        assert response.status_code in (302, 403), kind
        assert type(obj).objects.filter(pk=obj.pk).exists(), kind
        response = province.post(edit[kind](obj), {"title": "Đã bị sửa"})
        obj.refresh_from_db()
        assert obj.title != "Đã bị sửa", kind

    # Their own uploads they edit; the central admin edits and deletes anyone's.
    mine = Image.objects.create(
        title="Ảnh của tôi", file=get_test_image_file("cua-toi.png"),
        uploaded_by_user=people["province"],
    )  # fmt: skip
    assert province.get(edit["image"](mine)).status_code == 200
    central = logged_in(people["central"])
    for kind, obj in theirs.items():
        assert central.get(edit[kind](obj)).status_code == 200, kind
        central.post(delete[kind](obj))
        assert not type(obj).objects.filter(pk=obj.pk).exists(), kind


def test_the_lesson_plays_its_narration_and_offers_its_document(people):
    tree = make_course(title="Giới và phát triển", modules=1, lessons_per_module=1, published=True)
    lesson = tree.lessons[0]
    audio = Media.objects.create(
        title="Đọc bài 1", file=ContentFile(MP3, "doc-bai-1.mp3"), type="audio", duration=95
    )
    handout = Document.objects.create(
        title="Phiếu bài tập", file=ContentFile(b"%PDF-1.4 phieu", "phieu-bai-tap.pdf")
    )
    lesson.audio_narration, lesson.handout = audio, handout
    lesson.save_revision().publish()

    html = logged_in(people["cadre"]).get(lesson.url).content.decode()
    assert "<audio controls" in html
    assert f'<source src="{audio.url}" type="audio/mpeg">' in html
    assert f'href="{handout.url}" download' in html
    assert "Nghe bài học" in html and "Tải tài liệu bài học" in html
    assert "Phiếu bài tập" in html and "PDF" in html


def test_a_lesson_without_media_shows_no_empty_player(people):
    tree = make_course(title="Giới và phát triển", modules=1, lessons_per_module=1, published=True)
    html = logged_in(people["cadre"]).get(tree.lessons[0].url).content.decode()
    assert "<audio" not in html and "lesson-media" not in html
