"""Public (signed-in) pages of the registry: finding an administrative unit by name."""

from django.urls import path

from courses.registry import views

app_name = "places"

urlpatterns = [
    path("units/", views.unit_search_json, name="units"),
]
