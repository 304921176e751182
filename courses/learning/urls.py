from django.urls import path

from courses.learning import offline, views

app_name = "learning"

urlpatterns = [
    path("", views.my_courses, name="my_courses"),
    path("profile/", views.profile, name="profile"),
    path("profile/data.json", views.my_data_json, name="my_data_json"),
    path("profile/data.xlsx", views.my_data_xlsx, name="my_data_xlsx"),
    path("profile/consent/withdraw/", views.consent_withdraw_view, name="consent_withdraw"),
    path("profile/consent/give/", views.consent_give_view, name="consent_give"),
    path("profile/requests/", views.data_request_view, name="data_request"),
    path("courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path("lessons/<int:lesson_id>/done/", views.lesson_done, name="lesson_done"),
    path("courses/<int:course_id>/quiz/<int:quiz_id>/", views.quiz, name="quiz"),
    path(
        "courses/<int:course_id>/quiz/<int:quiz_id>/answer/", views.quiz_answer, name="quiz_answer"
    ),
    path(
        "courses/<int:course_id>/quiz/<int:quiz_id>/submit/", views.quiz_submit, name="quiz_submit"
    ),
    path("attempts/<int:attempt_id>/", views.attempt_result, name="attempt"),
    path("attempts/<int:attempt_id>/answer/", views.attempt_answer, name="attempt_answer"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="attempt_submit"),
    path("offline/courses/<int:course_id>/", offline.course_package, name="offline_course"),
    path("offline/sync/", offline.sync, name="offline_sync"),
]
