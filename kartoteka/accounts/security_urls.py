"""Admin settings for logging in, mounted at /settings/security/ next to the other settings pages."""

from django.urls import path

from kartoteka.accounts import views

app_name = "security"

urlpatterns = [
    path("", views.security_policy, name="policy"),
]
