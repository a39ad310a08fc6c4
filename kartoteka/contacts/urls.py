from django.urls import path

from kartoteka.contacts import views

app_name = "contacts"

urlpatterns = [
    path("companies/", views.CompanyListView.as_view(), name="company_list"),
    path("companies/new/", views.CompanyEditView.as_view(), name="company_create"),
    path("companies/bulk/", views.CompanyBulkView.as_view(), name="company_bulk"),
    path("companies/autocomplete/", views.company_autocomplete, name="company_autocomplete"),
    path("companies/<int:pk>/", views.CompanyDetailView.as_view(), name="company_detail"),
    path("companies/<int:pk>/edit/", views.CompanyEditView.as_view(), name="company_edit"),
    path("companies/<int:pk>/cell/<str:field>/", views.CompanyCellView.as_view(), name="company_cell"),
    path("companies/<int:pk>/delete/", views.CompanyDeleteView.as_view(), name="company_delete"),
    path("companies/<int:pk>/restore/", views.CompanyRestoreView.as_view(), name="company_restore"),
    path("companies/<int:pk>/timeline/", views.CompanyTimelineView.as_view(), name="company_timeline"),
    path("companies/<int:pk>/notes/", views.CompanyNoteView.as_view(), name="company_note"),
    path("companies/<int:pk>/shares/", views.CompanyShareView.as_view(), name="company_share"),
    path("contacts/", views.ContactListView.as_view(), name="contact_list"),
    path("contacts/new/", views.ContactEditView.as_view(), name="contact_create"),
    path("contacts/bulk/", views.ContactBulkView.as_view(), name="contact_bulk"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.ContactEditView.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/cell/<str:field>/", views.ContactCellView.as_view(), name="contact_cell"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact_delete"),
    path("contacts/<int:pk>/restore/", views.ContactRestoreView.as_view(), name="contact_restore"),
    path("contacts/<int:pk>/timeline/", views.ContactTimelineView.as_view(), name="contact_timeline"),
    path("contacts/<int:pk>/notes/", views.ContactNoteView.as_view(), name="contact_note"),
    path("contacts/<int:pk>/shares/", views.ContactShareView.as_view(), name="contact_share"),
    path("trash/", views.recycle_bin, name="recycle_bin"),
]
