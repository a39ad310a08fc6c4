from django.contrib import admin
from django.urls import include, path

from kartoteka.api.api import api
from kartoteka.tasks.views import start

urlpatterns = [
    path("", start, name="home"),
    path("", include("kartoteka.contacts.urls")),
    path("", include("kartoteka.deals.urls")),
    path("", include("kartoteka.leads.urls")),
    path("", include("kartoteka.reports.urls")),
    path("", include("kartoteka.handover.urls")),
    path("", include("kartoteka.products.urls")),
    path("", include("kartoteka.activities.urls")),
    path("", include("kartoteka.tasks.urls")),
    path("notifications/", include("kartoteka.notifications.urls")),
    path("", include("kartoteka.search.urls")),
    path("", include("kartoteka.dedupe.urls")),
    path("", include("kartoteka.dataio.urls")),
    path("", include("kartoteka.savedviews.urls")),
    path("accounts/", include("kartoteka.accounts.urls")),
    path("settings/fields/", include("kartoteka.customfields.urls")),
    path("settings/security/", include("kartoteka.accounts.security_urls")),
    path("settings/security-log/", include("kartoteka.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
