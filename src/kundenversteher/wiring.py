"""Composition root: which task reacts to which event, which jobs run periodically, which apps
provide privacy export/erasure.

Lower apps never name higher ones; they record events and this module says who reacts.
"""

from __future__ import annotations

from kundenversteher.api import services as api_services
from kundenversteher.api.tasks import deliver_event_to_webhooks
from kundenversteher.cases.privacy import CasesPrivacyProvider
from kundenversteher.customers.privacy import CustomersPrivacyProvider
from kundenversteher.events.services import Guarded, Reaction, register_reactions
from kundenversteher.intake.mail import queries as mail_queries
from kundenversteher.intake.mail import tasks as mail_tasks
from kundenversteher.intake.mail.privacy import MailPrivacyProvider
from kundenversteher.intake.privacy import IntakePrivacyProvider
from kundenversteher.knowledge.automation import queries as automation_queries
from kundenversteher.knowledge.automation import tasks as automation_tasks
from kundenversteher.knowledge.automation.privacy import AutomationPrivacyProvider
from kundenversteher.lib.periodic import PeriodicSpec
from kundenversteher.privacy.registry import register_provider

REACTIONS: dict[str, list[Reaction]] = {
    # Any event may interest a webhook subscriber; enqueued only when one subscribes.
    "*": [Guarded(deliver_event_to_webhooks, wanted=api_services.has_subscriber)],
    # An agent's reply on an e-mail case goes out through the case's mailbox (SMTP queue).
    "case.message_added": [
        Guarded(mail_tasks.send_case_reply, wanted=mail_queries.any_sending_mailbox)
    ],
    # A new e-mail case is acknowledged with its number where the mailbox asks for it.
    # (Not when the automatic answer itself goes out: send_acknowledgement checks the event.)
    # A reply to an automatic answer is reviewed: "did not help" escalates to a person.
    "intake.processed": [
        Guarded(mail_tasks.send_acknowledgement, wanted=mail_queries.any_acknowledging_mailbox),
        Guarded(
            automation_tasks.review_reply_on_processed,
            wanted=automation_queries.any_automatic_answer,
        ),
    ],
    # A decision to answer automatically is carried out (live mode only; shadow records only).
    "automation.decided": [
        Guarded(automation_tasks.auto_answer_on_decided, wanted=automation_queries.automation_live)
    ],
}

PERIODIC_JOBS: list[PeriodicSpec] = [
    PeriodicSpec("cases.check_sla", "kundenversteher.cases.tasks.check_sla", 60),
    PeriodicSpec(
        "intake.requeue_stale", "kundenversteher.intake.tasks.requeue_stale_inbound_task", 300
    ),
    PeriodicSpec(
        "intake.scan_drop_folder", "kundenversteher.intake.letters.scan_drop_folder_task", 30
    ),
    PeriodicSpec(
        "intake_mail.poll_mailboxes", "kundenversteher.intake.mail.tasks.poll_mailboxes", 60
    ),
    PeriodicSpec(
        "intake_mail.send_due_outbound", "kundenversteher.intake.mail.tasks.send_due_outbound", 60
    ),
    PeriodicSpec(
        "knowledge.reindex_stale", "kundenversteher.knowledge.tasks.reindex_stale_articles", 3600
    ),
    PeriodicSpec(
        "knowledge_automation.compute_daily_stats",
        "kundenversteher.knowledge.automation.tasks.compute_daily_stats",
        3600,
    ),
    PeriodicSpec(
        "lib.recover_stale_tasks", "kundenversteher.lib.tasks.recover_stale_tasks_task", 300
    ),
]


def install() -> None:
    register_reactions(REACTIONS)
    register_provider("customers", CustomersPrivacyProvider())
    register_provider("cases", CasesPrivacyProvider())
    register_provider("intake", IntakePrivacyProvider())
    register_provider("intake_mail", MailPrivacyProvider())
    register_provider("knowledge_automation", AutomationPrivacyProvider())
