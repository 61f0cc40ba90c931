from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "alongside.measures"
    label = "measures"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        from django.core.checks import register

        from alongside.measures.checks import responder_check

        register(responder_check)
