"""One spelling for the glossary's words in everything the project writes itself: its own
catalogues, its templates and its demo content ("khóa", never "khoá")."""

from pathlib import Path

import pytest

from lms.upstream_locale import messages_read
from tests.lms.test_admin_translations import FORBIDDEN_SPELLINGS

ROOT = Path(__file__).resolve().parents[2]
APPS = ("lms", "content", "courses", "certificates")
PROJECT_CATALOGUES = [ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"] + [
    ROOT / app / "locale" / "vi" / "LC_MESSAGES" / "django.po" for app in APPS
]


@pytest.mark.parametrize("po", PROJECT_CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_project_s_catalogues_keep_the_glossary(po):
    wrong = [
        f"{message.msgid!r}: {bad!r}"
        for message in messages_read(po)
        for bad in FORBIDDEN_SPELLINGS
        if bad in message.msgstr.lower()
    ]
    assert wrong == []


def test_templates_and_demo_content_keep_the_glossary():
    files = [
        path
        for app in APPS
        for pattern in ("**/*.html", "**/demo*.py", "demo/*.py")
        for path in (ROOT / app).glob(pattern)
    ]
    assert files
    wrong = [
        f"{path.relative_to(ROOT)}: {bad!r}"
        for path in files
        for bad in FORBIDDEN_SPELLINGS
        if bad in path.read_text(encoding="utf-8").lower()
    ]
    assert wrong == []


def _choice_classes():
    from django.db.models import TextChoices

    import certificates.models
    import content.models
    import courses.learning.models
    import courses.registry.models.cadres
    import courses.registry.models.imports
    import courses.registry.models.units
    import courses.sessions.models

    modules = [certificates.models, content.models, courses.learning.models,
               courses.registry.models.cadres, courses.registry.models.imports,
               courses.registry.models.units, courses.sessions.models]  # fmt: skip
    # The structure's label is a phrase that sentences quote ("Mã đơn vị được đọc theo cơ cấu
    # 2025 (tỉnh, xã)", "Mẫu theo cơ cấu 2023 …"), so it keeps its small letter.
    from courses.registry.models.units import UnitStructure

    return [
        obj
        for module in modules
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, TextChoices) and obj is not TextChoices
        and obj.__module__ == module.__name__ and obj is not UnitStructure
    ]  # fmt: skip


def test_option_labels_begin_with_a_capital_in_vietnamese():
    """Choices read as options in lists and filters: "Nữ", "Lãnh đạo", "Trực tuyến"."""
    from django.utils import translation

    classes = _choice_classes()
    assert len(classes) > 10
    with translation.override("vi"):
        lower = [f"{cls.__name__}.{member.name}: {member.label}" for cls in classes
                 for member in cls if str(member.label)[:1].islower()]  # fmt: skip
        from courses.registry.models import Sex, TargetGroup

        assert str(Sex.FEMALE.label) == "Nữ"
        assert str(TargetGroup.LEADER.label) == "Lãnh đạo"
    assert lower == []
