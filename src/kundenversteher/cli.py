"""The ``kundenversteher`` command: a thin wrapper around Django management commands.

kundenversteher serve      web server (ASGI, HTTP + websockets)
kundenversteher worker     background worker (tasks + periodic jobs)
kundenversteher demo       load the demo company (--size small|large)
kundenversteher createadmin
kundenversteher train / evaluate   intelligence models
kundenversteher <any Django management command>
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "serve": "kv_serve",
    "worker": "kv_worker",
    "demo": "kv_demo",
    "createadmin": "kv_createadmin",
    "train": "kv_train",
    "evaluate": "kv_evaluate",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundenversteher.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] in ALIASES:
        args[1] = ALIASES[args[1]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
