"""/api/counters/ and /api/knowledge-gain/: the programme figures as JSON, scoped like the
dashboard.

Session or personal token (`Authorization: Bearer <token>`, lms/api_tokens.py); a token acts
as its user and is accepted on this API only, never on HTML pages or the admin.
"""

from django.urls import path

from courses.counters import views

urlpatterns = [
    path("counters/", views.api, name="counters_api"),
    path("knowledge-gain/", views.gain_api, name="knowledge_gain_api"),
]
