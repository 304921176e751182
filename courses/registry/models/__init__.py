"""The registry's tables: administrative units in both structures, cadres, import jobs."""

from .cadres import Cadre, Ethnicity, Level, Sex, TargetGroup
from .imports import ImportJob, ImportKind, ImportStatus
from .units import AdminUnit, AdminUnitLineage, UnitLevel, UnitStructure

__all__ = [
    "AdminUnit",
    "AdminUnitLineage",
    "Cadre",
    "Ethnicity",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "Level",
    "Sex",
    "TargetGroup",
    "UnitLevel",
    "UnitStructure",
]
