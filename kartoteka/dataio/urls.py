from django.urls import path

from kartoteka.dataio import import_views, views

app_name = "dataio"

urlpatterns = [
    path("export/", views.export, name="export"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_new, name="import_new"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/failed.csv", import_views.import_failed_rows, name="import_failed"),
    path("imports/<int:pk>/undo/", import_views.import_undo, name="import_undo"),
]
