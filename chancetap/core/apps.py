from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chancetap.core"
    label = "core"
    verbose_name = "Chance Tap core"

    def ready(self) -> None:
        from chancetap import rls

        rls.signals_connect()

        from chancetap.observability.tracing import observability_init

        observability_init()
