from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.apis import dev_login_view
from botapp.webhook_entry import telegram_webhook
from chancetap.observability.health import healthz, readyz
from chancetap.observability.metrics_view import metrics_view
from chancetap.observability.telemetry import WsReconnectApi

api_v1: list[URLPattern | URLResolver] = [
    path("", include("chancetap.profile.urls")),
    path("", include("payments.urls")),
    path("", include("leaderboards.urls")),
    path("", include("referrals.urls")),
    path("", include("rooms.urls")),
    path("telemetry/ws-reconnect", WsReconnectApi.as_view(), name="telemetry-ws-reconnect"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("dev/login", dev_login_view, name="dev-login"),
    path("telegram/webhook", telegram_webhook, name="telegram-webhook"),
    path("admin/backoffice/", include("chancetap.backoffice.urls")),
    path("admin/", admin.site.urls),
    path("", include("frontend.urls")),
]

handler400 = "chancetap.core.exceptions.handler400"
handler403 = "chancetap.core.exceptions.handler403"
handler404 = "chancetap.core.exceptions.handler404"
handler500 = "chancetap.core.exceptions.handler500"
