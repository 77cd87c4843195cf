from __future__ import annotations

from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "chancetap.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
