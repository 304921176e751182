"""Item analysis of a course's quizzes, for trainers fixing a bad question through review.

For each question of each quiz the course uses (content.selectors.course_quizzes), over each
learner's first submitted attempt at the quiz's published version (later attempts follow
feedback and would blur a question's difficulty; attempts at earlier versions answered
other questions or other keys):

- `p`, the share of those attempts that answered the question correctly (all the correct
  choices and nothing else, as the grader counts it; a question left blank counts as wrong);
- `discrimination`, the upper-lower index: the attempts are ranked by their number of
  correct answers (ties in the order they were made), the top 27 % and the bottom 27 % form
  the upper and lower groups (at least one attempt each), and the index is the share correct
  in the upper group minus the share in the lower group (from -1 to 1; a good question is
  answered better by those who do well overall). It is not computed below
  MIN_ATTEMPTS_FOR_DISCRIMINATION attempts, where the groups are too small to mean anything.

A question is flagged `hard` when fewer than HARD_BELOW of the learners answer it correctly,
and `low_discrimination` when its index is below LOW_DISCRIMINATION_BELOW.

The attempts are read in two queries whatever their number (the attempts, then their
answers), each row once; the quizzes' questions and keys in three more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, QuerySet

from content.models import CoursePage, Quiz
from content.selectors import course_quizzes
from courses.learning.models import QuizAnswer, QuizAttempt
from courses.registry.models import Cadre

GROUP_SHARE = 0.27
HARD_BELOW = 0.40
LOW_DISCRIMINATION_BELOW = 0.20
MIN_ATTEMPTS_FOR_DISCRIMINATION = 10


@dataclass
class ItemStats:
    number: int
    question_id: int
    text: str
    attempts: int = 0
    correct: int = 0
    discrimination: float | None = None

    @property
    def p(self) -> float | None:
        return self.correct / self.attempts if self.attempts else None

    @property
    def hard(self) -> bool:
        return self.p is not None and self.p < HARD_BELOW

    @property
    def low_discrimination(self) -> bool:
        return self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION_BELOW


@dataclass
class QuizAnalysis:
    quiz: Quiz
    attempts: int = 0
    items: list[ItemStats] = field(default_factory=list)


def item_analysis(
    *, course: CoursePage, cadres: QuerySet[Cadre] | None = None
) -> list[QuizAnalysis]:
    """Item analysis of every published quiz `course` uses, over the attempts of its
    learners (only those in `cadres`, the caller's scope, when given)."""
    quiz_ids = course_quizzes(course=course).ids()
    quizzes = list(
        Quiz.objects.filter(pk__in=quiz_ids, live=True, live_revision__isnull=False)
        .prefetch_related("questions__choices")
        .order_by("pk")
    )
    keys: dict[int, dict[int, frozenset[int]]] = {}
    result: dict[int, QuizAnalysis] = {}
    for quiz in quizzes:
        questions = list(quiz.questions.all())
        keys[quiz.pk] = {
            q.pk: frozenset(c.pk for c in q.choices.all() if c.is_correct) for q in questions
        }
        result[quiz.pk] = QuizAnalysis(
            quiz=quiz,
            items=[
                ItemStats(number=n, question_id=q.pk, text=q.text)
                for n, q in enumerate(questions, start=1)
            ],
        )
    if not quizzes:
        return []
    attempts = QuizAttempt.objects.filter(
        enrolment__course=course,
        quiz_id__in=list(keys),
        submitted_at__isnull=False,
        quiz_revision_id=F("quiz__live_revision_id"),
    )
    if cadres is not None:
        attempts = attempts.filter(enrolment__cadre__in=cadres.values("pk"))
    # Query 1: each learner's first attempt at each quiz (the rows come in attempt order).
    first: dict[tuple[int, int], tuple[int, int]] = {}
    for pk, quiz_id, enrolment_id, right in attempts.order_by(
        "quiz_id", "enrolment_id", "number"
    ).values_list("pk", "quiz_id", "enrolment_id", "correct_count"):
        first.setdefault((quiz_id, enrolment_id), (pk, right or 0))
    kept = {pk: (quiz_id, right) for (quiz_id, _e), (pk, right) in first.items()}
    # Query 2: their answers; an answer is right when it is exactly the correct set.
    right_answers: dict[int, set[int]] = {pk: set() for pk in kept}
    for attempt_id, question_id, choice_ids in (
        QuizAnswer.objects.filter(attempt__in=attempts)
        .values_list("attempt_id", "question_id", "choice_ids")
        .iterator(chunk_size=5000)
    ):
        if attempt_id not in kept:
            continue
        quiz_id = kept[attempt_id][0]
        if frozenset(choice_ids or []) == keys[quiz_id].get(question_id):
            right_answers[attempt_id].add(question_id)
    by_quiz: dict[int, list[tuple[int, int]]] = {}
    for pk, (quiz_id, right) in kept.items():
        by_quiz.setdefault(quiz_id, []).append((right, pk))
    for quiz_id, ranked in by_quiz.items():
        analysis = result[quiz_id]
        ranked.sort()
        analysis.attempts = len(ranked)
        size = max(1, round(GROUP_SHARE * len(ranked)))
        lower, upper = [pk for _r, pk in ranked[:size]], [pk for _r, pk in ranked[-size:]]
        for item in analysis.items:
            item.attempts = len(ranked)
            item.correct = sum(1 for _r, pk in ranked if item.question_id in right_answers[pk])
            if len(ranked) >= MIN_ATTEMPTS_FOR_DISCRIMINATION:
                high = sum(1 for pk in upper if item.question_id in right_answers[pk])
                low = sum(1 for pk in lower if item.question_id in right_answers[pk])
                item.discrimination = (high - low) / size
    return [result[quiz.pk] for quiz in quizzes]
