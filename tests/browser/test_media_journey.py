"""Journey 5, in Debian's Chromium, one screenshot per step under
tests/browser/screenshots/5-trainer-adds-media/:

the demo's trainer writes a lesson in the Wagtail admin, uploads an image into its body (the
image chooser's upload tab) and an audio narration (wagtailmedia's audio chooser), and
submits it for review; the central reviewer approves it; a cadre reads the lesson with its
picture and its audio player on a 360 px wide phone. Trainers could not upload before:
no role held a collection permission (lms/roles.py).
"""

from __future__ import annotations

import io
import math
import re
import struct
import wave

import pytest

from tests.browser.test_journeys import _save
from tests.builders import make_course, make_learner, make_units, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SMALL_PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def _media_served(settings, tmp_path):
    """Uploads in a folder of this test, served at /media/ as the proxy does in production."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROOT_URLCONF = "tests.browser.media_urls"


def _picture(path) -> None:
    """A 480x320 picture: two figures sharing a load (a PNG made here, no download)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), "#f6f3f7")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 250, 480, 320), fill="#b8d8b0")
    for x, colour in ((150, "#6a1b9a"), (330, "#00796b")):
        draw.ellipse((x - 30, 60, x + 30, 120), fill=colour)
        draw.rectangle((x - 35, 125, x + 35, 250), fill=colour)
    draw.rectangle((170, 150, 310, 175), fill="#8d6e63")  # the load they carry together
    image.save(path, "PNG")


def _recording(path, seconds: float = 2.0) -> None:
    """A short WAV tone (a real, playable recording made here)."""
    rate = 8000
    frames = io.BytesIO()
    for n in range(int(rate * seconds)):
        frames.write(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate))))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.getvalue())


def test_journey_5_trainer_uploads_an_image_and_audio_into_a_lesson_and_it_is_approved(
    journey, tmp_path
):
    from wagtail.images.models import Image
    from wagtailmedia.models import Media

    from content.models import LessonPage

    tree = make_course(title="Bình đẳng giới trong gia đình", modules=1, lessons_per_module=0,
                       quiz=False)  # fmt: skip
    module = tree.modules[0]
    make_user("giangvien", role="Trainer")
    make_user("duyet", role="Admin")  # central: no province scope
    make_learner("hocvien", full_name="Lò Thị Mai", unit=make_units().commune)
    picture, recording = tmp_path / "chia-se-viec-nha.png", tmp_path / "doc-bai-hoc.wav"
    _picture(picture)
    _recording(recording)

    j = journey("5-trainer-adds-media")
    trainer = j.person()
    trainer.login("giangvien", next_path="/admin/")
    page = trainer.page
    trainer.goto(f"/admin/pages/add/content/lessonpage/{module.pk}/")
    page.fill("#id_title", "Chia sẻ việc nhà: đàn ông và phụ nữ")
    page.locator("#id_title").blur()
    # The address is ASCII, "đ" included (content/slugs.py); the title syncs to the slug after
    # Wagtail's 100 ms debounce.
    page.wait_for_function("() => document.querySelector('#id_slug').value !== ''")
    assert page.input_value("#id_slug") == "chia-se-viec-nha-dan-ong-va-phu-nu"
    page.fill("#id_summary", "Ai làm việc gì trong gia đình, và vì sao nên chia sẻ.")

    # An image block, its picture uploaded from the chooser's upload tab.
    page.locator("[data-streamfield-stream-container] button, .c-sf-add-button").first.click()
    page.get_by_role("option", name=re.compile("Ảnh|Image", re.I)).first.click()
    page.locator("[data-streamfield-stream-container] button.chooser__choose-button").first.click()
    modal = page.locator(".modal-dialog").first
    modal.wait_for(state="visible")
    modal.locator("#tab-label-upload").click()
    modal.locator("#tab-upload input[type=file]").set_input_files(str(picture))
    modal.locator("#tab-upload input[name$='title']").fill("Cùng chia sẻ việc nhà")
    trainer.shot("image chooser upload tab")
    modal.locator("#tab-upload form [type=submit]").first.click()
    modal.wait_for(state="hidden")
    page.locator("[data-streamfield-stream-container] input[name$='caption']").first.fill(
        "Hai vợ chồng cùng làm việc nhà."
    )

    # The narration, uploaded from wagtailmedia's audio chooser.
    page.locator("#id_audio_narration-chooser button.chooser__choose-button").click()
    modal = page.locator(".modal-dialog").first
    modal.wait_for(state="visible")
    modal.locator("#tab-label-upload-audio").click()
    modal.locator("#tab-upload-audio input[name$='title']").fill("Đọc bài: chia sẻ việc nhà")
    audio_file = modal.locator("#tab-upload-audio input[name='media-chooser-upload-file']")
    audio_file.set_input_files(str(recording))
    trainer.shot("audio chooser upload tab")
    modal.locator("#tab-upload-audio form [type=submit]").first.click()
    modal.wait_for(state="hidden")
    trainer.shot("lesson with an image and a narration")

    _save(trainer, "action-submit")
    lesson = LessonPage.objects.get(slug="chia-se-viec-nha-dan-ong-va-phu-nu")
    assert not lesson.live and lesson.current_workflow_state is not None
    draft = lesson.get_latest_revision_as_object()
    image = Image.objects.get(title="Cùng chia sẻ việc nhà")
    audio = Media.objects.get(title="Đọc bài: chia sẻ việc nhà")
    assert image.uploaded_by_user.username == "giangvien"
    assert audio.type == "audio" and audio.uploaded_by_user.username == "giangvien"
    assert draft.audio_narration_id == audio.pk
    assert [block.block_type for block in draft.body] == ["image"]
    trainer.shot("submitted for review")

    reviewer = j.person()
    reviewer.login("duyet", next_path="/admin/")
    reviewer.shot("reviewer dashboard")
    reviewer.goto(f"/admin/pages/{lesson.pk}/edit/")
    approve = reviewer.page.locator("[data-workflow-action-name=approve]").first
    if not approve.is_visible():
        toggle = "footer [data-w-dropdown-target=toggle], footer button[aria-haspopup]"
        reviewer.page.locator(toggle).first.click()
    with reviewer.page.expect_navigation():
        approve.click()
    lesson.refresh_from_db()
    assert lesson.live
    reviewer.shot("approved and live")

    learner = j.person(viewport=SMALL_PHONE)
    learner.login("hocvien", next_path=lesson.url)
    view = learner.page
    assert "Chia sẻ việc nhà: đàn ông và phụ nữ" in view.content()
    picture_on_page = view.locator("article.lesson img").first
    picture_on_page.wait_for(state="visible")
    assert view.evaluate("() => document.querySelector('article.lesson img').naturalWidth") > 0
    player = view.locator("article.lesson audio[controls]")
    assert player.count() == 1
    source = player.locator("source").first.get_attribute("src")
    assert source == audio.url
    assert learner.get(source).status == 200
    # Phone-friendly: nothing wider than the screen, the player as wide as the text.
    assert view.evaluate("() => document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    box = player.bounding_box()
    assert box is not None and box["width"] >= 0.8 * (SMALL_PHONE["width"] - 40)
    assert picture_on_page.bounding_box()["width"] <= SMALL_PHONE["width"]
    learner.shot("the lesson with its picture and narration on a 360 px phone")
    assert j.requests_elsewhere == []
    assert j.csp_violations() == []
