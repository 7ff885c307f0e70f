from django.urls import path

from ninety.ingest import views

urlpatterns = [
    path("", views.import_page, name="import"),
    path("<int:batch_id>/", views.import_batch, name="import-batch"),
    path("<int:batch_id>/rejects.csv", views.import_rejects, name="import-rejects"),
    path("<int:batch_id>/progress", views.import_progress, name="import-progress"),
    path("<int:batch_id>/cancel", views.import_cancel, name="import-cancel"),
]
