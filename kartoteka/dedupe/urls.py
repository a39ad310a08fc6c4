from django.urls import path

from kartoteka.dedupe import views

app_name = "dedupe"

urlpatterns = [
    path("duplicates/<str:entity>/", views.report, name="report"),
    path("duplicates/<str:entity>/check/", views.check, name="check"),
    path("duplicates/<str:entity>/merge/<int:a>/<int:b>/", views.merge, name="merge"),
    path("merges/<int:pk>/", views.merge_done, name="merge_done"),
    path("merges/<int:pk>/undo/", views.undo, name="undo"),
    path("settings/duplicates/", views.policy, name="policy"),
]
