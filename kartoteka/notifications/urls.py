from django.urls import path

from kartoteka.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read-all/", views.notification_read_all, name="notification_read_all"),
    path("settings/", views.notification_settings, name="notification_settings"),
    path("<int:pk>/read/", views.notification_read, name="notification_read"),
]
