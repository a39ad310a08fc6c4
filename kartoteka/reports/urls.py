from django.urls import path

from kartoteka.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.home, name="home"),
    path("reports/digest/", views.digest, name="digest"),
    path("reports/plans/", views.plan_list, name="plans"),
    path("reports/<slug:name>/", views.report, name="report"),
]
