from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chancetap.core"
    label = "core"
    verbose_name = "Chance Tap core"
