"""The knowledge-gain ledger and its outputs: the rollup stays the sum of the learners' scores
through every correction, bad scores are refused with nothing written, and the API, the command
and the dashboard publish means within the reader's scope, small groups suppressed."""

import json
import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from courses.counters.gain import (
    knowledge_gain_drift,
    knowledge_gain_recount,
    knowledge_score_set,
    knowledge_scores_forget,
)
from courses.counters.gain_selectors import (
    knowledge_gain,
    normalised_gain_millionths,
)
from courses.counters.models import GAIN_SUMS, GainRollup, KnowledgeScore
from courses.sessions.models import SessionStatus
from courses.sessions.services import attendance_mark
from tests.builders import make_cadre, make_session, make_user

pytestmark = pytest.mark.django_db


def _rollup() -> dict:
    return {
        row[:6]: row[6:]
        for row in GainRollup.objects.values_list(
            "course_id", "province_2025", "level", "sex", "ethnicity", "target_group", *GAIN_SUMS
        )
        if any(row[6:])
    }


def _round(value: Fraction, places: int) -> float:
    """Half up, as published (Python's round() rounds half to even)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def _recomputed(rows, key):
    """Means per group recomputed by hand from (cadre, pre, post) tuples."""
    groups = {}
    for cadre, pre, post in rows:
        if pre is None or post is None:
            continue
        groups.setdefault(key(cadre), []).append((pre, post))
    out = {}
    for group, scores in groups.items():
        n = len(scores)
        norm = [Fraction(post - pre, 100 - pre) for pre, post in scores if pre < 100]
        out[group] = {
            "learners": n,
            "pre_mean": _round(Fraction(sum(p for p, _ in scores), n), 1),
            "post_mean": _round(Fraction(sum(q for _, q in scores), n), 1),
            "gain_mean": _round(Fraction(sum(q - p for p, q in scores), n), 1),
            "normalised_gain_mean": _round(sum(norm) / len(norm), 3) if norm else None,
        }
    return out


def test_normalised_gain_is_undefined_at_a_full_pre_test_score():
    assert normalised_gain_millionths(40, 70) == 500_000
    assert normalised_gain_millionths(100, 100) is None
    assert normalised_gain_millionths(80, 60) == -1_000_000


def test_the_rollup_equals_the_recount_after_a_mixed_workload(world):
    rng = random.Random(16)
    people = [
        make_cadre(unit=rng.choice([world.lao_cai.commune, world.ha_giang.commune]),
                   sex=rng.choice(["female", "male"]), ethnicity=rng.choice(["01", "03", "08"]))
        for _ in range(25)
    ]  # fmt: skip
    courses = [world.course, world.me_course]
    truth = {}
    for _ in range(300):
        cadre, course = rng.choice(people), rng.choice(courses)
        pre = rng.choice([None, 0, 35, 60, 99, 100])
        post = rng.choice([None, 10, 50, 80, 100])
        knowledge_score_set(cadre=cadre, course_id=course.pk, pre=pre, post=post)
        truth[(cadre.pk, course.pk)] = (pre, post)
        if rng.random() < 0.05:
            knowledge_scores_forget(cadre_id=cadre.pk)
            truth = {k: v for k, v in truth.items() if k[0] != cadre.pk}
    # The person moves: their next score is counted in the new province.
    moved = people[0]
    moved.unit = world.ha_giang.commune if moved.province_2025 == "15" else world.lao_cai.commune
    moved.save()
    knowledge_score_set(cadre=moved, course_id=world.course.pk, pre=20, post=90)
    truth[(moved.pk, world.course.pk)] = (20, 90)
    assert knowledge_gain_drift() == []
    before = _rollup()
    knowledge_gain_recount()
    assert _rollup() == before
    # And the figures are the hand recomputation from the individual scores.
    scored = [(c, *truth[(c.pk, course.pk)]) for c in people for course in courses
              if (c.pk, course.pk) in truth]  # fmt: skip
    expected = _recomputed(scored, lambda c: "")[""]
    total = knowledge_gain(scope_province=None)["total"].as_dict()
    assert {k: total[k] for k in expected} == expected
    missing = sum(1 for _c, pre, post in scored if pre is None and post is not None)
    assert total["missing_pre"] == missing


def test_a_drifted_rollup_is_found_and_repaired(world):
    cadre = make_cadre(unit=world.lao_cai.commune)
    knowledge_score_set(cadre=cadre, course_id=world.course.pk, pre=40, post=70)
    GainRollup.objects.update(pre_sum=1)
    assert len(knowledge_gain_drift()) == 1
    out = StringIO()
    with pytest.raises(Exception, match="drifted"):
        call_command("recount_knowledge_gain", "--check", stdout=out)
    call_command("recount_knowledge_gain", stdout=out)
    assert knowledge_gain_drift() == []
    assert GainRollup.objects.get().pre_sum == 40


@pytest.mark.parametrize("bad", [101, -1, 55.5, "70", True])
def test_a_score_outside_0_100_is_refused_and_nothing_is_written(world, bad):
    cadre = make_cadre(unit=world.lao_cai.commune)
    knowledge_score_set(cadre=cadre, course_id=world.course.pk, pre=40, post=70)
    with pytest.raises(ValidationError) as caught:
        knowledge_score_set(cadre=cadre, course_id=world.course.pk, pre=40, post=bad)
    assert "100" in " ".join(caught.value.messages)
    assert KnowledgeScore.objects.get().post == 70
    assert knowledge_gain(scope_province=None)["total"].sums.post_sum == 70


def test_a_post_test_without_a_pre_test_is_reported_not_guessed(world):
    for _ in range(3):
        knowledge_score_set(cadre=make_cadre(unit=world.lao_cai.commune),
                            course_id=world.course.pk, pre=None, post=80)  # fmt: skip
    total = knowledge_gain(scope_province=None)["total"].as_dict()
    assert total["learners"] == 0 and total["pre_mean"] is None and total["missing_pre"] == 3


def _scores(world, province_unit, n, *, sex="female", ethnicity="03", pre=40, post=70):
    people = []
    for _ in range(n):
        cadre = make_cadre(unit=province_unit, sex=sex, ethnicity=ethnicity)
        knowledge_score_set(cadre=cadre, course_id=world.course.pk, pre=pre, post=post)
        people.append(cadre)
    return people


def test_api_scoping_and_suppression(client, world):
    _scores(world, world.lao_cai.commune, 12, sex="female", pre=40, post=70)  # province 15
    _scores(world, world.lao_cai.commune, 3, sex="male", pre=50, post=60)
    _scores(world, world.ha_giang.commune, 11, sex="female", pre=20, post=100)  # province 08
    assert client.get("/api/knowledge-gain/").status_code == 401
    client.force_login(make_user(role="Cadre"))
    assert client.get("/api/knowledge-gain/").status_code == 403

    client.force_login(make_user(role="Admin"))
    data = client.get("/api/knowledge-gain/?by=province").json()
    assert {g["key"]: g["learners"] for g in data["groups"]} == {"08": 11, "15": 15}
    assert data["total"]["learners"] == 26
    assert client.get("/api/knowledge-gain/?by=commune").status_code == 400

    client.force_login(make_user(role="Admin", province_code="15"))
    data = client.get("/api/knowledge-gain/?by=sex").json()
    groups = {g["key"]: g for g in data["groups"]}
    assert groups["female"]["learners"] == 12 and groups["female"]["pre_mean"] == 40.0
    assert groups["female"]["post_mean"] == 70.0 and groups["female"]["gain_mean"] == 30.0
    assert groups["female"]["normalised_gain_mean"] == 0.5
    # Three men: too few to publish their means.
    assert groups["male"]["suppressed"] and groups["male"]["pre_mean"] is None
    assert data["total"]["learners"] == 15
    assert client.get("/api/knowledge-gain/?province=08").status_code == 403
    token_data = client.get("/api/knowledge-gain/?by=province").json()
    assert [g["key"] for g in token_data["groups"]] == ["15"]


def test_a_trainer_sees_the_figures_of_their_own_session_only(client, world):
    trainer, other = make_user(role="Trainer"), make_user(role="Trainer")
    session = make_session(course=world.course, unit=world.lao_cai.commune, code="LOP-1",
                           trainers=[trainer], status=SessionStatus.HELD)  # fmt: skip
    for n in range(10):
        cadre = make_cadre(unit=world.lao_cai.commune)
        attendance_mark(session=session, cadre=cadre, present=True, score=60 + n, pre_score=30)
    absent = make_cadre(unit=world.lao_cai.commune)
    attendance_mark(session=session, cadre=absent, present=False, score=90, pre_score=10)
    client.force_login(trainer)
    assert client.get("/api/knowledge-gain/").status_code == 403
    data = client.get("/api/knowledge-gain/?session=LOP-1").json()
    assert data["total"]["learners"] == 10  # the absent participant does not count
    assert data["total"]["pre_mean"] == 30.0 and data["total"]["post_mean"] == 64.5
    client.force_login(other)
    assert client.get("/api/knowledge-gain/?session=LOP-1").status_code == 404
    client.force_login(make_user(role="Admin", province_code="08"))
    assert client.get("/api/knowledge-gain/?session=LOP-1").status_code == 404
    # The session page shows its trainer the same figures.
    client.force_login(trainer)
    page = client.get(reverse("training_sessions:detail", args=[session.pk]))
    assert page.status_code == 200
    assert "64,5" in page.content.decode() or "64.5" in page.content.decode()


def test_the_command_prints_the_figures_as_json(world):
    _scores(world, world.lao_cai.commune, 10, sex="female", pre=40, post=70)
    out = StringIO()
    call_command("show_knowledge_gain", "--json", "--by", "sex", "--course", world.course.slug,
                 stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    female = data["groups"][0]
    assert female["key"] == "female" and female["learners"] == 10
    assert female["gain_mean"] == 30.0 and female["normalised_gain_mean"] == 0.5
    out = StringIO()
    call_command("show_knowledge_gain", "--json", "--province", "08", stdout=out)
    assert json.loads(out.getvalue())["total"]["suppressed"] is True


def test_concurrent_writers_in_one_transaction_keep_the_rollup_exact(world):
    cadre = make_cadre(unit=world.lao_cai.commune)
    with transaction.atomic():
        for pre, post in [(10, 20), (30, 40), (None, 50), (60, None), (100, 100)]:
            knowledge_score_set(cadre=cadre, course_id=world.course.pk, pre=pre, post=post)
    assert knowledge_gain_drift() == []
    sums = knowledge_gain(scope_province=None)["total"].sums
    assert (sums.learners, sums.normalised_count, sums.pre_sum) == (1, 0, 100)


def test_a_person_who_moves_takes_their_scores_to_the_new_province(world):
    from courses.registry.services import cadre_save

    cadre = make_cadre(unit=world.lao_cai.commune)
    knowledge_score_set(cadre=cadre, course_id=world.course.pk, pre=40, post=70)
    cadre.unit = world.ha_giang.commune
    cadre_save(cadre=cadre)
    by_province = knowledge_gain(scope_province=None, by="province")["groups"]
    assert [(g.key, g.sums.learners) for g in by_province] == [("08", 1)]
    assert knowledge_gain_drift() == []


def test_a_withdrawn_consent_moves_the_scores_to_the_blank_ethnicity(world):
    from courses.registry.privacy import consent_withdraw

    cadre = make_cadre(unit=world.lao_cai.commune, ethnicity="08")
    knowledge_score_set(cadre=cadre, course_id=world.course.pk, pre=40, post=70)
    by_ethnicity = knowledge_gain(scope_province=None, by="ethnicity")["groups"]
    assert [(g.key, g.sums.learners) for g in by_ethnicity] == [("08", 1)]
    consent_withdraw(cadre=cadre, user=None)
    by_ethnicity = knowledge_gain(scope_province=None, by="ethnicity")["groups"]
    assert [(g.key, g.sums.learners) for g in by_ethnicity] == [("", 1)]
    assert KnowledgeScore.objects.get(cadre=cadre).ethnicity == ""
    assert knowledge_gain_drift() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_scores_on_one_rollup_row_and_one_new_row_stay_exact():
    """Eight writers at once: four people of one rollup row, and the same new score row
    written by four transactions; the rollup equals the recount afterwards."""
    import threading

    from django.db import connection

    from tests.builders import make_counters_world
    from tests.conftest import require_postgres

    require_postgres("concurrent knowledge-gain writers")
    world = make_counters_world()
    people = [make_cadre(unit=world.lao_cai.commune) for _ in range(4)]
    same = make_cadre(unit=world.lao_cai.commune)
    barrier = threading.Barrier(8)
    failures = []

    def write(cadre, pre, post):
        try:
            barrier.wait()
            knowledge_score_set(cadre=cadre, course_id=world.course.pk, pre=pre, post=post)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    jobs = [(c, 10 * n, 90) for n, c in enumerate(people)] + [(same, 50, 60 + n) for n in range(4)]
    threads = [threading.Thread(target=write, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert KnowledgeScore.objects.filter(cadre=same).count() == 1
    assert knowledge_gain_drift() == []
    assert knowledge_gain(scope_province=None)["total"].sums.learners == 5


def test_a_token_reads_the_api_in_its_users_scope_and_the_exports_carry_the_gain(client, world):
    import io

    from django.test import Client
    from openpyxl import load_workbook
    from wagtail.models import APIToken

    _scores(world, world.lao_cai.commune, 10, sex="female", pre=40, post=70)
    _scores(world, world.ha_giang.commune, 10, sex="female", pre=20, post=60)
    admin = make_user(role="Admin", province_code="15")
    _row, token = APIToken.create_token(user=admin, name="bảng tính")
    data = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/knowledge-gain/?by=sex").json()
    assert data["total"]["learners"] == 10 and data["total"]["pre_mean"] == 40.0
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get("/api/knowledge-gain/").status_code == 401
    client.force_login(admin)
    book = load_workbook(io.BytesIO(client.get(reverse("counters_export_xlsx")).content))
    sheet = book["Mức tăng kiến thức"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    female = next(r for r in rows if r[0] == "Mức tăng kiến thức theo giới tính" and r[1] == "Nữ")
    assert female[2:7] == [10, 40.0, 70.0, 30.0, 0.5]
    csv = client.get(reverse("counters_export_csv")).content.decode("utf-8-sig")
    assert "Mức tăng kiến thức" in csv and "60.0" not in csv  # the other province stays out
    pdf = client.get(reverse("counters_export_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
