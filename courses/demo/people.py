"""Demo accounts, one per role, so a new user can try every journey after `make run`.

They exist only in the demo data (`load_demo`); the password is printed and documented in the
README. Never load the demo into a production database.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from courses.registry.forms import CONSENT_NOTICE_VERSION
from courses.registry.models import AdminUnit, Cadre, UnitLevel, UnitStructure
from courses.sessions.models import TrainingSession
from lms.roles import ADMIN, CADRE, TRAINER

DEMO_PASSWORD = "demo-2026"  # noqa: S105 - demo accounts only, documented in the README
DEMO_PROVINCE = "15"  # Lào Cai (2025 structure): the province admin's scope

ACCOUNTS = [
    # username, first name, last name, role, province scope, superuser
    ("quantri", "Quản trị", "Trung ương", ADMIN, "", True),
    ("duyet", "Người duyệt", "Nội dung", ADMIN, "", False),
    ("tinh_laocai", "Quản trị", "Tỉnh Lào Cai", ADMIN, DEMO_PROVINCE, False),
    ("giangvien", "Giảng viên", "Lào Cai", TRAINER, "", False),
    ("hocvien", "Thị Mai", "Lò", CADRE, "", False),
]


@transaction.atomic
def load_people() -> Iterable[str]:
    User = get_user_model()
    created = []
    for username, first, last, role, province, superuser in ACCOUNTS:
        user, new = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "province_code": province,
                "is_superuser": superuser,
                "is_staff": superuser,
                "email": f"{username}@example.org",
            },
        )
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created.append(username)
        user.groups.add(Group.objects.get(name=role))
    learner = User.objects.get(username="hocvien")
    # A commune cadre of today's Lào Cai: a commune of the 2025 structure.
    commune = (
        AdminUnit.objects.filter(
            structure=UnitStructure.S2025, level=UnitLevel.COMMUNE, province_code=DEMO_PROVINCE
        )
        .order_by("code")
        .first()
    )
    Cadre.objects.get_or_create(
        user=learner,
        defaults={
            "full_name": "Lò Thị Mai",
            "sex": "female",
            "birth_year": 1988,
            "ethnicity": "03",
            "target_group": "key_cadre",
            "level": "commune",
            "agency": "Hội Liên hiệp Phụ nữ xã",
            "unit": commune,
            "phone": "0912000001",
            "email": "hocvien@example.org",
            "consent_notice_version": CONSENT_NOTICE_VERSION,
            "consent_at": timezone.now(),
        },
    )
    trainer = User.objects.get(username="giangvien")
    # Five sessions of the province, the latest first (those of 2026, one still planned).
    sessions = TrainingSession.objects.filter(province_2025=DEMO_PROVINCE).order_by(
        "-start_date", "pk"
    )[:5]
    for session in sessions:
        session.trainers.add(trainer)
    yield (
        f"Tài khoản mẫu (mật khẩu «{DEMO_PASSWORD}»): "
        + ", ".join(a[0] for a in ACCOUNTS)
        + (f" — mới: {', '.join(created)}" if created else "")
    )
