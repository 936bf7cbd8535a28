"""ASGI entry point: HTTP (Django) and websockets (Channels) in one process.

Websockets authenticate with the session cookie (``AuthMiddlewareStack``) and accept only
connections whose ``Origin`` is one of ``ALLOWED_HOSTS`` (``AllowedHostsOriginValidator``): a
foreign page cannot open a socket with the agent's cookie (cross-site websocket hijacking).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundenversteher.settings")
# Set up Django (app registry) before anything imports models.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from kundenversteher.workspace.consumers import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
