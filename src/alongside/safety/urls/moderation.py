from django.urls import URLPattern

app_name = "safety_moderation"
urlpatterns: list[URLPattern] = []
