from django.urls import path

from kartoteka.deals import line_views, settings_views, views

app_name = "deals"

urlpatterns = [
    path("deals/", views.DealListView.as_view(), name="deal_list"),
    path("deals/new/", views.DealEditView.as_view(), name="deal_create"),
    path("deals/bulk/", views.DealBulkView.as_view(), name="deal_bulk"),
    path("deals/board/", views.board_default, name="board_default"),
    path("deals/board/<int:pipeline_id>/", views.board, name="board"),
    path("deals/<int:pk>/", views.DealDetailView.as_view(), name="deal_detail"),
    path("deals/<int:pk>/edit/", views.DealEditView.as_view(), name="deal_edit"),
    path("deals/<int:pk>/cell/<str:field>/", views.DealCellView.as_view(), name="deal_cell"),
    path("deals/<int:pk>/delete/", views.DealDeleteView.as_view(), name="deal_delete"),
    path("deals/<int:pk>/restore/", views.DealRestoreView.as_view(), name="deal_restore"),
    path("deals/<int:pk>/timeline/", views.DealTimelineView.as_view(), name="deal_timeline"),
    path("deals/<int:pk>/notes/", views.DealNoteView.as_view(), name="deal_note"),
    path("deals/<int:pk>/shares/", views.DealShareView.as_view(), name="deal_share"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:pk>/win/", views.deal_win, name="deal_win"),
    path("deals/<int:pk>/lose/", views.deal_lose, name="deal_lose"),
    path("deals/<int:pk>/participants/", views.deal_participant, name="deal_participant"),
    path("deals/<int:pk>/assign/", views.deal_assign, name="deal_assign"),
    path("deals/<int:pk>/lines/", line_views.DealLinesView.as_view(), name="deal_lines"),
    path("deals/<int:pk>/lines/amount/", line_views.DealLinesAmountView.as_view(), name="deal_lines_amount"),
    path("deals/<int:pk>/lines/<int:line_id>/", line_views.DealLineView.as_view(), name="deal_line"),
    path("deals/<int:pk>/lines/<int:line_id>/delete/", line_views.DealLineDeleteView.as_view(),
         name="deal_line_delete"),
    path("settings/pipelines/", settings_views.pipeline_settings, name="pipeline_settings"),
    path("settings/pipelines/<int:pipeline_id>/", settings_views.pipeline_settings, name="pipeline_settings_one"),
    path("settings/pipelines/<int:pipeline_id>/stages/<int:stage_id>/delete/", settings_views.stage_delete,
         name="stage_delete"),
]
