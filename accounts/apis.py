from __future__ import annotations

import secrets
import time
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseRedirect

from accounts.initdata import make_init_data
from chancetap.core.framing import miniapp_document

DEMO_USER = {
    "id": 100000001,
    "first_name": "Demo",
    "last_name": "Player",
    "username": "demo_player",
    "language_code": "en",
    "allows_write_to_pm": True,
}


@miniapp_document
def dev_login_view(request: HttpRequest) -> HttpResponseRedirect:
    """Debug builds only: mint initData for a demo user and open the Mini App with it.

    ``?tg_id=`` picks another demo user (for trying multiplayer in two browser windows) and
    ``?lang=ru`` the Russian interface.
    """
    if not settings.DEV_LOGIN_ENABLED:
        raise Http404
    user = dict(DEMO_USER)
    tg_id = request.GET.get("tg_id", "")
    if tg_id.isdigit() and 0 < int(tg_id) < 2**52:
        user["id"] = int(tg_id)
        user["first_name"] = f"Demo {tg_id[-4:]}"
        user["username"] = f"demo_{tg_id}"
    if request.GET.get("lang") in ("ru", "en"):
        user["language_code"] = request.GET["lang"]
    init_data = make_init_data(
        bot_token=settings.TELEGRAM_BOT_TOKEN,
        user=user,
        auth_date=int(time.time()),
        extra={"query_id": "DEV" + secrets.token_hex(8)},
    )
    theme = '{"bg_color":"#ffffff","text_color":"#000000","button_color":"#2481cc"}'
    fragment = (
        f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0"
        f"&tgWebAppPlatform=web&tgWebAppThemeParams={quote(theme, safe='')}"
    )
    return HttpResponseRedirect("/#" + fragment)
