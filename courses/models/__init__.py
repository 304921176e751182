"""The registry (administrative units, cadres), learning, sessions and counters."""

from .cadres import Cadre, Ethnicity, Level, Sex, TargetGroup
from .counters import (
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
from .imports import ImportJob, ImportKind, ImportStatus
from .learning import CompletionPath, Enrolment, LessonProgress, QuizAnswer, QuizAttempt
from .sessions import Attendance, SessionKind, SessionStatus, TrainingSession
from .units import AdminUnit, AdminUnitLineage, UnitLevel, UnitStructure

__all__ = [
    "Achievement",
    "AdminUnit",
    "AdminUnitLineage",
    "Attendance",
    "Cadre",
    "CompletionPath",
    "IndicatorUnit",
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
