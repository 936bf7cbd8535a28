"""``kundenversteher createadmin``: create (or reset) an administrator non-interactively.

The password comes from ``--password`` or the ``KV_ADMIN_PASSWORD`` environment variable, never
from a default.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Administrator anlegen oder Passwort zurücksetzen."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or os.environ.get("KV_ADMIN_PASSWORD")
        if not password:
            raise CommandError("Passwort fehlt: --password oder KV_ADMIN_PASSWORD setzen.")
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=options["username"], defaults={"email": options["email"]}
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        verb = "angelegt" if created else "aktualisiert"
        self.stdout.write(self.style.SUCCESS(f"Administrator {user.get_username()} {verb}."))
