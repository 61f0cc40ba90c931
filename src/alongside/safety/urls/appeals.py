from django.urls import URLPattern

app_name = "safety_appeals"
urlpatterns: list[URLPattern] = []
