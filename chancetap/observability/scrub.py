"""Scrub credentials out of text that leaves the process: log lines, Sentry events, span attributes.

A token or initData in a URL ends up in logs (STYLE.md, dangerous constructs). The sockets refuse
it (``accounts.ws_auth``); this is the second line: wherever a URL, query string or header dump is
written out, the values of ``token``, ``access_token``, ``init_data``, ``initData``,
``tgWebAppData``, ``hash`` and ``signature`` and of an ``Authorization`` header become
``[scrubbed]``.

Applied by ``chancetap.observability.logging.JsonFormatter`` (every JSON log line, uvicorn's
access and error logs included — see ``LOGGING`` in settings), by Sentry's ``before_send`` and by
the OpenTelemetry Django request hook (``chancetap.observability.tracing``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

SCRUBBED = "[scrubbed]"
SECRET_PARAMS = (
    "token",
    "access_token",
    "init_data",
    "initData",
    "tgWebAppData",
    "hash",
    "signature",
)
SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "x-telegram-bot-api-secret-token"}
)

_NAMES = "(?:" + "|".join(SECRET_PARAMS) + ")"
# The name must start a parameter (not continue a longer one: bot_token=, my_hash=); "%26" / "%3F"
# before it are an encoded "&" / "?" (a URL inside another URL's query).
_START = r"(?:(?<![A-Za-z0-9_.%-])|(?<=%26)|(?<=%3F))"
# name=value in a URL or query string: the value runs to the next "&" (a urlencoded initData
# value, "%26" included, goes whole).
_PARAM = re.compile(_START + "(" + _NAMES + r"=)[^&\s\"'\\#;,<>]*", re.IGNORECASE)
# name%3Dvalue: the same inside an encoded URL, where the value runs to the next "%26".
_PARAM_ENCODED = re.compile(
    _START + "(" + _NAMES + r"%3D)(?:(?!%26)[^&\s\"'\\#;,<>])*", re.IGNORECASE
)
# An Authorization header in any dump: "Authorization: Bearer x", 'HTTP_AUTHORIZATION': 'tma x',
# {"authorization": "Bearer x"}: the rest of the line, quoted value or up to a ";" goes.
_AUTHORIZATION = re.compile(
    r"((?<![A-Za-z])authorization(?:\\?[\"'])?\s*[:=]\s*(?:\\?[\"'])?)[^\r\n\"'\\;]+",
    re.IGNORECASE,
)


def scrub(text: str) -> str:
    """``text`` with credential values in URLs, query strings and Authorization headers hidden."""
    text = _PARAM.sub(lambda m: m.group(1) + SCRUBBED, text)
    text = _PARAM_ENCODED.sub(lambda m: m.group(1) + SCRUBBED, text)
    return _AUTHORIZATION.sub(lambda m: m.group(1) + SCRUBBED, text)


def scrub_deep(value: Any) -> Any:
    """Strings scrubbed anywhere inside dicts, lists and tuples; values under a secret header
    name (``Authorization``, ``Cookie``, ...) replaced outright. Other objects are left as they are.
    """
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {
            key: (
                SCRUBBED
                if isinstance(key, str) and key.lower().replace("_", "-") in SECRET_HEADERS
                else scrub_deep(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrub_deep(item) for item in value]
    if isinstance(value, tuple):
        return tuple(scrub_deep(item) for item in value)
    return value


def sentry_before_send(event: Event, hint: Hint) -> Event:
    """Sentry ``before_send`` (and ``before_send_transaction``): no credential leaves in an event.

    The request's URL, query string and headers, cookies, breadcrumbs (their URLs and messages),
    messages, exception values and extras are all scrubbed.
    """
    scrubbed: dict[str, Any] = scrub_deep(cast("dict[str, Any]", event))
    request = scrubbed.get("request")
    if isinstance(request, dict):
        if request.get("cookies"):
            request["cookies"] = SCRUBBED
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in headers:
                if name.lower() in SECRET_HEADERS:
                    headers[name] = SCRUBBED
    return cast("Event", scrubbed)
