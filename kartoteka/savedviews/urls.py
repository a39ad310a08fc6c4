from django.urls import path

from kartoteka.savedviews import views

app_name = "savedviews"

urlpatterns = [
    path("views/save/", views.save, name="save"),
    path("views/<int:pk>/pin/", views.pin, name="pin"),
    path("views/<int:pk>/delete/", views.delete, name="delete"),
]
