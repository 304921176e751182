"""/api/counters/: the programme figures as JSON (session auth, scoped like the dashboard)."""

from django.urls import path

from courses.views import counters as views

urlpatterns = [path("counters/", views.api, name="counters_api")]
