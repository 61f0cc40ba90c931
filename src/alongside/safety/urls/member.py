from django.urls import URLPattern

app_name = "safety_member"
urlpatterns: list[URLPattern] = []
