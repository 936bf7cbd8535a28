"""Re-encrypt every stored mailbox password under the current credentials key.

Run after setting a new ``KV_CREDENTIALS_KEY`` with the previous key in
``KV_CREDENTIALS_OLD_KEYS`` (see ``kundenversteher.intake.mail.crypto``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kundenversteher.intake.mail import services


class Command(BaseCommand):
    help = "Postfach-Passwörter mit dem aktuellen Schlüssel neu verschlüsseln."

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.rotate_credentials()
        self.stdout.write(f"{count} Postfach/Postfächer neu verschlüsselt.")
