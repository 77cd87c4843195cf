"""ASGI entry point: HTTP through Django, WebSockets through Channels (JWT-authenticated)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancetap.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from accounts.ws_auth import JWTAuthMiddleware  # noqa: E402
from chancetap.observability.logging import WsRequestIdMiddleware  # noqa: E402
from chancetap.observability.metrics import db_pool_sampler_start  # noqa: E402
from chancetap.observability.tracing import asgi_wrap  # noqa: E402
from chancetap.routing import websocket_urlpatterns  # noqa: E402
from chancetap.runtime.gc_tuning import gc_tune  # noqa: E402
from chancetap.security.limits import WsLimitsMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": asgi_wrap(
            AllowedHostsOriginValidator(
                WsRequestIdMiddleware(
                    JWTAuthMiddleware(WsLimitsMiddleware(URLRouter(websocket_urlpatterns)))
                )
            )
        ),
    }
)

# Everything imported so far lives as long as the process: keep it out of the collector's way
# (see chancetap.runtime.gc_tuning for the measured effect on the room sockets).
gc_tune()

# The database pool's gauges (chancetap_db_pool_*) of this web process, kept current for /metrics.
db_pool_sampler_start()
