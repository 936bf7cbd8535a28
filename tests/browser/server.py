"""ASGI application for the browser-test server (``daphne tests.browser.server:application``).

The project's ASGI application, wrapped so that static files come from the app folders
(finders) instead of a collected ``STATIC_ROOT``: the tests need no ``collectstatic`` step.
Websocket traffic passes straight through to the project's router.
"""

from __future__ import annotations

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from kundenversteher.asgi import application as project_application

application = ASGIStaticFilesHandler(project_application)
