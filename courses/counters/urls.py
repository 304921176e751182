"""/api/counters/ and /api/knowledge-gain/ (the programme figures as JSON) and /api/dhis2/ (the
same figures as DHIS2 dataValueSets JSON and ADX XML), scoped like the dashboard.

Session or personal token (`Authorization: Bearer <token>`, lms/api_tokens.py); a token acts
as its user and is accepted on this API only, never on HTML pages or the admin.
"""

from django.urls import path

from courses.counters import dhis2_views, views

urlpatterns = [
    path("counters/", views.api, name="counters_api"),
    path("knowledge-gain/", views.gain_api, name="knowledge_gain_api"),
    path("dhis2/dataValueSets", dhis2_views.api_data_value_sets, name="dhis2_data_value_sets"),
    path("dhis2/adx", dhis2_views.api_adx, name="dhis2_adx"),
]
