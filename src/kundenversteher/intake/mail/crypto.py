"""Mailbox passwords encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, from ``cryptography``).

Key: ``KV_CREDENTIALS_KEY`` if set (any secret string; a dedicated key lets the operator rotate
``KV_SECRET_KEY`` without touching stored passwords), else derived from ``SECRET_KEY``. Either
way the Fernet key is HKDF-SHA256 of the secret with a fixed purpose label, so the raw secret is
never used for two purposes.

Rotation: set the new secret as ``KV_CREDENTIALS_KEY`` and list the previous one(s) in
``KV_CREDENTIALS_OLD_KEYS`` (comma-separated; when the old key was derived from ``SECRET_KEY``,
put that old ``SECRET_KEY`` there). Decryption tries the new key first, then the old ones
(``MultiFernet``). Then run ``kundenversteher kv_mail_rotate_credentials`` — it re-encrypts every
stored password under the new key — and remove the old keys from the environment.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PURPOSE = b"kundenversteher mailbox credentials v1"


class CredentialError(Exception):
    """A stored credential cannot be decrypted with any configured key."""


def _fernet_for(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _configured_secrets() -> tuple[str, list[str]]:
    current = str(getattr(settings, "KV_CREDENTIALS_KEY", "") or settings.SECRET_KEY)
    old: Sequence[str] | str = getattr(settings, "KV_CREDENTIALS_OLD_KEYS", ())
    if isinstance(old, str):
        old = [part for part in old.split(",") if part.strip()]
    return current, [s.strip() for s in old if s.strip()]


def _multi() -> MultiFernet:
    current, old = _configured_secrets()
    return MultiFernet([_fernet_for(current), *(_fernet_for(s) for s in old)])


def encrypt(plaintext: str) -> str:
    """Encrypt under the current key. An empty password stays empty (no credential)."""
    if not plaintext:
        return ""
    return _multi().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _multi().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise CredentialError(
            "Mailbox credential cannot be decrypted: KV_CREDENTIALS_KEY or SECRET_KEY changed "
            "without listing the old key in KV_CREDENTIALS_OLD_KEYS."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the current key (it may have been made with an old one)."""
    if not token:
        return ""
    try:
        return _multi().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise CredentialError("Mailbox credential cannot be decrypted with any key.") from exc
