from django.urls import path

from kartoteka.tasks import views

app_name = "tasks"

urlpatterns = [
    path("my-day/", views.my_day, name="my_day"),
    path("nav/counts/", views.nav_counts, name="nav_counts"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/new/", views.TaskEditView.as_view(), name="task_create"),
    path("tasks/bulk/", views.TaskBulkView.as_view(), name="task_bulk"),
    path("tasks/no-next-step/", views.no_next_step, name="no_next_step"),
    path("tasks/workload/", views.workload, name="workload"),
    path("calendar/", views.calendar, name="calendar"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/edit/", views.TaskEditView.as_view(), name="task_edit"),
    path("tasks/<int:pk>/delete/", views.TaskDeleteView.as_view(), name="task_delete"),
    path("tasks/<int:pk>/restore/", views.TaskRestoreView.as_view(), name="task_restore"),
    path("tasks/<int:pk>/timeline/", views.TaskTimelineView.as_view(), name="task_timeline"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("tasks/<int:pk>/reschedule/", views.task_reschedule, name="task_reschedule"),
]
