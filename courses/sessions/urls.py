"""The trainer's session pages; included under /trainer/ by lms/urls.py."""

from django.urls import path

from courses.sessions import views

app_name = "training_sessions"

urlpatterns = [
    path("sessions/", views.session_list, name="list"),
    path("sessions/<int:pk>/", views.session_detail, name="detail"),
    path("sessions/<int:pk>/add/", views.session_participant_add, name="add"),
    path("sessions/<int:pk>/new-person/", views.session_new_cadre, name="new_cadre"),
    path("sessions/<int:pk>/held/", views.session_mark_held, name="held"),
    path("sessions/<int:pk>/sign-off/", views.session_sign_off_view, name="sign_off"),
    path("sessions/<int:pk>/sign-in-sheet.pdf", views.session_signin_sheet, name="signin_sheet"),
]
