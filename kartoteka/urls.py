from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from kartoteka.api.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contacts:company_list", permanent=False), name="home"),
    path("", include("kartoteka.contacts.urls")),
    path("", include("kartoteka.deals.urls")),
    path("accounts/", include("kartoteka.accounts.urls")),
    path("settings/fields/", include("kartoteka.customfields.urls")),
    path("settings/security/", include("kartoteka.accounts.security_urls")),
    path("settings/security-log/", include("kartoteka.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
