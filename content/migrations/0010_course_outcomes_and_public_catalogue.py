"""Courses get their learning outcomes; the catalogue becomes public.

The login restriction that each catalogue was given on creation is removed: visitors read
courses and modules, and lessons ask for the login themselves.
"""

from django.db import migrations, models


def open_the_catalogues(apps, schema_editor):
    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    CourseIndexPage = apps.get_model("content", "CourseIndexPage")
    PageViewRestriction.objects.filter(
        page_id__in=CourseIndexPage.objects.values("pk"), restriction_type="login"
    ).delete()


def close_the_catalogues(apps, schema_editor):
    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    CourseIndexPage = apps.get_model("content", "CourseIndexPage")
    for page_id in CourseIndexPage.objects.values_list("pk", flat=True):
        PageViewRestriction.objects.get_or_create(page_id=page_id, restriction_type="login")


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0009_coursepage_pre_test"),
        ("wagtailcore", "0094_alter_page_locale"),
    ]

    operations = [
        migrations.AddField(
            model_name="coursepage",
            name="outcomes",
            field=models.TextField(
                blank=True,
                help_text="What a learner can do after the course. One outcome per line.",
                verbose_name="learning outcomes",
            ),
        ),
        migrations.RunPython(open_the_catalogues, close_the_catalogues),
    ]
