"""Drop lms.ApiToken: the counters API takes Wagtail's own tokens (wagtailcore.APIToken).

Nothing to carry over: the table was created the same day, before any release. Its content
type and permissions go too, so the group editor does not offer a second "API token".
"""

from django.db import migrations


def delete_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Permissions (and anything else keyed on the content type) follow by cascade.
    ContentType.objects.filter(app_label="lms", model="apitoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0003_api_token"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.DeleteModel(name="ApiToken"),
        migrations.RunPython(delete_content_type, migrations.RunPython.noop),
    ]
