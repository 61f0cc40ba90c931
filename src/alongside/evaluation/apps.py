from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "alongside.evaluation"
    label = "evaluation"
    verbose_name = "Programmes and evaluations"
