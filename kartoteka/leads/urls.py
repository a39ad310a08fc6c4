from django.urls import path

from kartoteka.leads import public_views, settings_views, views

app_name = "leads"

urlpatterns = [
    path("leads/", views.LeadListView.as_view(), name="lead_list"),
    path("leads/inbox/", views.inbox, name="inbox"),
    path("leads/new/", views.LeadEditView.as_view(), name="lead_create"),
    path("leads/bulk/", views.LeadBulkView.as_view(), name="lead_bulk"),
    path("leads/<int:pk>/", views.LeadDetailView.as_view(), name="lead_detail"),
    path("leads/<int:pk>/edit/", views.LeadEditView.as_view(), name="lead_edit"),
    path("leads/<int:pk>/cell/<str:field>/", views.LeadCellView.as_view(), name="lead_cell"),
    path("leads/<int:pk>/delete/", views.LeadDeleteView.as_view(), name="lead_delete"),
    path("leads/<int:pk>/restore/", views.LeadRestoreView.as_view(), name="lead_restore"),
    path("leads/<int:pk>/timeline/", views.LeadTimelineView.as_view(), name="lead_timeline"),
    path("leads/<int:pk>/notes/", views.LeadNoteView.as_view(), name="lead_note"),
    path("leads/<int:pk>/shares/", views.LeadShareView.as_view(), name="lead_share"),
    path("leads/<int:pk>/take/", views.lead_take, name="lead_take"),
    path("leads/<int:pk>/assign/", views.lead_assign, name="lead_assign"),
    path("leads/<int:pk>/disqualify/", views.lead_disqualify, name="lead_disqualify"),
    path("leads/<int:pk>/convert/", views.lead_convert, name="lead_convert"),
    path("f/<str:key>", public_views.webform_submit, name="webform_submit"),
    path("settings/webforms/", settings_views.webform_list, name="webform_list"),
    path("settings/webforms/new/", settings_views.webform_edit, name="webform_create"),
    path("settings/webforms/<int:pk>/", settings_views.webform_edit, name="webform_edit"),
    path("settings/distribution/", settings_views.distribution_settings, name="distribution"),
    path("settings/distribution/<int:team_id>/", settings_views.distribution_save, name="distribution_save"),
    path("settings/distribution/absences/", settings_views.absence_add, name="absence_add"),
    path("settings/distribution/absences/<int:pk>/delete/", settings_views.absence_delete, name="absence_delete"),
]
