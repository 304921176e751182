from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Learners and training")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from courses.learning import receivers  # noqa: F401  (connects the signal receivers)
