"""Knowledge base, answer templates with live CRM data, the automatic-answer decision and reply
suggestions (layer 3: above cases and customers, below intake).

Three Django apps share this layer so their migrations stay independent:
``knowledge`` (articles, retrieval, help centre queries), ``knowledge.answers`` (label
``knowledge_answers``: answer templates and their slots) and ``knowledge.automation`` (label
``knowledge_automation``: ``decide()``, automation settings, decisions, metrics).
"""
