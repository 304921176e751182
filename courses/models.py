"""Django's face of the `courses` app: every model of its four features, so that the app
registry finds them. Code inside the app imports each feature's own `models` module."""

from courses.counters.models import (
    Achievement,
    CounterCell,
    CounterMonthTotal,
    CounterNationalMonth,
    CounterRollup,
    CounterYearRollup,
    Indicator,
    IndicatorTarget,
    IndicatorUnit,
)
from courses.learning.models import (
    CompletionPath,
    Enrolment,
    LessonProgress,
    QuizAnswer,
    QuizAttempt,
)
from courses.registry.models import (
    AdminUnit,
    AdminUnitLineage,
    Cadre,
    Ethnicity,
    ImportJob,
    ImportKind,
    ImportStatus,
    Level,
    Sex,
    TargetGroup,
    UnitLevel,
    UnitStructure,
)
from courses.sessions.models import Attendance, SessionKind, SessionStatus, TrainingSession

__all__ = [
    "Achievement",
    "AdminUnit",
    "AdminUnitLineage",
    "Attendance",
    "Cadre",
    "CompletionPath",
    "CounterCell",
    "CounterMonthTotal",
    "CounterNationalMonth",
    "CounterRollup",
    "CounterYearRollup",
    "Enrolment",
    "Ethnicity",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "Indicator",
    "IndicatorTarget",
    "IndicatorUnit",
    "LessonProgress",
    "Level",
    "QuizAnswer",
    "QuizAttempt",
    "SessionKind",
    "SessionStatus",
    "Sex",
    "TargetGroup",
    "TrainingSession",
    "UnitLevel",
    "UnitStructure",
]
