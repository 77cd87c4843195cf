"""URLs for the Sentry test process: the project's plus one view that fails."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from chancetap.urls import urlpatterns as project_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("sentry check: the view failed")


urlpatterns = [path("ops-test/boom", boom), *project_urlpatterns]
