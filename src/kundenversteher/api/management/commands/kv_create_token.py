"""kundenversteher kv_create_token --user U --scopes cases:read,events:read [--name N] [--days D]

Prints the secret on the last line; it is shown only this once (only its hash is stored).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kundenversteher.api.errors import InvalidScopeError
from kundenversteher.api.models import Scope
from kundenversteher.api.services import create_token


class Command(BaseCommand):
    help = "Legt ein API-Token an und zeigt das Geheimnis einmalig an."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Benutzername des Token-Inhabers")
        parser.add_argument(
            "--scopes",
            required=True,
            help="Kommagetrennt, z. B. cases:read,events:read. Möglich: " + ", ".join(Scope.values),
        )
        parser.add_argument("--name", default="API-Token", help="Bezeichnung")
        parser.add_argument(
            "--days", type=int, default=None, help="gültig für N Tage (sonst unbegrenzt)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["user"]})
        except user_model.DoesNotExist as exc:
            raise CommandError(f"Benutzer {options['user']!r} gibt es nicht.") from exc
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        expires_at = timezone.now() + timedelta(days=options["days"]) if options["days"] else None
        try:
            token, secret = create_token(
                user=user, name=options["name"], scopes=scopes, expires_at=expires_at
            )
        except InvalidScopeError as exc:
            raise CommandError(f"Unbekannte Berechtigung(en): {', '.join(exc.scopes)}") from exc
        scope_list = ", ".join(token.scopes)
        self.stdout.write(f"Token {token.prefix}… für {user} angelegt ({scope_list}).")
        self.stdout.write("Geheimnis (wird nur jetzt angezeigt):")
        self.stdout.write(secret)
