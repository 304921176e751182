"""Open Badges 3.0 credentials: every issued certificate is also a signed OpenBadgeCredential.

Checked by parts the project did not write: 1EdTech's JSON Schema for AchievementCredential
(tests/certificates/data/), and Digital Bazaar's VC stack from npm, run through Node
(tests/certificates/verifier/verify.mjs), which resolves the issuer's did:web and the status
list from the live test server and loads contexts from its own packages' files."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from certificates.models import CertificateStatus, OpenBadgeCredential, SigningKey, StatusList
from certificates.openbadges import documents, proofs
from certificates.openbadges.keys import issuer_key, public_key_from_multikey, site_did
from certificates.openbadges.shapes import canonical_fast
from certificates.openbadges.verifying import credential_check
from certificates.services import certificate_reissue, certificate_revoke
from tests.builders import make_user
from tests.certificates.conftest import COURSE_TITLE, HOA

HERE = Path(__file__).resolve().parent
SCHEMA = json.loads((HERE / "data" / "ob_v3p0_achievementcredential_schema.json").read_text())
VERIFIER = HERE / "verifier"


def credential_doc(certificate) -> dict:
    row = OpenBadgeCredential.objects.filter(certificate=certificate).order_by("-pk").first()
    return json.loads(row.document)


def schema_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(
        SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.fixture
def key_file(settings, tmp_path):
    """A signing key of the test's own, made on first use as in development."""
    settings.CREDENTIAL_KEY = ""
    settings.CREDENTIAL_KEY_FILE = tmp_path / "keys" / "credential-key.pem"
    settings.CREDENTIAL_KEY_CREATE_MISSING = True
    return settings.CREDENTIAL_KEY_FILE


# --- The credential itself ------------------------------------------------------------------


def test_an_issued_certificate_has_a_credential_valid_against_1edtechs_schema(
    issued, key_file, settings
):
    certificate = issued()
    document = credential_doc(certificate)
    assert schema_errors(document) == []
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["issuer"]["id"] == site_did()
    assert document["issuer"]["name"] == "Hội Liên hiệp Phụ nữ Việt Nam"
    assert document["validFrom"] == f"{certificate.issued_on.isoformat()}T00:00:00+07:00"
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["name"] == COURSE_TITLE
    course = certificate.enrolment.course
    assert achievement["id"] == f"{settings.SITE_URL}{course.get_url_parts()[2]}"
    assert achievement["id"].endswith(f"/{course.slug}/")
    assert achievement["criteria"]["narrative"]
    assert document["credentialSchema"][0]["id"] == documents.SCHEMA_URL
    status = document["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListCredential"].endswith("/credentials/status/1")
    assert isinstance(document["proof"], list) and len(document["proof"]) == 1
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0


def test_the_schema_check_is_real_a_credential_without_its_proof_array_fails(issued, key_file):
    document = credential_doc(issued())
    broken = {**document, "proof": document["proof"][0]}
    assert schema_errors(broken)
    assert schema_errors({k: v for k, v in document.items() if k != "validFrom"})


def test_the_credential_holds_no_personal_data(issued, key_file):
    certificate = issued()
    text = OpenBadgeCredential.objects.get(certificate=certificate).document
    for value in (HOA["full_name"], HOA["email"], HOA["phone"], certificate.serial):
        assert value not in text
    identity = json.loads(text)["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    learner = documents.learner_identifier(certificate.enrolment.cadre_id)
    assert identity["identityHash"] == documents.identity_hash(learner, identity["salt"])
    assert str(certificate.enrolment.cadre_id) != learner


def test_the_site_checks_its_own_proof_and_any_change_breaks_it(issued, key_file):
    document = credential_doc(issued())
    check = credential_check(document)
    assert check.valid and check.proof_ok and check.key_ok and check.status == "valid"
    for change in (
        lambda d: d["credentialSubject"]["achievement"].__setitem__("name", "Khóa học khác"),
        lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00+07:00"),
        lambda d: d["proof"][0].__setitem__("proofValue", d["proof"][0]["proofValue"][:-2] + "zz"),
    ):
        tampered = copy.deepcopy(document)
        change(tampered)
        result = credential_check(tampered)
        assert not result.proof_ok and not result.valid


# --- Revocation, re-issue, keys -------------------------------------------------------------


def _status_bit(document: dict) -> bool:
    entry = document["credentialStatus"]
    number = int(entry["statusListCredential"].rsplit("/", 1)[1])
    status_list = json.loads(StatusList.objects.get(number=number).document)
    bits = documents.decoded_list(status_list["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == documents.STATUS_LIST_SIZE
    key = status_list["proof"][0]["verificationMethod"].split("#")[1]
    proofs.verify(status_list, public_key=public_key_from_multikey(key))
    return documents.bit_get(bits, int(entry["statusListIndex"]))


def test_revoking_sets_the_bit_of_the_signed_status_list(issued, key_file):
    certificate = issued()
    other = issued(full_name="Lò Văn Páo", email="pao@example.org")
    document = credential_doc(certificate)
    assert _status_bit(document) is False
    certificate_revoke(certificate=certificate, reason="Cấp nhầm")
    assert _status_bit(document) is True
    assert _status_bit(credential_doc(other)) is False
    assert credential_check(document).status == "revoked"
    assert not credential_check(document).valid


def test_a_reissue_revokes_the_old_credential_and_signs_a_new_one(
    issued, key_file, django_capture_on_commit_callbacks
):
    certificate = issued()
    old = credential_doc(certificate)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_reissue(certificate=certificate, full_name="Nguyễn Thị Hòa")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    new = credential_doc(certificate)
    assert new["id"] != old["id"]
    assert credential_check(old).status == "revoked"
    assert credential_check(new).valid
    assert OpenBadgeCredential.objects.filter(certificate=certificate).count() == 2


def test_a_rotated_key_stays_published_while_its_credentials_are_valid(issued, key_file, client):
    first = issued()
    old_key = issuer_key().public_multibase
    call_command("credential_key", "--rotate", stdout=open(os.devnull, "w"))  # noqa: SIM115
    new_key = issuer_key().public_multibase
    assert new_key != old_key
    second = issued(full_name="Lò Văn Páo", email="pao@example.org")
    did = client.get("/.well-known/did.json").json()
    published = [m["publicKeyMultibase"] for m in did["verificationMethod"]]
    assert published == [old_key, new_key]
    assert did["assertionMethod"] == [m["id"] for m in did["verificationMethod"]]
    assert credential_check(credential_doc(first)).valid
    assert credential_check(credential_doc(second)).valid
    certificate_revoke(certificate=first, reason="Cấp nhầm")
    # The status list is signed again with the new key: the old one is no longer needed.
    did = client.get("/.well-known/did.json").json()
    assert [m["publicKeyMultibase"] for m in did["verificationMethod"]] == [new_key]
    assert SigningKey.objects.count() == 2


def test_without_a_key_nothing_is_issued_and_the_certificate_waits(issued, settings, tmp_path):
    """Signing is part of issuing: without a key the whole issue rolls back (no PDF marked
    issued without its credential), and the certificate stays pending for the re-queue."""
    settings.CREDENTIAL_KEY = ""
    settings.CREDENTIAL_KEY_FILE = tmp_path / "none.pem"
    settings.CREDENTIAL_KEY_CREATE_MISSING = False
    certificate = issued()
    assert certificate.status == CertificateStatus.PENDING
    assert not OpenBadgeCredential.objects.exists()
    assert not certificate.events.filter(kind="issued").exists()


# --- Where people get it --------------------------------------------------------------------


def test_the_learner_downloads_their_credential_from_my_certificates(client, issued, key_file):
    learner = make_user(role="Cadre")
    mine = issued(user=learner)
    theirs = issued(full_name="Lò Văn Páo", email="pao@example.org")
    assert client.get(f"/certificates/{mine.pk}/credential.json").status_code == 302
    client.force_login(learner)
    page = client.get("/certificates/mine/").content.decode()
    assert f"/certificates/{mine.pk}/credential.json" in page
    response = client.get(f"/certificates/{mine.pk}/credential.json")
    assert response.status_code == 200
    assert f'filename="{mine.serial}.json"' in response["Content-Disposition"]
    assert json.loads(response.content) == credential_doc(mine)
    assert client.get(f"/certificates/{theirs.pk}/credential.json").status_code == 404


def test_the_public_credential_url_serves_exactly_the_signed_credential(client, issued, key_file):
    certificate = issued()
    response = client.get(f"/verify/{certificate.code}/credential.json")
    assert response.status_code == 200
    assert response.content.decode() == OpenBadgeCredential.objects.get().document
    assert (
        f"/verify/{certificate.code}/credential.json"
        in client.get(f"/verify/{certificate.code}/").content.decode()
    )
    assert client.get("/verify/no-such-code/credential.json").status_code == 404


def test_the_verification_page_checks_a_pasted_or_uploaded_credential(client, issued, key_file):
    from django.core.files.uploadedfile import SimpleUploadedFile

    certificate = issued()
    text = OpenBadgeCredential.objects.get().document
    page = client.post("/verify/credential/", {"credential": text}).content.decode()
    assert 'data-status="valid"' in page and certificate.serial in page
    upload = SimpleUploadedFile("c.json", text.encode(), content_type="application/json")
    page = client.post("/verify/credential/", {"file": upload}).content.decode()
    assert 'data-status="valid"' in page
    tampered = text.replace(COURSE_TITLE, "Khóa học khác")
    page = client.post("/verify/credential/", {"credential": tampered}).content.decode()
    assert 'data-status="invalid"' in page and certificate.serial not in page
    page = client.post("/verify/credential/", {"credential": "không phải JSON"}).content.decode()
    assert "không phải" in page.lower() or 'role="alert"' in page
    certificate_revoke(certificate=certificate, reason="Cấp nhầm")
    page = client.post("/verify/credential/", {"credential": text}).content.decode()
    assert 'data-status="revoked"' in page


# --- The outside verifier -------------------------------------------------------------------


def _node_ready() -> bool:
    if shutil.which("node") is None:
        return False
    if not (VERIFIER / "node_modules" / "@digitalbazaar" / "vc").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=VERIFIER, check=True, timeout=600
        )
    return True


@pytest.fixture
def outside_verifier(live_server, settings):
    if not _node_ready():
        if os.environ.get("CI"):
            pytest.fail("Node is needed for the outside verifier")
        pytest.skip("Node is not installed")
    settings.SITE_URL = live_server.url
    host = urlsplit(live_server.url).netloc

    def verify(document: dict) -> dict:
        completed = subprocess.run(
            ["node", "verify.mjs"],
            cwd=VERIFIER,
            input=json.dumps({"credential": document, "servers": {host: live_server.url}}),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        verdict = json.loads(completed.stdout.strip().splitlines()[-1])
        # Shown in the test's output: the outside verifier's own words.
        print("outside verifier:", json.dumps(verdict, ensure_ascii=False))
        return verdict

    return verify


@pytest.mark.django_db(transaction=True)
def test_digital_bazaars_verifier_accepts_the_issued_and_refuses_tampered_and_revoked(
    outside_verifier, issued, key_file, settings
):
    certificate = issued()
    document = credential_doc(certificate)
    assert document["issuer"]["id"] == "did:web:" + urlsplit(settings.SITE_URL).netloc.replace(
        ":", "%3A"
    )

    verdict = outside_verifier(document)
    assert verdict["verified"] is True, verdict
    assert verdict["proof"] is True and verdict["status_checked"] is True
    assert verdict["revoked"] is False

    for change in (
        lambda d: d["credentialSubject"]["achievement"].__setitem__("name", "Khóa học khác"),
        lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00+07:00"),
        lambda d: d["proof"][0].__setitem__("proofValue", d["proof"][0]["proofValue"][:-2] + "zz"),
    ):
        tampered = copy.deepcopy(document)
        change(tampered)
        verdict = outside_verifier(tampered)
        assert verdict["verified"] is False and verdict["proof"] is False, verdict

    certificate_revoke(certificate=certificate, reason="Cấp nhầm")
    verdict = outside_verifier(document)
    assert verdict["proof"] is True, verdict
    assert verdict["revoked"] is True and verdict["verified"] is False, verdict
    assert connection.vendor in ("sqlite", "postgresql")


# --- The signer's shortcut gives the same canonical RDF as the whole algorithm ---------------

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    title=_text.filter(str.strip),
    description=_text,
    salt=st.text(alphabet="0123456789abcdef", min_size=1, max_size=16),
    hours=st.one_of(st.none(), st.decimals(min_value=1, max_value=200, places=1)),
    index=st.integers(min_value=0, max_value=3 * documents.STATUS_LIST_SIZE),
)
def test_the_shortcut_canonicalises_exactly_like_the_whole_algorithm(
    title, description, salt, hours, index
):
    import datetime as dt

    data = documents.AchievementData(
        course_id=1,
        course_url="https://lms.example.vn/khoa-hoc/binh-dang-gioi/",
        title=title,
        description=description,
        hours=hours,
        issued_on=dt.date(2026, 11, 20),
        completed_at=dt.datetime(2026, 11, 19, 9, 30, tzinfo=dt.UTC) if index % 2 else None,
        learner_key="0" * 32,
    )
    document = documents.credential_unsigned(
        data, credential_id=f"urn:uuid:{index:08d}", status_index=index, salt=salt
    )
    fast = canonical_fast(document)
    assert fast is not None
    assert fast == proofs.canonical_full(document)


def test_a_document_the_shortcut_cannot_fill_takes_the_whole_algorithm():
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "relative/path",
        "type": ["VerifiableCredential"],
        "issuer": "did:web:lms.example.vn",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:x:1"},
    }
    assert canonical_fast(document) is None
    assert proofs.canonical_for_signing(document) == proofs.canonical_full(document)


def test_certificates_issued_without_a_credential_get_one_signed_and_a_rerun_signs_none(
    issued, key_file
):
    """Certificates issued before credentials were part of issuing: the command signs one for
    each, in batches; a revoked certificate gets none, and one that has its credential keeps it."""
    import io

    old = [issued(full_name=name, phone=phone) for name, phone in (
        ("Lò Thị Ánh", "0912000001"), ("Vàng A Páo", "0912000002"), ("Hà Thị Ngân", "0912000003"),
    )]  # fmt: skip
    kept = issued()
    kept_row = OpenBadgeCredential.objects.get(certificate=kept)
    OpenBadgeCredential.objects.filter(certificate__in=old).delete()
    certificate_revoke(certificate=old[2], reason="Cấp nhầm")
    OpenBadgeCredential.objects.filter(certificate=old[2]).delete()

    out = io.StringIO()
    call_command("issue_missing_credentials", "--dry-run", stdout=out)
    assert "2 giấy chứng nhận đã cấp chưa có chứng nhận số" in out.getvalue()
    assert not OpenBadgeCredential.objects.filter(certificate__in=old).exists()

    out = io.StringIO()
    call_command("issue_missing_credentials", "--batch", "1", stdout=out)
    assert out.getvalue().splitlines() == ["1/2", "2/2", "Đã ký 2 chứng nhận số."]
    for certificate in old[:2]:
        document = credential_doc(certificate)
        assert schema_errors(document) == []
        check = credential_check(document)
        assert check.valid and check.proof_ok and check.status == "valid"
        subject = document["credentialSubject"]
        learner = documents.learner_identifier(certificate.enrolment.cadre_id)
        identity = subject["identifier"][0]
        assert identity["identityHash"] == documents.identity_hash(learner, identity["salt"])
    assert not OpenBadgeCredential.objects.filter(certificate=old[2]).exists()
    assert list(OpenBadgeCredential.objects.filter(certificate=kept)) == [kept_row]

    out = io.StringIO()
    call_command("issue_missing_credentials", stdout=out)
    assert "Đã ký 0 chứng nhận số." in out.getvalue()
    assert OpenBadgeCredential.objects.count() == 3
