from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class KnowledgeAnswersConfig(AppConfig):
    name = "kundenversteher.knowledge.answers"
    label = "knowledge_answers"
    verbose_name = pgettext_lazy("App-Name", "Antwortvorlagen")
