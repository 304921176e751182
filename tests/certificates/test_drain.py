"""The drain: completions ask for one message that issues the queued certificates in batches,
instead of one message each. Publishing is counted here (the flag logic is what is tested);
test_worker.py runs the same path through Redis and a real worker."""

import time

import pytest
from django.core.cache import cache

from certificates import services
from certificates.models import Certificate, CertificateStatus
from certificates.tasks import issue_pending_certificates
from tests.builders import complete, make_units
from tests.certificates.conftest import cadre_create


@pytest.fixture
def published(monkeypatch):
    """The drains published, instead of run: a list that grows by one per message."""
    cache.delete(services.DRAIN_FLAG)
    sent: list[dict] = []
    monkeypatch.setattr(
        issue_pending_certificates, "apply_async", lambda *a, **kw: sent.append(kw) or None
    )
    yield sent
    cache.delete(services.DRAIN_FLAG)


@pytest.fixture
def completions(django_capture_on_commit_callbacks):
    """completions(course, count): that many completions, each committed (its on-commit work
    run) before the next, as separate requests would be."""

    def make(course, count: int) -> list[Certificate]:
        units = make_units()
        done = []
        for _ in range(count):
            with django_capture_on_commit_callbacks(execute=True):
                done.append(complete(cadre=cadre_create(unit=units.commune), course=course))
        return [enrolment.certificate for enrolment in done]

    return make


def pending() -> int:
    return Certificate.objects.filter(
        status=CertificateStatus.PENDING, queued_at__isnull=False
    ).count()


def test_many_completions_publish_one_drain_and_it_issues_them_all(course, published, completions):
    completions(course, 4)
    assert len(published) == 1
    assert pending() == 4
    assert issue_pending_certificates.run() == 4
    assert pending() == 0
    assert Certificate.objects.filter(status=CertificateStatus.ISSUED).count() == 4
    # The drain cleared its flag before its last look: the next completion asks again.
    completions(course, 1)
    assert len(published) == 2


def test_a_full_batch_asks_one_more_worker_to_join(course, published, completions, settings):
    settings.CERTIFICATE_ISSUE_BATCH = 2
    completions(course, 5)
    assert len(published) == 1
    assert issue_pending_certificates.run() == 5
    # One helper for the whole drain, not one per full batch.
    assert len(published) == 2
    assert pending() == 0


def test_a_drain_past_its_time_hands_on_to_a_new_message(course, published, completions, settings):
    settings.CERTIFICATE_ISSUE_BATCH = 2
    settings.CERTIFICATE_DRAIN_SECONDS = 0
    completions(course, 5)
    assert issue_pending_certificates.run() == 2
    assert len(published) == 3  # the completions' drain, the helper, the one that goes on
    assert pending() == 3
    # The flag stays set: a drain is still on its way, so completions publish nothing.
    completions(course, 1)
    assert len(published) == 3


def test_a_drain_lost_with_its_worker_holds_completions_back_only_until_its_flag_expires(
    course, published, completions, settings
):
    settings.CERTIFICATE_DRAIN_FLAG_TIMEOUT = 1
    completions(course, 1)  # its drain is lost: never run, never clears the flag
    completions(course, 1)
    assert len(published) == 1
    time.sleep(1.2)
    completions(course, 1)
    assert len(published) == 2
    assert issue_pending_certificates.run() == 3


def test_a_failed_batch_is_left_to_the_periodic_requeue_and_the_flag_cleared(
    course, published, completions, monkeypatch
):
    completions(course, 3)

    def broken(certificates):
        raise OSError("the file store is unreachable")

    monkeypatch.setattr(services, "_issue_locked", broken)
    with pytest.raises(OSError):
        issue_pending_certificates.run()
    monkeypatch.undo()
    # Rolled back, and marked never queued: the next re-queue takes them whatever their age.
    rows = Certificate.objects.all()
    assert {row.status for row in rows} == {CertificateStatus.PENDING}
    assert {row.queued_at for row in rows} == {None}
    assert not cache.get(services.DRAIN_FLAG)
    assert services.certificates_requeue() == 3
    assert Certificate.objects.filter(status=CertificateStatus.ISSUED).count() == 3


def test_inline_a_drain_past_its_time_stops_and_leaves_the_rest_to_the_next(
    course, published, completions, settings
):
    settings.CERTIFICATE_ISSUE_BATCH = 2
    settings.CERTIFICATE_DRAIN_SECONDS = 0
    completions(course, 5)
    assert len(published) == 1
    assert issue_pending_certificates.apply().get() == 2
    assert len(published) == 1  # nothing handed on inline: no broker to hand on to
    assert pending() == 3
    assert not cache.get(services.DRAIN_FLAG)
