from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Learners and training")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from courses.counters import receivers as counter_receivers  # noqa: F401  (connects)
        from courses.learning import receivers  # noqa: F401  (connects the signal receivers)
        from courses.registry.models import AdminUnitLineage, Cadre
        from courses.registry.models.places import lineage_changed, undecided_changed
        from courses.registry.signals import place_changed
        from courses.sessions import receivers as session_receivers  # noqa: F401  (connects)
        from courses.sessions.models import TrainingSession

        post_save.connect(lineage_changed, sender=AdminUnitLineage, dispatch_uid="lineage-save")
        post_delete.connect(lineage_changed, sender=AdminUnitLineage, dispatch_uid="lineage-del")
        for model in (Cadre, TrainingSession):
            name = model.__name__
            post_save.connect(undecided_changed, sender=model, dispatch_uid=f"undecided-{name}")
            post_delete.connect(undecided_changed, sender=model, dispatch_uid=f"undecided-d{name}")
        place_changed.connect(undecided_changed, dispatch_uid="undecided-place")
