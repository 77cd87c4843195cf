"""Serve the built Mini App (``frontend/web`` → ``frontend/static/frontend``)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_safe

from chancetap.core.framing import miniapp_document

DEV_LOGIN_META = '<meta name="chancetap-dev-login" content="1">'
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?$")


def telegram_origins() -> str:
    """The origins that may frame the app (``CSP_FRAME_ANCESTORS``, Telegram Web's): the only
    parent frames whose messages the Mini App's Telegram bridge accepts (src/telegram.ts)."""
    return " ".join(source for source in settings.CSP_FRAME_ANCESTORS if _ORIGIN.match(source))


@lru_cache(maxsize=4)
def _index_html(path: Path, mtime: float, dev_login: bool, app_link: str, origins: str) -> str:
    html = path.read_text(encoding="utf-8")
    # TON Connect sends the player back here (``twaReturnUrl``) after the wallet app.
    meta = f'<meta name="chancetap-app-link" content="{escape(app_link)}">'
    meta += f'\n    <meta name="chancetap-telegram-origins" content="{escape(origins)}">'
    if dev_login:
        meta += f"\n    {DEV_LOGIN_META}"
    return html.replace("</head>", f"    {meta}\n  </head>", 1)


@miniapp_document
@require_safe  # GET, and HEAD for `curl -I`
def index(request: HttpRequest) -> HttpResponse:
    path = settings.FRONTEND_DIST_DIR / "index.html"
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return JsonResponse(
            {
                "code": "frontend_not_built",
                "message": "The Mini App is not built yet: run 'make frontend'.",
            },
            status=503,
        )
    response = HttpResponse(
        _index_html(
            path,
            mtime,
            settings.DEV_LOGIN_ENABLED,
            f"https://t.me/{settings.TELEGRAM_BOT_USERNAME}/{settings.TELEGRAM_APP_NAME}",
            telegram_origins(),
        ),
        content_type="text/html",
    )
    patch_cache_control(response, private=True, max_age=300)
    patch_vary_headers(response, ["Accept-Language", "Authorization"])
    return response


@require_GET
def tonconnect_manifest(request: HttpRequest) -> JsonResponse:
    """TON Connect's app manifest: wallets show this name and icon when the player links."""
    origin = request.build_absolute_uri("/").rstrip("/")
    response = JsonResponse(
        {
            "url": origin,
            "name": "Chance Tap",
            "iconUrl": f"{origin}{settings.STATIC_URL.rstrip('/')}/frontend/icon.png",
        }
    )
    patch_cache_control(response, max_age=3600, public=True)
    return response
