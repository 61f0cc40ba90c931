from django.urls import path

from alongside.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.get_help, name="get_help"),
    path("about/screening/", views.about_screening, name="about_screening"),
    path("healthz", views.healthz, name="healthz"),
]
