from django.urls import path

from kartoteka.dataio import views

app_name = "dataio"

urlpatterns = [
    path("export/", views.export, name="export"),
]
