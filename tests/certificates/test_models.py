"""The certificate record: one per enrolment, gapless serials, unguessable codes."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction

from certificates.models import Certificate, CertificateStatus, SerialCounter
from certificates.services import serial_next
from tests.builders import complete, make_units
from tests.certificates.conftest import cadre_create


def test_one_certificate_per_enrolment_is_enforced_by_the_database(course):
    enrolment = complete(cadre=cadre_create(unit=make_units().commune), course=course)
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(enrolment=enrolment)


def test_completing_twice_keeps_one_certificate(course):
    cadre = cadre_create(unit=make_units().commune)
    enrolment = complete(cadre=cadre, course=course)
    complete(cadre=cadre, course=course)
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_serials_follow_each_other_per_province_and_year(issued):
    first = issued(unit=make_units(province_code="10").commune)
    second = issued(unit=make_units(commune_code="10002").commune)
    other = issued(unit=make_units(province_code="26").commune)
    year = first.issued_on.year
    # The serial names the 2025 province (old Lào Cai 10 is in Lào Cai 15).
    assert first.serial == f"DA8-15-{year}-000001"
    assert second.serial == f"DA8-15-{year}-000002"
    assert other.serial == f"DA8-26-{year}-000001"


def test_a_cadre_without_a_province_gets_00(issued):
    certificate = issued(unit=None)
    assert certificate.serial.startswith("DA8-00-")


def test_a_rolled_back_issue_leaves_no_gap(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        assert serial_next(province_code="10", year=2026) == "DA8-10-2026-000001"
        raise RuntimeError("rendering failed after the serial was drawn")
    assert serial_next(province_code="10", year=2026) == "DA8-10-2026-000001"
    assert serial_next(province_code="10", year=2026) == "DA8-10-2026-000002"
    assert serial_next(province_code="10", year=2027) == "DA8-10-2027-000001"
    assert SerialCounter.objects.get(province_code="10", year=2026).last_number == 2


def test_the_verification_code_is_long_random_and_url_safe(course):
    codes = {
        complete(cadre=cadre_create(unit=make_units().commune), course=course).certificate.code
        for _ in range(20)
    }
    assert len(codes) == 20
    for code in codes:
        assert len(code) >= 32  # 24 random bytes = 192 bits
        assert all(ch.isalnum() or ch in "-_" for ch in code)


def test_the_file_name_comes_from_the_certificate(issued):
    certificate = issued()
    assert certificate.status == CertificateStatus.ISSUED
    # The serial and an unguessable token (stable for the certificate: a retry overwrites).
    assert certificate.pdf.name == certificate.pdf_name()
    assert re.fullmatch(
        rf"certificates/{certificate.issued_on.year}/{certificate.serial}-[0-9a-f]{{32}}\.pdf",
        certificate.pdf.name,
    )
    assert isinstance(certificate.issued_on, dt.date)
