"""The registry's tables: administrative units in both structures, cadres, import jobs."""

from .cadres import CONSENT_NOTICE_VERSION, Cadre, ConsentMethod, Ethnicity, Level, Sex, TargetGroup
from .imports import ImportJob, ImportKind, ImportStatus
from .privacy import (
    ConsentAction,
    ConsentRecord,
    PersonalDataRequest,
    PrivacyNotice,
    RequestKind,
    RequestStatus,
)
from .units import AdminUnit, AdminUnitLineage, UnitLevel, UnitStructure

__all__ = [
    "CONSENT_NOTICE_VERSION",
    "AdminUnit",
    "AdminUnitLineage",
    "Cadre",
    "ConsentAction",
    "ConsentMethod",
    "ConsentRecord",
    "PersonalDataRequest",
    "PrivacyNotice",
    "RequestKind",
    "RequestStatus",
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
