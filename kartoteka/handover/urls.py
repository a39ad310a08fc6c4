from django.urls import path

from kartoteka.handover import views

app_name = "handover"

urlpatterns = [
    path("team/", views.people, name="people"),
    path("team/<int:user_id>/", views.person, name="person"),
    path("team/<int:user_id>/cover/", views.cover_set, name="cover_set"),
    path("team/<int:user_id>/deactivate/", views.deactivate, name="deactivate"),
    path("team/covers/<int:pk>/end/", views.cover_end, name="cover_end"),
    path("team/handovers/<int:pk>/", views.handover_detail, name="detail"),
    path("team/handovers/<int:pk>/revert/", views.handover_revert, name="revert"),
    path("team/handovers/<int:pk>/resume/", views.handover_resume, name="resume"),
]
