"""Install the shipped DE/EN answer templates (see ``defaults.py``); existing rows are kept."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from kundenversteher.knowledge.answers.defaults import DEFAULT_TEMPLATES


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    template_model = apps.get_model("knowledge_answers", "AnswerTemplate")
    for row in DEFAULT_TEMPLATES:
        template_model.objects.get_or_create(
            intent=row.intent,
            variant=row.variant,
            language=row.language,
            defaults={"subject": row.subject, "body": row.body, "active": True},
        )


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    template_model = apps.get_model("knowledge_answers", "AnswerTemplate")
    for row in DEFAULT_TEMPLATES:
        template_model.objects.filter(
            intent=row.intent, variant=row.variant, language=row.language, version=1
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge_answers", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
