from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "alongside.measures"
    label = "measures"
    verbose_name = "Outcome measures"
