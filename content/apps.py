from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Curriculum and stories")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db import models
        from django.db.models.signals import post_delete, post_save
        from wagtail.admin.forms.models import register_form_field_override
        from wagtail.permissions import register_permission_policy
        from wagtail.signals import published

        from content import caching
        from content.models import Quiz, QuizChoice, QuizQuestion
        from content.permissions import QuizPermissionPolicy
        from content.revisions import quiz_revision_keep_ids
        from content.slugs import VietnameseSlugInput

        register_permission_policy(Quiz, QuizPermissionPolicy(Quiz))
        for model in (Quiz, QuizQuestion, QuizChoice):
            name = model._meta.model_name
            post_save.connect(caching.quizzes_changed, sender=model, dispatch_uid=f"{name}_saved")
            post_delete.connect(caching.quizzes_changed, sender=model, dispatch_uid=f"{name}_gone")

        published.connect(quiz_revision_keep_ids, sender=Quiz, dispatch_uid="quiz_revision_ids")
        # Every slug field of the admin (pages' "slug" included) folds Vietnamese to ASCII.
        register_form_field_override(models.SlugField, override={"widget": VietnameseSlugInput})
