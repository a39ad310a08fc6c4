from django.contrib.auth import views as auth_views
from django.urls import path

from kartoteka.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/language/", views.set_language, name="set_language"),
    path("profile/tokens/", views.create_token, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.revoke_token, name="token_revoke"),
]
