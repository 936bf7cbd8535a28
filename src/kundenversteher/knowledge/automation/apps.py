from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class KnowledgeAutomationConfig(AppConfig):
    name = "kundenversteher.knowledge.automation"
    label = "knowledge_automation"
    verbose_name = pgettext_lazy("App-Name", "Automatische Antworten")
