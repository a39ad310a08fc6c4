from django.urls import path

from kartoteka.activities import settings_views, views

app_name = "activities"

urlpatterns = [
    path("activities/<str:entity>/<int:pk>/new/", views.ActivityLogView.as_view(), name="log"),
    path("clients/neglected/", views.neglected, name="neglected"),
    path("settings/call-results/", settings_views.call_results, name="call_results"),
]
