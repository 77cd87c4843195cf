from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chancetap.core"
    label = "core"
    verbose_name = "Chance Tap core"

    def ready(self) -> None:
        from chancetap.core import rls

        rls.signals_connect()

        from chancetap.core.tracing import observability_init

        observability_init()
