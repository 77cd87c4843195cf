"""The Mini App's document: Telegram Web frames it from another origin (docs/operations.md)."""

from __future__ import annotations

from collections.abc import Callable

from csp.decorators import csp
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.clickjacking import xframe_options_exempt

View = Callable[[HttpRequest], HttpResponseBase]


def miniapp_document(view: View) -> View:
    """The app's policy (``CSP_APP_DIRECTIVES``, framed by ``CSP_FRAME_ANCESTORS``) instead of the
    default one, and no X-Frame-Options: that header cannot name another origin, so with it
    Telegram Web would show a blank frame."""
    return csp(settings.CSP_APP_DIRECTIVES)(xframe_options_exempt(view))
