from django.urls import path

from courses.views import learning

app_name = "learning"

urlpatterns = [
    path("", learning.my_courses, name="my_courses"),
    path("profile/", learning.profile, name="profile"),
    path("courses/<int:course_id>/enrol/", learning.enrol, name="enrol"),
    path("lessons/<int:lesson_id>/done/", learning.lesson_done, name="lesson_done"),
    path("courses/<int:course_id>/quiz/<int:quiz_id>/", learning.quiz, name="quiz"),
    path("attempts/<int:attempt_id>/", learning.attempt_result, name="attempt"),
    path("attempts/<int:attempt_id>/answer/", learning.attempt_answer, name="attempt_answer"),
    path("attempts/<int:attempt_id>/submit/", learning.attempt_submit, name="attempt_submit"),
]
