from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Curriculum and stories")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db import models
        from wagtail.admin.forms.models import register_form_field_override

        from content.slugs import VietnameseSlugInput

        # Every slug field of the admin (pages' "slug" included) folds Vietnamese to ASCII.
        register_form_field_override(models.SlugField, override={"widget": VietnameseSlugInput})
