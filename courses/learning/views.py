"""The learner's pages: my courses, profile, enrolment, lesson done, quiz attempts.

Thin callers of courses.learning.services; every error a learner can cause comes back as a
clear Vietnamese message with the status the service gives (400 for a malformed or tampered
answer, 403 for what is not allowed).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from content.models import (
    PAGE_LINK_FIELDS,
    CourseIndexPage,
    CoursePage,
    Quiz,
    QuizQuestion,
)
from content.selectors import course_uses_quiz
from courses.learning.models import QuizAttempt
from courses.learning.personal_data import personal_data, personal_data_sheets
from courses.learning.selectors import (
    attempts_for,
    cadre_for_user,
    course_progress,
    enrolment_of_user,
    enrolments_with_progress,
    lesson_course,
    lesson_links,
)
from courses.learning.services import (
    LearningError,
    NotInCourse,
    QuizChanged,
    Unanswered,
    enrolment_create,
    lesson_complete,
    quiz_answer_save,
    quiz_answers_keep,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_device_copy,
)
from courses.registry.forms import ProfileForm
from courses.registry.models import RequestKind
from courses.registry.privacy import consent_give, consent_withdraw, consent_withdrawn
from courses.registry.requests import data_request_create, data_requests_of
from lms.access_audit import AccessAction, access_record
from lms.json_body import JsonBodyError, json_error_response, load_json_body
from lms.spreadsheet import xlsx_bytes
from lms.text import nfc


def _error(request, exc: LearningError):
    if isinstance(exc, NotInCourse):
        raise Http404(str(exc))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"error": str(exc)}, status=exc.status)
    context = {"message": str(exc), "next_lesson": getattr(exc, "next_lesson", None)}
    response = render(request, "courses/learning/error.html", context)
    response.status_code = exc.status
    return response


def _require_cadre(request):
    cadre = cadre_for_user(request.user)
    if cadre is None:
        return None, redirect(f"/learn/profile/?next={request.get_full_path()}")
    return cadre, None


@login_required
@require_GET
def my_courses(request):
    cadre = cadre_for_user(request.user)
    items = enrolments_with_progress(cadre=cadre) if cadre else []
    catalogue = None
    if not items:  # the page links to the catalogue only when there is no course to list
        catalogue = CourseIndexPage.objects.live().only(*PAGE_LINK_FIELDS).first()
    return render(
        request,
        "courses/learning/my_courses.html",
        {"items": items, "cadre": cadre, "catalogue_url": catalogue.url if catalogue else None},
    )


@login_required
def profile(request):
    """A learner who has no registry record yet gives the details the counters need."""
    cadre = cadre_for_user(request.user)
    form = ProfileForm(request.POST or None, instance=cadre, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details were saved."))
        next_url = request.POST.get("next") or "/learn/"
        if not next_url.startswith("/") or next_url.startswith("//"):
            next_url = "/learn/"
        return redirect(next_url)
    return render(
        request,
        "courses/learning/profile.html",
        {
            "form": form,
            "next": request.GET.get("next", request.POST.get("next", "")),
            "cadre": cadre,
            "withdrawn": cadre is not None and consent_withdrawn(cadre=cadre),
            "requests": data_requests_of(cadre=cadre) if cadre else [],
            "request_form": DataRequestForm(),
        },
    )


def _own_data(request):
    cadre = cadre_for_user(request.user)
    if cadre is None:
        raise Http404
    access_record(user=request.user, action=AccessAction.DOWNLOAD, target="courses.cadre",
                  record_id=cadre.pk, scope="own", count=1,
                  ethnicity_shown=bool(cadre.ethnicity))  # fmt: skip
    return personal_data(cadre=cadre)


@login_required
@require_GET
def my_data_json(request):
    """Everything the system holds about the learner, as JSON."""
    response = JsonResponse(_own_data(request), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="du_lieu_cua_toi.json"'
    return response


@login_required
@require_GET
def my_data_xlsx(request):
    """The same, one sheet per section."""
    response = HttpResponse(
        xlsx_bytes(personal_data_sheets(_own_data(request))),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="du_lieu_cua_toi.xlsx"'
    return response


@login_required
@require_POST
def consent_withdraw_view(request):
    """The learner withdraws their consent to sensitive data: their ethnicity goes."""
    cadre = cadre_for_user(request.user)
    if cadre is None:
        raise Http404
    consent_withdraw(cadre=cadre, user=request.user)
    messages.success(
        request,
        _("Your consent was withdrawn: your ethnicity was removed from your record and you "
          "are counted as “not stated”."),
    )  # fmt: skip
    return redirect("learning:profile")


@login_required
@require_POST
def consent_give_view(request):
    cadre = cadre_for_user(request.user)
    if cadre is None:
        raise Http404
    if cadre.consent_at is None:
        consent_give(cadre=cadre, user=request.user)
    messages.success(request, _("Your consent was recorded."))
    return redirect("learning:profile")


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_l("What do you ask for?"), choices=RequestKind.choices)
    details = forms.CharField(
        label=_l("Details (what should be corrected)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


@login_required
@require_POST
def data_request_view(request):
    """A correction or erasure request, for the admins of the learner's province."""
    cadre = cadre_for_user(request.user)
    if cadre is None:
        raise Http404
    form = DataRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what you ask for."))
        return redirect("learning:profile")
    data_request_create(cadre=cadre, kind=form.cleaned_data["kind"],
                        details=nfc(form.cleaned_data["details"]))  # fmt: skip
    messages.success(
        request,
        _("Your request was sent to the administrators of your province. Their answer will "
          "be shown here."),
    )  # fmt: skip
    return redirect("learning:profile")


@login_required
@require_POST
def enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    cadre, redirect_response = _require_cadre(request)
    if redirect_response:
        return redirect(f"/learn/profile/?next={course.url}")
    try:
        _enrolment, created = enrolment_create(
            cadre=cadre, course=course, by=request.user, self_service=True
        )
    except LearningError as exc:
        return _error(request, exc)
    if created:
        messages.success(request, _("You are enrolled. Start with the first lesson."))
    lessons = lesson_links(course)
    return redirect(lessons[0].url if lessons else course.url)


@login_required
@require_POST
def lesson_done(request, lesson_id: int):
    found = lesson_course(lesson_id)
    if found is None:
        raise Http404
    course, lessons = found
    enrolment = enrolment_of_user(user=request.user, course_id=course.pk, course=course)
    if enrolment is None:
        _cadre, redirect_response = _require_cadre(request)
        if redirect_response:
            return redirect_response
        return _error(request, LearningError(_("Enrol in the course first."), status=403))
    # The lessons done, read once for the check, the completion and the next step.
    done = set(enrolment.progress.values_list("lesson_id", flat=True))
    try:
        completed = lesson_complete(
            enrolment=enrolment, lesson_id=lesson_id, lessons=lessons, done=done
        )
    except LearningError as exc:
        return _error(request, exc)
    if completed:
        messages.success(request, _("Congratulations! You have completed the course."))
        return redirect("/learn/")
    progress = course_progress(enrolment=enrolment, lessons=lessons, done=done | {lesson_id})
    if progress.next_lesson is not None:
        return redirect(progress.next_lesson.url)
    if course.final_quiz_id and course.final_quiz.is_published:
        return redirect("learning:quiz", course_id=course.pk, quiz_id=course.final_quiz_id)
    return redirect(course.url)


def _answered_version(attempt: QuizAttempt) -> tuple[Quiz, list[QuizQuestion]]:
    """The version of the quiz the attempt answered, and its questions.

    While that version is the published one (the usual case, and always for an open attempt),
    it is the quiz's rows; an attempt on an earlier version reads its recorded revision, so a
    result page shows what the learner was asked and the pass mark they were graded at, not
    what the quiz asks now."""
    quiz = attempt.quiz
    revision_id = attempt.quiz_revision_id
    if revision_id is not None and revision_id != quiz.live_revision_id:
        version = attempt.quiz_revision.as_object()
        return version, list(version.questions.all())
    questions = QuizQuestion.objects.filter(quiz_id=attempt.quiz_id).prefetch_related("choices")
    return quiz, list(questions)


def _in_order(question_order, choice_order, questions: list[QuizQuestion]):
    questions = {q.pk: q for q in questions}
    ordered = []
    for qid in question_order:
        question = questions.get(qid)
        if question is None:
            continue
        choices = {c.pk: c for c in question.choices.all()}
        order = choice_order.get(str(qid), list(choices))
        ordered.append((question, [choices[c] for c in order if c in choices]))
    return ordered


def _ordered_questions(attempt: QuizAttempt, questions: list[QuizQuestion] | None = None):
    if questions is None:
        questions = _answered_version(attempt)[1]
    return _in_order(attempt.question_order, attempt.choice_order, questions)


@login_required
@require_GET
def quiz(request, course_id: int, quiz_id: int):
    """A quiz the course uses (otherwise 404), through the learner's enrolment in it: the open
    attempt, or a new one; a quiz not open yet (lessons to finish first) or with every
    attempt used says so."""
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    quiz_obj = get_object_or_404(Quiz, pk=quiz_id)
    if not course_uses_quiz(course=course, quiz_id=quiz_obj.pk):
        raise Http404(_("This quiz is not part of the course."))
    enrolment = enrolment_of_user(user=request.user, course_id=course.pk, course=course)
    if enrolment is None:
        _cadre, redirect_response = _require_cadre(request)
        if redirect_response:
            return redirect_response
        return _error(request, LearningError(_("Enrol in the course first."), status=403))
    previous = list(attempts_for(enrolment=enrolment, quiz_id=quiz_obj.pk))
    # The course's "store for offline study" asks for the page with this header: the copy it
    # keeps starts no attempt (its answers start one when they reach the server).
    for_device = request.headers.get("X-Offline-Store") == "1"
    try:
        if for_device:
            copy = quiz_device_copy(enrolment=enrolment, quiz=quiz_obj)
        else:
            attempt = quiz_attempt_start(enrolment=enrolment, quiz=quiz_obj, attempts=previous)
    except LearningError as exc:
        if not quiz_obj.is_published or isinstance(exc, NotInCourse):
            raise Http404 from exc
        return render(
            request,
            "courses/learning/quiz_closed.html",
            {"course": course, "quiz": quiz_obj, "attempts": previous, "message": str(exc),
             "next_lesson": getattr(exc, "next_lesson", None)},
            status=exc.status,
        )  # fmt: skip
    if for_device:
        order, saved, number = (copy.question_order, copy.choice_order), copy.answers, copy.number
        questions = QuizQuestion.objects.filter(quiz_id=quiz_obj.pk).prefetch_related("choices")
        ordered = _in_order(*order, list(questions))
        urls = (reverse("learning:quiz_answer", args=[course.pk, quiz_obj.pk]),
                reverse("learning:quiz_submit", args=[course.pk, quiz_obj.pk]))  # fmt: skip
    else:
        attempt.quiz = quiz_obj  # the attempt resumed from `previous` has not read it
        saved = dict(attempt.answers.values_list("question_id", "choice_ids"))
        ordered, number = _ordered_questions(attempt), attempt.number
        urls = (reverse("learning:attempt_answer", args=[attempt.pk]),
                reverse("learning:attempt_submit", args=[attempt.pk]))  # fmt: skip
    questions = [
        {"question": q, "choices": choices, "chosen": set(saved.get(q.pk, []))}
        for q, choices in ordered
    ]
    return render(
        request,
        "courses/learning/quiz.html",
        {
            "course": course,
            "quiz": quiz_obj,
            "number": number,
            "answer_url": urls[0],
            "submit_url": urls[1],
            "questions": questions,
            "previous": [a for a in previous if a.is_submitted],
        },
    )


def _device_quiz(request, course_id: int, quiz_id: int):
    """For work done on the quiz page stored on the device: a function giving its attempt,
    the open one or one started then (storing the page started none). The learner must be
    enrolled in the course (else LearningError, before anything is read or written)."""
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    quiz_obj = get_object_or_404(Quiz, pk=quiz_id)
    enrolment = enrolment_of_user(user=request.user, course_id=course.pk, course=course)
    if enrolment is None:
        raise LearningError(_("Enrol in the course first."), status=403)
    return lambda: quiz_attempt_start(enrolment=enrolment, quiz=quiz_obj, for_device=True)


def _own_attempt(request, attempt_id: int) -> QuizAttempt:
    """The caller's attempt, with its enrolment, learner, course and quiz, in one query."""
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related("enrolment__cadre", "enrolment__course", "quiz"),
        pk=attempt_id,
    )
    if attempt.enrolment.cadre.user_id != request.user.pk:
        raise PermissionDenied(_("This attempt belongs to someone else."))
    return attempt


# What an autosave reads of an attempt besides its own columns: who owns it, and the course
# fields that say whether the course uses the quiz (course_uses_quiz).
_ANSWER_RELATED = (
    "enrolment__cadre", "enrolment__cadre__user", "enrolment__course",
    "enrolment__course__final_quiz", "enrolment__course__pre_test",
    "enrolment__course__path", "enrolment__course__depth",
)  # fmt: skip


def _own_attempt_to_answer(request, attempt_id: int) -> QuizAttempt:
    """The caller's attempt for an autosave, with its learner and only the course columns an
    answer needs, in one query (the quiz and the rest of the course are not read)."""
    fields = [field.name for field in QuizAttempt._meta.concrete_fields]
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related("enrolment__cadre", "enrolment__course").only(
            *fields, *_ANSWER_RELATED
        ),
        pk=attempt_id,
    )
    if attempt.enrolment.cadre.user_id != request.user.pk:
        raise PermissionDenied(_("This attempt belongs to someone else."))
    return attempt


def _own_attempt_in_course(request, attempt_id: int) -> QuizAttempt:
    """The caller's attempt, at a quiz its course uses (an attempt at another course's quiz,
    made before that was refused, does not exist for the learner: 404)."""
    attempt = _own_attempt(request, attempt_id)
    if not course_uses_quiz(course=attempt.enrolment.course, quiz_id=attempt.quiz_id):
        raise Http404(_("This quiz is not part of the course."))
    return attempt


def _parse_ids(values) -> list[int]:
    try:
        return [int(v) for v in values if str(v).strip() != ""]
    except (TypeError, ValueError) as exc:
        raise LearningError(_("Malformed answer.")) from exc


def _answer(request, attempt_of):
    """Saves the one answer posted, to the attempt `attempt_of()` gives once the answer is
    read (a malformed post starts no attempt)."""
    try:
        if request.content_type == "application/json":
            try:
                payload = load_json_body(request)
            except JsonBodyError as exc:
                return json_error_response(exc)
            if not isinstance(payload, dict):
                raise LearningError(_("Malformed answer."))
            question_id = payload.get("question")
            choice_ids = payload.get("choices", [])
        else:
            question_id = request.POST.get("question")
            choice_ids = request.POST.getlist("choices")
        if not isinstance(choice_ids, list):
            raise LearningError(_("Malformed answer."))
        question = _parse_ids([question_id])
        if len(question) != 1:
            raise LearningError(_("Malformed answer."))
        choices = _parse_ids(choice_ids)
        attempt = attempt_of()
        quiz_answer_save(
            attempt=attempt,
            cadre=attempt.enrolment.cadre,
            question_id=question[0],
            choice_ids=choices,
        )
    except NotInCourse as exc:
        raise Http404(str(exc)) from exc
    except LearningError as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    return JsonResponse({"saved": True})


@login_required
@require_POST
def attempt_answer(request, attempt_id: int):
    """Autosave of one answer (the quiz page's small script posts here as answers change)."""
    attempt = _own_attempt_to_answer(request, attempt_id)
    return _answer(request, lambda: attempt)


@login_required
@require_POST
def quiz_answer(request, course_id: int, quiz_id: int):
    """Autosave of one answer given on the quiz page stored on the device."""
    try:
        attempt_of = _device_quiz(request, course_id, quiz_id)
    except LearningError as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    return _answer(request, attempt_of)


def _confirm_unanswered(request, attempt: QuizAttempt, answers, question_ids):
    """The page that asks before an attempt with unanswered questions is graded: the answers
    given are kept, the questions without one are listed, with "go back" and "submit
    anyway" (a plain form: it works without JavaScript)."""
    quiz_answers_keep(attempt=attempt, cadre=attempt.enrolment.cadre, answers=answers)
    missing = set(question_ids)
    unanswered = [
        {"number": number, "question": question}
        for number, (question, _choices) in enumerate(_ordered_questions(attempt), start=1)
        if question.pk in missing
    ]
    return render(
        request,
        "courses/learning/confirm_submit.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "course": attempt.enrolment.course,
            "unanswered": unanswered,
            "total": len(attempt.question_order),
        },
    )


def _submit(request, attempt_of):
    """Grades the answers posted, in the attempt `attempt_of()` gives once they are read."""
    answers: dict[int, list[int]] = {}
    attempt = None
    try:
        for name in request.POST:
            if not name.startswith("q-"):
                continue
            ids = _parse_ids([name[2:]])
            if len(ids) != 1:
                raise LearningError(_("Malformed answer."))
            answers[ids[0]] = _parse_ids(request.POST.getlist(name))
        attempt = attempt_of()
        try:
            attempt = quiz_attempt_submit(
                attempt=attempt,
                cadre=attempt.enrolment.cadre,
                answers=answers,
                unanswered_confirmed=request.POST.get("confirm_unanswered") == "1",
            )
        except Unanswered as exc:
            return _confirm_unanswered(request, attempt, answers, exc.question_ids)
    except QuizChanged as exc:
        messages.warning(request, str(exc))
        return redirect(
            "learning:quiz", course_id=attempt.enrolment.course_id, quiz_id=attempt.quiz_id
        )
    except LearningError as exc:
        return _error(request, exc)
    return redirect("learning:attempt", attempt_id=attempt.pk)


@login_required
@require_POST
def attempt_submit(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    return _submit(request, lambda: attempt)


@login_required
@require_POST
def quiz_submit(request, course_id: int, quiz_id: int):
    """The submission of the quiz page stored on the device (sent online, or queued offline
    and sent by the device later through the queue)."""
    try:
        attempt_of = _device_quiz(request, course_id, quiz_id)
    except LearningError as exc:
        raise PermissionDenied(str(exc)) from exc
    return _submit(request, attempt_of)


@login_required
@require_GET
def attempt_result(request, attempt_id: int):
    """The result of a submitted attempt: the score and which questions were right or wrong;
    the correct choices and explanations only when the quiz's setting reveals them (by
    default after a pass or the last allowed attempt)."""
    attempt = _own_attempt_in_course(request, attempt_id)
    if not attempt.is_submitted:
        return redirect(
            "learning:quiz", course_id=attempt.enrolment.course_id, quiz_id=attempt.quiz_id
        )
    enrolment = attempt.enrolment
    quiz_obj = attempt.quiz
    submitted = list(
        attempts_for(enrolment=enrolment, quiz_id=quiz_obj.pk)
        .filter(submitted_at__isnull=False)
        .values_list("passed", flat=True)
    )
    limit = quiz_obj.attempt_limit
    attempts_left = None if limit is None else max(0, limit - len(submitted))
    # The setting of the published quiz decides, over all the learner's attempts at it.
    revealed = quiz_obj.answers_revealed(passed=any(submitted), attempts_left=attempts_left)
    saved = dict(attempt.answers.values_list("question_id", "choice_ids"))
    version, questions = _answered_version(attempt)
    rows = []
    for question, choices in _ordered_questions(attempt, questions):
        chosen = set(saved.get(question.pk, []))
        correct = {c.pk for c in choices if c.is_correct}
        rows.append(
            {
                "question": question,
                "choices": choices,
                "chosen": chosen,
                # Never in the page's context unless revealed.
                "correct": correct if revealed else set(),
                "right": chosen == correct,
            }
        )
    can_retry = not attempt.passed and quiz_obj.is_published and attempts_left != 0
    return render(
        request,
        "courses/learning/result.html",
        {
            "attempt": attempt,
            "rows": rows,
            "course": enrolment.course,
            "enrolment": enrolment,
            "quiz": version,  # its pk is the quiz's; title and pass mark as answered
            "can_retry": can_retry,
            "revealed": revealed,
            "reveal_policy": quiz_obj.reveal_answers,
        },
    )
