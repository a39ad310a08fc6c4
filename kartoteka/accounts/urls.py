from django.contrib.auth import views as auth_views
from django.urls import path

from kartoteka.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.two_factor_verify, name="two_factor_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/language/", views.set_language, name="set_language"),
    path("profile/tokens/", views.create_token, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.revoke_token, name="token_revoke"),
    path("profile/two-factor/", views.two_factor_settings, name="two_factor"),
    path("profile/two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("profile/two-factor/recovery-codes/", views.regenerate_recovery_codes, name="two_factor_recovery_codes"),
    path("profile/two-factor/disable/", views.disable_two_factor, name="two_factor_disable"),
]
