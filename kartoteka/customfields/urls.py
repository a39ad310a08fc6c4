from django.urls import path

from kartoteka.customfields import views

app_name = "customfields"

urlpatterns = [
    path("", views.field_list, name="field_list"),
    path("new/", views.field_edit, name="field_create"),
    path("<int:pk>/", views.field_edit, name="field_edit"),
    path("<int:pk>/delete/", views.field_delete, name="field_delete"),
]
